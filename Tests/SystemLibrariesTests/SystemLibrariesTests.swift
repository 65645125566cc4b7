import CHDF5
import COpenBLAS
import CZlib
import Foundation
import Testing

/// Smoke tests: each system library is reachable, links, and does the one thing Reprise uses it for.
@Suite struct SystemLibrariesTests {
    /// [1 2; 3 4] · [5 6; 7 8] = [19 22; 43 50] (hand derivation).
    @Test func openBLASMultipliesTwoByTwo() {
        let a: [Float] = [1, 2, 3, 4], b: [Float] = [5, 6, 7, 8]
        var c = [Float](repeating: -1, count: 4)
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, 2, 2, 2, 1, a, 2, b, 2, 0, &c, 2)
        #expect(c == [19, 22, 43, 50])
    }

    @Test func hdf5WritesAndReadsADataset() throws {
        _ = reprise_h5_silence_errors()
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("smoke-\(UUID().uuidString).h5").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let values: [Float] = [1.5, -2.25, 3, 0]
        var dims: [hsize_t] = [2, 2]
        let file = H5Fcreate(path, reprise_h5f_acc_trunc(), reprise_h5p_default(), reprise_h5p_default())
        #expect(file >= 0)
        let space = H5Screate_simple(2, &dims, nil)
        let set = H5Dcreate2(file, "w", reprise_h5t_ieee_f32le(), space, reprise_h5p_default(), reprise_h5p_default(), reprise_h5p_default())
        #expect(H5Dwrite(set, reprise_h5t_native_float(), reprise_h5s_all(), reprise_h5s_all(), reprise_h5p_default(), values) >= 0)
        H5Dclose(set); H5Sclose(space); H5Fclose(file)

        let readFile = H5Fopen(path, reprise_h5f_acc_rdonly(), reprise_h5p_default())
        let readSet = H5Dopen2(readFile, "w", reprise_h5p_default())
        var back = [Float](repeating: 0, count: 4)
        #expect(H5Dread(readSet, reprise_h5t_native_float(), reprise_h5s_all(), reprise_h5s_all(), reprise_h5p_default(), &back) >= 0)
        H5Dclose(readSet); H5Fclose(readFile)
        #expect(back == values)
    }

    @Test func zlibDeflateRoundTrip() {
        let input = [UInt8]((0..<10_000).map { UInt8(truncatingIfNeeded: $0 % 37) })
        var compressedLength = compressBound(uLong(input.count))
        var compressed = [UInt8](repeating: 0, count: Int(compressedLength))
        #expect(compress2(&compressed, &compressedLength, input, uLong(input.count), 6) == Z_OK)
        #expect(Int(compressedLength) < input.count / 10)
        var outputLength = uLongf(input.count)
        var output = [UInt8](repeating: 0, count: input.count)
        #expect(uncompress(&output, &outputLength, compressed, compressedLength) == Z_OK)
        #expect(output == input)
    }
}
