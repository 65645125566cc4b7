import Archive
import CHDF5
import Foundation
import Testing

/// HDF5 files written here with libhdf5 directly, so that they can be wrong in ways `HDF5Checkpoint.write` never is.
final class HDF5TestFile {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("h5-\(UUID().uuidString).h5").path
    private var file: hid_t

    init() {
        _ = reprise_h5_silence_errors()
        file = H5Fcreate(path, reprise_h5f_acc_trunc(), reprise_h5p_default(), reprise_h5p_default())
        precondition(file >= 0)
    }
    deinit { unlink(path) }

    /// A dataset of `dims`; `values` (if given) are written as float32; `chunk` makes it chunked (`extendible`: with
    /// unlimited maximum dimensions, so the chunk may be larger than the dataset); `type` is its file type.
    func dataset(_ name: String, _ dims: [UInt64], values: [Float]? = nil, chunk: [UInt64]? = nil, extendible: Bool = false,
                 type: hid_t = reprise_h5t_ieee_f32le()) {
        var d = dims.map { hsize_t($0) }
        var maxDims = dims.map { _ in hsize_t.max }   // H5S_UNLIMITED
        let space = extendible ? H5Screate_simple(Int32(d.count), &d, &maxDims) : H5Screate_simple(Int32(d.count), &d, nil)
        defer { H5Sclose(space) }
        let dcpl = H5Pcreate(reprise_h5p_dataset_create())
        defer { H5Pclose(dcpl) }
        if var c = chunk?.map({ hsize_t($0) }) { precondition(H5Pset_chunk(dcpl, Int32(c.count), &c) >= 0) }
        let set = H5Dcreate2(file, name, type, space, reprise_h5p_default(), dcpl, reprise_h5p_default())
        precondition(set >= 0, "H5Dcreate2 \(name) \(dims)")
        defer { H5Dclose(set) }
        if let values { precondition(H5Dwrite(set, reprise_h5t_native_float(), reprise_h5s_all(), reprise_h5s_all(), reprise_h5p_default(), values) >= 0) }
    }

    /// A fixed-length string attribute on the root, with `count` elements (1: scalar).
    func stringAttribute(_ name: String, _ value: String, count: UInt64 = 1) {
        let type = H5Tcopy(reprise_h5t_c_s1())
        defer { H5Tclose(type) }
        H5Tset_size(type, max(1, value.utf8.count))
        var dims = [hsize_t(count)]
        let space = count == 1 ? H5Screate(H5S_SCALAR) : H5Screate_simple(1, &dims, nil)
        defer { H5Sclose(space) }
        let attribute = H5Acreate2(file, name, type, space, reprise_h5p_default(), reprise_h5p_default())
        defer { H5Aclose(attribute) }
        let bytes = [UInt8](repeating: 0, count: max(1, value.utf8.count) * Int(count - 1)) + Array(value.utf8)
        precondition(H5Awrite(attribute, type, bytes) >= 0)
    }

    /// A variable-length string attribute (h5py's default for `f.attrs["x"] = "…"`), kept in the global heap.
    func variableLengthStringAttribute(_ name: String, _ value: String) {
        let type = H5Tcopy(reprise_h5t_c_s1())
        defer { H5Tclose(type) }
        H5Tset_size(type, -1)   // H5T_VARIABLE, (size_t)-1
        let space = H5Screate(H5S_SCALAR)
        defer { H5Sclose(space) }
        let attribute = H5Acreate2(file, name, type, space, reprise_h5p_default(), reprise_h5p_default())
        defer { H5Aclose(attribute) }
        value.withCString { c in
            var pointer: UnsafePointer<CChar>? = c
            precondition(H5Awrite(attribute, type, &pointer) >= 0)
        }
    }

    func intAttribute(_ name: String, _ value: Int64) {
        let space = H5Screate(H5S_SCALAR)
        defer { H5Sclose(space) }
        let attribute = H5Acreate2(file, name, reprise_h5t_std_i64le(), space, reprise_h5p_default(), reprise_h5p_default())
        defer { H5Aclose(attribute) }
        var v = value
        precondition(H5Awrite(attribute, reprise_h5t_native_int64(), &v) >= 0)
    }

    /// The run attributes of a Reprise checkpoint, with `order` as tensor_order.
    func checkpointAttributes(order: [String]) {
        stringAttribute("reprise_format", "reprise-checkpoint 1")
        stringAttribute("run_id", String(repeating: "ab", count: 32))
        intAttribute("epoch", 1)
        intAttribute("step", 10)
        stringAttribute("tensor_order", order.joined(separator: "\n"))
    }

    /// Closes the file; returns its path.
    func close() -> String {
        if file >= 0 { precondition(H5Fclose(file) >= 0); file = -1 }
        return path
    }
}

