import CHDF5
import Foundation

/// Checkpoints as HDF5 files, the interchange format (readable by h5py, PyTorch users, MATLAB…).
///
/// Layout (FORMAT.md §HDF5): one float32 little-endian dataset per tensor at the root, named by its layer path
/// (e.g. "s1.b1.f.a.conv.weight"), contiguous, with the tensor's shape; root attributes `run_id` (64-hex string),
/// `epoch` and `step` (int64), `reprise_format` ("reprise-checkpoint 1") and `tensor_order` (the tensor names joined by
/// newlines: HDF5 lists links by name, the checkpoint keeps model order).
///
/// Deterministic: object modification-time tracking is off for the root group and every dataset, so the same tensors
/// give the same file bytes (tested).
public enum HDF5Checkpoint {
    public struct Tensor: Equatable {
        public var name: String
        public var shape: [Int]
        public var values: [Float]
        public init(name: String, shape: [Int], values: [Float]) { self.name = name; self.shape = shape; self.values = values }
    }

    public struct Contents: Equatable {
        public var runID: String
        public var epoch: Int
        public var step: Int
        public var tensors: [Tensor]
        public init(runID: String, epoch: Int, step: Int, tensors: [Tensor]) {
            self.runID = runID; self.epoch = epoch; self.step = step; self.tensors = tensors
        }
    }

    static let formatTag = "reprise-checkpoint 1"

    public static func write(_ contents: Contents, to path: String) throws {
        _ = reprise_h5_silence_errors()
        let fcpl = H5Pcreate(reprise_h5p_file_create())
        defer { H5Pclose(fcpl) }
        H5Pset_obj_track_times(fcpl, false)
        let file = H5Fcreate(path, reprise_h5f_acc_trunc(), fcpl, reprise_h5p_default())
        guard file >= 0 else { throw ArchiveError.io(path: path, operation: "create HDF5 file", reason: "H5Fcreate failed (directory missing or not writable?)") }
        var closed = false
        defer { if !closed { H5Fclose(file) } }

        try writeStringAttribute(file, "reprise_format", formatTag, path: path)
        try writeStringAttribute(file, "run_id", contents.runID, path: path)
        try writeIntAttribute(file, "epoch", Int64(contents.epoch), path: path)
        try writeIntAttribute(file, "step", Int64(contents.step), path: path)
        try writeStringAttribute(file, "tensor_order", contents.tensors.map(\.name).joined(separator: "\n"), path: path)

        let dcpl = H5Pcreate(reprise_h5p_dataset_create())
        defer { H5Pclose(dcpl) }
        H5Pset_obj_track_times(dcpl, false)
        for tensor in contents.tensors {
            guard tensor.shape.reduce(1, *) == tensor.values.count else {
                throw ArchiveError.malformed(path: path, reason: "tensor \(tensor.name): shape \(tensor.shape) does not match \(tensor.values.count) values")
            }
            var dims = tensor.shape.map { hsize_t($0) }
            let space = H5Screate_simple(Int32(dims.count), &dims, nil)
            defer { H5Sclose(space) }
            let set = H5Dcreate2(file, tensor.name, reprise_h5t_ieee_f32le(), space, reprise_h5p_default(), dcpl, reprise_h5p_default())
            guard set >= 0 else { throw ArchiveError.io(path: path, operation: "create dataset \(tensor.name)", reason: "H5Dcreate2 failed") }
            defer { H5Dclose(set) }
            let status = tensor.values.withUnsafeBufferPointer {
                H5Dwrite(set, reprise_h5t_native_float(), reprise_h5s_all(), reprise_h5s_all(), reprise_h5p_default(), $0.baseAddress)
            }
            guard status >= 0 else { throw ArchiveError.io(path: path, operation: "write dataset \(tensor.name)", reason: "H5Dwrite failed") }
        }
        closed = true
        guard H5Fclose(file) >= 0 else { throw ArchiveError.io(path: path, operation: "close HDF5 file", reason: "H5Fclose failed (disk full?)") }
    }

