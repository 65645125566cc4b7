import Archive
import Foundation
import Kernels
import Replay
import Testing
import TestSupport

/// Image-folder datasets against an independent encoder and decoder: scripts/golden/write_image_folders.py writes
/// PNG and JPEG files with Pillow, Pillow's decode of each, and the documented area-average resize computed with exact
/// integers in numpy (scripts/test.sh installs Pillow; without it these tests fail, saying so).
@Suite(.serialized) struct ImageFolderTests {
    static let inputs: String = {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("reprise-imagefolders-\(UUID().uuidString)").path
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../scripts/golden/write_image_folders.py").standardized.path
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3", script, out]
        p.standardOutput = FileHandle.nullDevice
        try? p.run()
        p.waitUntilExit()
        return p.terminationStatus == 0 ? out : ""
    }()

    static func folder(_ name: String) throws -> String {
        try #require(!inputs.isEmpty, "scripts/golden/write_image_folders.py failed: it needs numpy and Pillow (python3 -m pip install --user Pillow)")
        return inputs + "/" + name
    }

    static func bytes(_ path: String) throws -> [UInt8] { [UInt8](try #require(FileManager.default.contents(atPath: path), "\(path)")) }

    /// Every PNG and JPEG variant (gray 1 and 8 bits, RGB, palettes of 4 and 8 bits, JPEG gray, 4:2:0, 4:2:2 with an
    /// odd width, 4:4:4, progressive, Fashion-MNIST images) decodes to exactly Pillow's samples; RGB → gray equals
    /// Pillow's convert("L") exactly. JPEG is exact too: both use libjpeg-turbo's accurate integer IDCT and fancy
    /// upsampling (Pillow's bundled 3.x, ours Debian's 2.1).
    @Test func decodeEqualsPillow() throws {
        let dir = try Self.folder("decode")
        let shapes = try FileManager.default.contentsOfDirectory(atPath: dir).filter { $0.hasSuffix(".shape") }.sorted()
        #expect(shapes.count >= 10)
        for shapeFile in shapes {
            let name = String(shapeFile.dropLast(6))
            let file = try #require(FileManager.default.contentsOfDirectory(atPath: dir).first { $0.hasPrefix(name + ".") && ($0.hasSuffix(".png") || $0.hasSuffix(".jpg")) })
            let shape = try String(contentsOfFile: dir + "/" + shapeFile, encoding: .utf8).split(separator: " ").map { Int($0.trimmingCharacters(in: .whitespacesAndNewlines))! }
            let image = try ImageFile.decode(path: dir + "/" + file)
            #expect([image.width, image.height, image.channels] == shape, "\(file)")
            #expect(image.pixels == (try Self.bytes(dir + "/" + name + ".raw")), "\(file): samples differ from Pillow's")
            if FileManager.default.fileExists(atPath: dir + "/" + name + ".L.raw") {
                #expect(image.converted(toChannels: 1).pixels == (try Self.bytes(dir + "/" + name + ".L.raw")), "\(file): luma differs from Pillow's")
            }
        }
    }

    /// The area-average resize equals the exact-integer numpy computation bit for bit, down (5, 8) and up (40), to
    /// non-divisors, in gray and RGB, with an odd width.
    @Test func resizeEqualsTheExactReference() throws {
        let dir = try Self.folder("resize")
        for name in ["gray8", "rgb", "odd"] {
            let image = try ImageFile.decode(path: "\(dir)/\(name).png")
            for side in [5, 8, 16, 40] {
                let expected = try Self.bytes("\(dir)/\(name).\(side).f32").withUnsafeBytes { Array($0.bindMemory(to: UInt32.self)) }.map { UInt32(littleEndian: $0) }
                #expect(bits(image.resized(toSide: side)) == expected, "\(name) to \(side)")
            }
        }
    }

    /// Each bad file is refused with a one-line reason naming the file: truncated JPEG and PNG, text named .png, an
    /// empty file, 16-bit samples, RGBA, gray+alpha, palette transparency, CMYK.
    @Test func badFilesAreRefusedNamingTheFile() throws {
        let dir = try Self.folder("bad")
        let expected = ["truncated.jpg": "JPEG", "truncated.png": "PNG", "notimage.png": "not a PNG or JPEG", "empty.jpg": "not a PNG or JPEG",
                        "deep16.png": "16-bit", "rgba.png": "alpha", "gray_alpha.png": "alpha", "trns.png": "tRNS", "cmyk.jpg": "CMYK"]
        #expect(Set(try FileManager.default.contentsOfDirectory(atPath: dir)) == Set(expected.keys))
        for (file, reason) in expected {
            do {
                _ = try ImageFile.decode(path: dir + "/" + file)
                Issue.record("\(file) was decoded")
            } catch let error as DatasetError {
                #expect(error.path == dir + "/" + file)
                #expect(error.reason.contains(reason), "\(file): \(error.reason)")
                #expect(!error.description.contains("\n"))
            }
        }
    }

    static func spec(_ root: String, size: Int = 16, channels: Int = 1, onBadFile: String? = nil, testCount: Int = 6) -> DatasetSpec {
        var d = DatasetSpec(name: "folder", testCount: testCount)
        d.path = root
        d.folder = ImageFolderSpec(size: size, channels: channels, onBadFile: onBadFile)
        return d
    }

    /// Both layouts: classes in byte order of their names, hidden files ignored, the seeded split of one pool, the
    /// digest stable across loads and covering the file names (a renamed file changes it, same pixels).
    @Test func layoutsClassesAndDigest() throws {
        let split = try Self.spec(Self.folder("split")).load()
        #expect(split.train.count == 18 && split.test.count == 6 && split.train.classes == 3)
        #expect(split.train.files!.allSatisfy { $0.hasPrefix("one/") || $0.hasPrefix("seven/") || $0.hasPrefix("zero/") })
        let labelOfSeven = split.train.labels[split.train.files!.firstIndex { $0.hasPrefix("seven/") }!]
        #expect(labelOfSeven == 1)  // one, seven, zero
        let parts = try Self.spec(Self.folder("parts")).load()
        #expect(parts.train.count == 18 && parts.test.count == 9)
        #expect(parts.test.files!.first == "test/one/" + parts.test.files!.first!.dropFirst(9))
        let again = try Self.spec(Self.folder("split")).load()
        #expect(DatasetSpec.digest(train: split.train, test: split.test) == DatasetSpec.digest(train: again.train, test: again.test))

        let copy = try TemporaryArchive().path + "-copy"
        defer { try? FileManager.default.removeItem(atPath: copy) }
        try FileManager.default.copyItem(atPath: Self.folder("parts"), toPath: copy)
        let first = try FileManager.default.contentsOfDirectory(atPath: copy + "/test/zero").sorted()[0]
        // "0123.png" → "0123a.png": the same place in the sorted list, so the same pixels in the same order.
        try FileManager.default.moveItem(atPath: copy + "/test/zero/" + first,
                                         toPath: copy + "/test/zero/" + first.replacingOccurrences(of: ".", with: "a."))
        let renamed = try Self.spec(copy).load()
        let samePixels = renamed.test.images == parts.test.images && renamed.train.images == parts.train.images
        #expect(samePixels)
        #expect(DatasetSpec.digest(train: renamed.train, test: renamed.test) != DatasetSpec.digest(train: parts.train, test: parts.test))
    }

    /// A bad file stops the load naming it, or under "skip" is listed and left out; an empty class folder is an error
    /// in both modes.
    @Test func badFilesInAFolderFailOrAreSkipped() throws {
        let copy = FileManager.default.temporaryDirectory.appendingPathComponent("reprise-badfolder-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: copy) }
        try FileManager.default.copyItem(atPath: Self.folder("split"), toPath: copy)
        try FileManager.default.copyItem(atPath: Self.folder("bad") + "/truncated.jpg", toPath: copy + "/seven/9999.jpg")
        do {
            _ = try Self.spec(copy).load()
            Issue.record("a truncated JPEG was loaded")
        } catch let error as DatasetError {
            #expect(error.path == copy + "/seven/9999.jpg")
        }
        let load = try ImageFolderDataset.load(root: copy, spec: ImageFolderSpec(size: 16, channels: 1, onBadFile: "skip"), testCount: 6, splitSeed: 0)
        #expect(load.skipped.count == 1 && load.skipped[0].hasPrefix("seven/9999.jpg: JPEG"))
        #expect(load.train.count + load.test.count == 24)
        for policy in [nil, "skip"] {
            #expect(throws: DatasetError.self) { try Self.spec(Self.folder("emptyclass"), onBadFile: policy).load() }
        }
    }

    /// Training on an image folder: the same bits with 1 and 2 workers, replayed bit for bit; RGB conversion works.
    @Test func trainsAndReplaysBitwise() throws {
        var run = smallDigitsRun(epochs: 1)
        run.dataset = try Self.spec(Self.folder("split"), size: 8, testCount: 6)
        run.architecture.classes = 3
        run.training.batchSize = 8  // 18 training images: 2 steps per epoch
        #expect(run.check().isEmpty, "\(run.check().problems)")
        let a = try TemporaryArchive(), b = try TemporaryArchive()
        let one = try Trainer(spec: run, workers: Workers(1)).run(in: a.archive)
        let two = try Trainer(spec: run, workers: Workers(2)).run(in: b.archive)
        #expect(one.run == two.run && one.record.deterministicPart == two.record.deterministicPart)
        #expect(try Replayer(archive: a.archive, workers: Workers(2)).replay(one.run).isBitwiseIdentical)
        let rgb = try Self.spec(Self.folder("parts"), size: 8, channels: 3).load()
        #expect(rgb.train.channels == 3 && rgb.train.images.count == 18 * 8 * 8 * 3)
    }

    /// The spec check names each missing or out-of-range folder field.
    @Test func specCheckNamesTheFields() {
        var d = DatasetSpec(name: "folder")
        var c = SpecCheck(); d.check(into: &c, at: "dataset")
        #expect(c.problems.contains { $0.contains("dataset.path") } && c.problems.contains { $0.contains("dataset.folder") })
        d.path = "/x"; d.folder = ImageFolderSpec(size: 0, channels: 2, onBadFile: "ignore")
        c = SpecCheck(); d.check(into: &c, at: "dataset")
        #expect(c.problems.count == 3, "\(c.problems)")
    }
}