/// `reprise checkpoint import` must refuse a file that is not a whole, well-formed checkpoint, naming the file, the
/// dataset and the problem, before allocating anything the file cannot back.
@Suite struct HDF5CheckpointValidationTests {
    func expectRefused(_ path: String, mentioning words: [String]) {
        do {
            let contents = try HDF5Checkpoint.read(from: path)
            Issue.record("imported \(contents.tensors.map { "\($0.name) \($0.shape)" }) from a file that should be refused")
        } catch let error as ArchiveError {
            let message = error.description
            #expect(message.hasPrefix(path), "\(message)")
            for word in words { #expect(message.contains(word), "\(message) should mention \(word)") }
        } catch {
            Issue.record("not an ArchiveError: \(error)")
        }
    }

    /// Dimensions whose product overflows Int, or is far beyond memory: chunked datasets may declare them in a few
    /// hundred bytes (no chunk written). The old reader multiplied them unchecked (trap) or allocated the product.
    @Test(arguments: [[UInt64(1) << 32, UInt64(1) << 32], [UInt64(1) << 20, UInt64(1) << 20], [UInt64(1) << 62]])
    func enormousDimensionsAreRefused(dims: [UInt64]) {
        let f = HDF5TestFile()
        f.checkpointAttributes(order: ["huge"])
        f.dataset("huge", dims, chunk: dims.map { _ in 16 })
        expectRefused(f.close(), mentioning: ["dataset huge", "values"])
    }

    /// A chunk far larger than its tensor, which libhdf5 allocates whole to read the tensor: found by
    /// FuzzHDF5Checkpoint (Fuzz/regressions/HDF5Checkpoint/huge-chunk: a 4×1×3×3 tensor in 4×16777472×3×3 chunks, a
    /// 2.4 GB allocation).
    @Test func chunkLargerThanTheTensorIsRefused() {
        let f = HDF5TestFile()
        f.checkpointAttributes(order: ["w"])
        f.dataset("w", [4], values: [1, 2, 3, 4], chunk: [1 << 24], extendible: true)
        expectRefused(f.close(), mentioning: ["dataset w", "chunk"])
    }

    /// A dataset whose data was never written reads as fill values (zeros): the old reader imported them.
    @Test func unwrittenDatasetIsRefused() {
        let f = HDF5TestFile()
        f.checkpointAttributes(order: ["w", "empty"])
        f.dataset("w", [3], values: [1, 2, 3])
        f.dataset("empty", [1 << 16])
        expectRefused(f.close(), mentioning: ["dataset empty"])
    }

    /// tensor_order names a tensor the file does not hold: the old reader fell back to the tensors present.
    @Test func missingTensorIsRefused() {
        let f = HDF5TestFile()
        f.checkpointAttributes(order: ["a", "b", "c"])
        f.dataset("a", [2], values: [1, 2])
        f.dataset("b", [1], values: [3])
        expectRefused(f.close(), mentioning: ["c", "tensor_order"])
    }

    /// A dataset the file holds but tensor_order does not name.
    @Test func tensorOutsideTheOrderIsRefused() {
        let f = HDF5TestFile()
        f.checkpointAttributes(order: ["a"])
        f.dataset("a", [2], values: [1, 2])
        f.dataset("stray", [1], values: [3])
        expectRefused(f.close(), mentioning: ["dataset stray", "tensor_order"])
    }

    /// An integer dataset is not a float32 tensor (HDF5 would convert it silently).
    @Test func nonFloatDatasetIsRefused() {
        let f = HDF5TestFile()
        f.checkpointAttributes(order: ["a"])
        f.dataset("a", [4], values: [1, 2, 3, 4], type: reprise_h5t_std_i64le())
        expectRefused(f.close(), mentioning: ["dataset a", "float32"])
    }

    /// A string attribute with many elements: the old reader read all of them into a buffer sized for one.
    @Test func attributeWithManyElementsIsRefused() {
        let f = HDF5TestFile()
        f.stringAttribute("reprise_format", "reprise-checkpoint 1")
        f.stringAttribute("run_id", "x", count: 4096)
        f.dataset("a", [1], values: [1])
        expectRefused(f.close(), mentioning: ["run_id"])
    }

    /// A variable-length string is read from the file's global heap, where a damaged heap made libhdf5 1.10.8 spin for
    /// minutes (Fuzz/regressions/HDF5Checkpoint/vlen-string-global-heap-hang): refused before it is read.
    @Test func variableLengthStringIsRefused() {
        let f = HDF5TestFile()
        f.variableLengthStringAttribute("run_id", String(repeating: "ab", count: 32))
        f.dataset("a", [1], values: [1])
        expectRefused(f.close(), mentioning: ["run_id", "variable-length"])
    }

    /// A checkpoint whose second tensor's object header was overwritten (a damaged file): the old reader skipped the
    /// dataset it could not open and imported the other two, exit 0.
    @Test func damagedDatasetHeaderIsRefused() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("h5-\(UUID().uuidString).h5").path
        defer { unlink(path) }
        try HDF5Checkpoint.write(.init(runID: String(repeating: "cd", count: 32), epoch: 2, step: 7, tensors: [
            .init(name: "a.weight", shape: [2, 2], values: [1, 2, 3, 4]),
            .init(name: "b.weight", shape: [3], values: [5, 6, 7]),
            .init(name: "c.bias", shape: [1], values: [8]),
        ]), to: path)
        let file = H5Fopen(path, reprise_h5f_acc_rdonly(), reprise_h5p_default())
        var info = H5O_info_t()
        #expect(H5Oget_info_by_name(file, "b.weight", &info, reprise_h5p_default()) >= 0)
        H5Fclose(file)
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        for i in 0..<24 { bytes[Int(info.addr) + i] = 0xEE }
        try bytes.write(to: URL(fileURLWithPath: path))
        expectRefused(path, mentioning: ["b.weight"])
    }

    /// The checks refuse nothing a Reprise export writes, including an empty checkpoint.
    @Test func exportsStillRead() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("h5-\(UUID().uuidString).h5").path
        defer { unlink(path) }
        for tensors: [HDF5Checkpoint.Tensor] in [[], [.init(name: "w", shape: [2, 1, 1, 3], values: [1, 2, 3, 4, 5, 6])]] {
            let contents = HDF5Checkpoint.Contents(runID: String(repeating: "ef", count: 32), epoch: 0, step: 0, tensors: tensors)
            try HDF5Checkpoint.write(contents, to: path)
            #expect(try HDF5Checkpoint.read(from: path) == contents)
        }
    }
}