    /// Reads every float dataset at the root (in `tensor_order` when present, else name order), and the run attributes.
    public static func read(from path: String) throws -> Contents {
        _ = reprise_h5_silence_errors()
        guard FileManager.default.fileExists(atPath: path) else { throw ArchiveError.io(path: path, operation: "open", reason: "no such file") }
        let file = H5Fopen(path, reprise_h5f_acc_rdonly(), reprise_h5p_default())
        guard file >= 0 else { throw ArchiveError.malformed(path: path, reason: "not an HDF5 file") }
        defer { H5Fclose(file) }
        var info = H5G_info_t()
        guard H5Gget_info(file, &info) >= 0 else { throw ArchiveError.malformed(path: path, reason: "unreadable root group") }
        var tensors: [Tensor] = []
        for i in 0..<info.nlinks {
            let length = H5Lget_name_by_idx(file, ".", H5_INDEX_NAME, H5_ITER_INC, i, nil, 0, reprise_h5p_default())
            guard length > 0 else { continue }
            var buffer = [CChar](repeating: 0, count: Int(length) + 1)
            H5Lget_name_by_idx(file, ".", H5_INDEX_NAME, H5_ITER_INC, i, &buffer, buffer.count, reprise_h5p_default())
            let name = String(cString: buffer)
            let set = H5Dopen2(file, name, reprise_h5p_default())
            guard set >= 0 else { continue }  // a group or other object: not a tensor
            defer { H5Dclose(set) }
            let space = H5Dget_space(set)
            defer { H5Sclose(space) }
            let rank = H5Sget_simple_extent_ndims(space)
            guard rank >= 0 else { throw ArchiveError.malformed(path: path, reason: "dataset \(name): unreadable shape") }
            var dims = [hsize_t](repeating: 0, count: Int(rank))
            H5Sget_simple_extent_dims(space, &dims, nil)
            let shape = dims.map { Int($0) }
            var values = [Float](repeating: 0, count: shape.reduce(1, *))
            let status = values.withUnsafeMutableBufferPointer {
                H5Dread(set, reprise_h5t_native_float(), reprise_h5s_all(), reprise_h5s_all(), reprise_h5p_default(), $0.baseAddress)
            }
            guard status >= 0 else { throw ArchiveError.malformed(path: path, reason: "dataset \(name) is not convertible to float32") }
            tensors.append(Tensor(name: name, shape: shape, values: values))
        }
        if let order = readStringAttribute(file, "tensor_order")?.split(separator: "\n").map(String.init),
           Set(order) == Set(tensors.map(\.name)), order.count == tensors.count {
            let byName = Dictionary(uniqueKeysWithValues: tensors.map { ($0.name, $0) })
            tensors = order.map { byName[$0]! }
        }
        return Contents(runID: readStringAttribute(file, "run_id") ?? "", epoch: Int(readIntAttribute(file, "epoch") ?? 0),
                        step: Int(readIntAttribute(file, "step") ?? 0), tensors: tensors)
    }

    static func writeStringAttribute(_ object: hid_t, _ name: String, _ value: String, path: String) throws {
        let type = H5Tcopy(reprise_h5t_c_s1())
        defer { H5Tclose(type) }
        H5Tset_size(type, max(1, value.utf8.count))
        let space = H5Screate(H5S_SCALAR)
        defer { H5Sclose(space) }
        let attribute = H5Acreate2(object, name, type, space, reprise_h5p_default(), reprise_h5p_default())
        guard attribute >= 0 else { throw ArchiveError.io(path: path, operation: "create attribute \(name)", reason: "H5Acreate2 failed") }
        defer { H5Aclose(attribute) }
        var bytes = Array(value.utf8)
        if bytes.isEmpty { bytes = [0] }
        H5Awrite(attribute, type, bytes)
    }

    static func writeIntAttribute(_ object: hid_t, _ name: String, _ value: Int64, path: String) throws {
        let space = H5Screate(H5S_SCALAR)
        defer { H5Sclose(space) }
        let attribute = H5Acreate2(object, name, reprise_h5t_std_i64le(), space, reprise_h5p_default(), reprise_h5p_default())
        guard attribute >= 0 else { throw ArchiveError.io(path: path, operation: "create attribute \(name)", reason: "H5Acreate2 failed") }
        defer { H5Aclose(attribute) }
        var v = value
        H5Awrite(attribute, reprise_h5t_native_int64(), &v)
    }

    static func readStringAttribute(_ object: hid_t, _ name: String) -> String? {
        guard H5Aexists(object, name) > 0 else { return nil }
        let attribute = H5Aopen(object, name, reprise_h5p_default())
        defer { H5Aclose(attribute) }
        let type = H5Aget_type(attribute)
        defer { H5Tclose(type) }
        let size = H5Tget_size(type)
        var bytes = [UInt8](repeating: 0, count: size + 1)
        H5Aread(attribute, type, &bytes)
        return String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
    }

    static func readIntAttribute(_ object: hid_t, _ name: String) -> Int64? {
        guard H5Aexists(object, name) > 0 else { return nil }
        let attribute = H5Aopen(object, name, reprise_h5p_default())
        defer { H5Aclose(attribute) }
        var v: Int64 = 0
        return H5Aread(attribute, reprise_h5t_native_int64(), &v) >= 0 ? v : nil
    }
}

extension Archive {
    /// The tensors of a stored checkpoint, in checkpoint order.
    public func checkpointContents(_ id: ObjectID) throws -> HDF5Checkpoint.Contents {
        let record = try getJSON(CheckpointRecord.self, id)
        let tensors = try record.tensors.map {
            HDF5Checkpoint.Tensor(name: $0.name, shape: $0.shape, values: try getTensor($0.object, count: $0.elementCount))
        }
        return .init(runID: record.run.hex, epoch: record.epoch, step: record.step, tensors: tensors)
    }

    /// Stores HDF5 contents as a checkpoint record (tensors deduplicated as objects) and returns its ID.
    public func importCheckpoint(_ contents: HDF5Checkpoint.Contents) throws -> ObjectID {
        guard let run = ObjectID(hex: contents.runID) else {
            throw ArchiveError.malformed(path: "HDF5 file", reason: "root attribute run_id is missing or not a 64-hex run ID")
        }
        let tensors = try contents.tensors.map { tensor in
            CheckpointRecord.Tensor(name: tensor.name, shape: tensor.shape,
                                    object: try tensor.values.withUnsafeBufferPointer { try putTensor($0) })
        }
        return try putJSON(CheckpointRecord(run: run, epoch: contents.epoch, step: contents.step, tensors: tensors))
    }
}
