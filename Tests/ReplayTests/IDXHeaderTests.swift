import Foundation
import Replay
import Testing

/// IDX headers from fuzzing (Fuzz/regressions/IDX/): each must be refused with a DatasetError, not trap.
@Suite struct IDXHeaderTests {
    func load(images: [UInt8], labels: [UInt8]) throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("idx-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Data(images).write(to: URL(fileURLWithPath: dir + "/images"))
        try Data(labels).write(to: URL(fileURLWithPath: dir + "/labels"))
        _ = try IDXDataset.load(images: dir + "/images", labels: dir + "/labels", name: "test")
    }

    func header(_ words: [UInt32]) -> [UInt8] { words.flatMap { w in (0..<4).map { UInt8(truncatingIfNeeded: w >> (24 - 8 * $0)) } } }

    /// Fuzz/regressions/IDX/overflowing-dimensions: 0x6563e7e0 images of 0xe2e6e4e1 × 0x241ce8ef pixels; the byte
    /// count 16 + n·h·w overflowed Int (a trap) before it was compared with the file's size.
    @Test func overflowingDimensionsAreRefused() throws {
        let images = header([0x803, 0x6563_e7e0, 0xe2e6_e4e1, 0x241c_e8ef]) + [0xfd, 0xfc, 0x9c, 0x9f, 0xe0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x08, 0x03, 0x0d, 0x0e, 0x0f, 0x10, 0x11]
        let labels = header([0x801, 9])
        #expect(throws: DatasetError.self) { try load(images: images, labels: labels) }
    }

    /// The fuzzer's own files in Fuzz/regressions/IDX/ (two parts: a 2-byte little-endian length, the image file, the
    /// label file), byte for byte.
    @Test func regressionInputsAreRefused() throws {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("../../Fuzz/regressions/IDX").standardized.path
        let names = try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
        #expect(names.contains("overflowing-dimensions"))
        for name in names {
            let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: folder + "/" + name)))
            let n = min(Int(bytes[0]) | Int(bytes[1]) << 8, bytes.count - 2)
            #expect(throws: DatasetError.self, "\(name)") { try load(images: Array(bytes[2..<(2 + n)]), labels: Array(bytes[(2 + n)...])) }
        }
    }

    /// Every dimension 2³²−1: the largest product a header can declare.
    @Test func largestDimensionsAreRefused() throws {
        #expect(throws: DatasetError.self) { try load(images: header([0x803, .max, .max, .max]), labels: header([0x801, .max])) }
    }

    /// Zero images of any size, with zero labels, is an empty dataset, not an error.
    @Test func emptyDatasetLoads() throws {
        try load(images: header([0x803, 0, 28, 28]), labels: header([0x801, 0]))
    }
}
