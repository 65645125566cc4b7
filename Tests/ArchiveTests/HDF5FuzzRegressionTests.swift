import Archive
import Foundation
import Testing

/// Every input in Fuzz/regressions/HDF5Checkpoint/ (a crash FuzzHDF5Checkpoint found, since fixed) is refused with an
/// ArchiveError. The files are the fuzzer's own, byte for byte; HDF5CheckpointValidationTests builds each case anew.
@Suite struct HDF5FuzzRegressionTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../Fuzz/regressions/HDF5Checkpoint").standardized.path

    static var inputs: [String] { ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).sorted() }

    @Test func everyRegressionIsPresent() { #expect(Set(Self.inputs).isSuperset(of: ["huge-chunk", "vlen-string-global-heap-hang"])) }

    @Test(arguments: inputs)
    func regressionInputIsRefused(name: String) {
        #expect(throws: ArchiveError.self) { try HDF5Checkpoint.read(from: Self.folder + "/" + name) }
    }
}
