import Archive
import Foundation
import Replay
import Testing

/// Hostile spec values: each is refused before any work with one line naming the file, the field and the allowed
/// range — never a trap, never a "completed" run. Every committed fixture still passes unchanged.
@Suite struct SpecValidationTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../fixtures").standardized.path

    func temporary(_ text: String) -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("spec-\(UUID().uuidString).json").path
        try? text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// The error of loading `text` as a study spec ("" when it loads).
    func studyError(_ text: String) -> String {
        let path = temporary(text)
        defer { try? FileManager.default.removeItem(atPath: path) }
        do { _ = try StudySpec.load(path: path); return "" } catch { return "\(error)" }
    }

    func runError(_ text: String) -> String {
        let path = temporary(text)
        defer { try? FileManager.default.removeItem(atPath: path) }
        do { _ = try RunSpec.load(path: path); return "" } catch { return "\(error)" }
    }

    static let study = #"{"name":"x","architectures":{"count":3,"seed":1,"sampler":{"inputSize":8,"inputChannels":1,"classes":10,"minFlops":1,"maxFlops":9}},"training":{"epochs":1,"batchSize":8},"datasets":[{"label":"a","dataset":{"name":"digits"}}],"reference":"a","family":["a"],"seeds":[0]}"#

    static let run = #"{"architecture":{"stem":"res_stem_cifar","stemWidth":8,"block":"res_bottleneck_block","stages":[{"depth":1,"width":16,"stride":1,"bottleneckMultiplier":1,"groupWidth":8}],"inputChannels":1,"classes":10},"dataset":{"name":"digits"},"training":{"epochs":1,"batchSize":16},"seed":0}"#

    @Test func committedStudySpecsPass() throws {
        let folder = Self.fixtures + "/studies"
        let files = try FileManager.default.contentsOfDirectory(atPath: folder).filter { $0.hasSuffix(".json") }
        #expect(files.count >= 3)
        for file in files {
            let spec = try StudySpec.load(path: folder + "/" + file)
            if spec.quick != nil { #expect(try spec.quickVariant().check().isEmpty) }
        }
    }

    /// (substitution in the good study spec, field that must be named, text of the rule).
    static let badStudies: [(String, String, String, String)] = [
        (#""name":"x""#, #""name":"../x""#, "\"name\"", "must be 1…128"),
        (#""name":"x""#, #""name":"/tmp/x""#, "\"name\"", "file name"),
        (#""name":"x""#, #""name":"""#, "\"name\"", "must not be empty"),
        (#""name":"x""#, #""name":"a\nb""#, "\"name\"", "file name"),
        (#""name":"x""#, #""name":"a\u0000b""#, "\"name\"", "file name"),
        (#""label":"a""#, #""label":"../../etc""#, "\"datasets[0].label\"", "file name"),
        (#""maxFlops":9"#, #""maxFlops":9,"maxDepth":0"#, "\"architectures.sampler.maxDepth\" = 0", "1…64"),
        (#""maxFlops":9"#, #""maxFlops":9,"strides":[1,0,3]"#, "\"architectures.sampler.strides[1]\" = 0", "must be 1 or 2"),
        (#""maxFlops":9"#, #""maxFlops":9,"maxWidth":4"#, "\"architectures.sampler.maxWidth\" = 4", "8…4096"),
        (#""maxFlops":9"#, #""maxFlops":9,"stemWidth":0"#, "\"architectures.sampler.stemWidth\" = 0", "1…4096"),
        (#""maxFlops":9"#, #""maxFlops":9,"strides":[]"#, "\"architectures.sampler.strides\"", "1…16 elements"),
        (#""minFlops":1"#, #""minFlops":100"#, "\"architectures.sampler.maxFlops\" = 9", "at least minFlops"),
        (#""count":3"#, #""count":-3"#, "\"architectures.count\" = -3", "3…10000"),
        (#""epochs":1"#, #""epochs":0"#, "\"training.epochs\" = 0", "1…10000"),
        (#""batchSize":8"#, #""batchSize":8,"baseLearningRate":-0.1"#, "\"training.baseLearningRate\"", "(0, 10]"),
        (#""batchSize":8"#, #""batchSize":8,"momentum":1.5"#, "\"training.momentum\"", "[0, 1)"),
        (#""batchSize":8"#, #""batchSize":8,"schedule":"linear""#, "\"training.schedule\"", "cos or steps"),
        (#""name":"digits""#, #""name":"digits","testCount":-1"#, "\"datasets[0].dataset.testCount\" = -1", "1…1796"),
        (#""name":"digits""#, #""name":"digits","downsample":3"#, "\"datasets[0].dataset.downsample\" = 3", "must divide"),
        (#""name":"digits""#, #""name":"digits","classSubset":11"#, "\"datasets[0].dataset.classSubset\" = 11", "2…10"),
        (#""name":"digits""#, #""name":"synthetic","synthetic":{"count":10,"size":0,"channels":1,"classes":2,"hidden":4,"seed":1}"#,
         "\"datasets[0].dataset.synthetic.size\" = 0", "1…64"),
        (#""seeds":[0]"#, #""seeds":[]"#, "\"seeds\"", "1…100 elements"),
        (#""seeds":[0]"#, #""seeds":[0],"quick":{"architectures":2}"#, "\"quick.architectures\" = 2", "3…3"),
        (#""seeds":[0]"#, #""seeds":[0],"sampler":{}"#, "unknown key \"sampler\"", "not a field"),
        (#""name":"digits""#, #""name":"digits","path":"/etc""#, "\"datasets[0].dataset.path\"", "only cifar10"),
    ]

    @Test(arguments: badStudies) func hostileStudyValueIsOneLineNamingTheField(_ from: String, _ to: String, _ field: String, _ rule: String) {
        #expect(Self.study.contains(from))
        let message = studyError(Self.study.replacingOccurrences(of: from, with: to))
        #expect(message.contains(field), "\(message)")
        #expect(message.contains(rule), "\(message)")
        #expect(message.hasSuffix(".json") == false)
        #expect(message.split(separator: "\n").allSatisfy { $0.contains(".json: ") }, "every line names the file: \(message)")
    }

    static let badRuns: [(String, String, String)] = [
        (#""width":16"#, #""width":0"#, "\"architecture.stages[0].width\" = 0"),
        (#""width":16"#, #""width":1000000000"#, "\"architecture.stages[0].width\" = 1000000000"),
        (#""depth":1"#, #""depth":0"#, "\"architecture.stages[0].depth\" = 0"),
        (#""stride":1"#, #""stride":0"#, "\"architecture.stages[0].stride\" = 0"),
        (#""groupWidth":8"#, #""groupWidth":0"#, "\"architecture.stages[0].groupWidth\" = 0"),
        (#""groupWidth":8"#, #""groupWidth":6"#, "must divide the bottleneck width"),
        (#""bottleneckMultiplier":1"#, #""bottleneckMultiplier":-1"#, "\"architecture.stages[0].bottleneckMultiplier\" = -1"),
        (#""bottleneckMultiplier":1"#, #""bottleneckMultiplier":0.001"#, "gives a bottleneck of 0 channels"),
        (#""stemWidth":8"#, #""stemWidth":0"#, "\"architecture.stemWidth\" = 0"),
        (#""classes":10"#, #""classes":3"#, "\"architecture.classes\" = 3"),
        (#"{"depth":1,"width":16,"stride":1,"bottleneckMultiplier":1,"groupWidth":8}"#, "", "\"architecture.stages\" = 0 elements"),
        (#""name":"digits""#, #""name":"digits","testCount":-5"#, "\"dataset.testCount\" = -5"),
        (#""batchSize":16"#, #""batchSize":16,"learningRate":1"#, "unknown key \"training.learningRate\""),
        (#""seed":0"#, #""seed":0,"seeds":[1]"#, "unknown key \"seeds\""),
        (#""epochs":1"#, #""epochs":-1"#, "\"training.epochs\" = -1"),
        (#""block":"res_bottleneck_block""#, #""block":"res_basic_block","seRatio":0.25"#, "needs block res_bottleneck_block"),
        (#""depth":1,"width":16"#, #""depth":64,"width":4096"#, "parameters"),
    ]

    @Test(arguments: badRuns) func hostileRunValueIsRefusedBeforeTraining(_ from: String, _ to: String, _ expected: String) {
        #expect(Self.run.contains(from))
        #expect(runError(Self.run) == "")
        let message = runError(Self.run.replacingOccurrences(of: from, with: to))
        #expect(message.contains(expected), "\(message)")
    }

    /// A library caller that builds a nonsense spec gets an error from the trainer, not a "completed" run.
    @Test func trainerRefusesNonsenseSpecs() throws {
        var spec = try RunSpec.load(path: temporary(Self.run))
        spec.architecture.stages[0].width = 0
        #expect(!spec.check().isEmpty)
        spec.architecture.stages = []
        #expect(spec.check().problems.contains { $0.contains("architecture.stages") })
    }

    @Test func pathComponents() {
        for good in ["default", "fashion-10", "a", "x.y_z-1", String(repeating: "a", count: 128)] { #expect(PathComponent.isValid(good), "\(good)") }
        for bad in ["", ".", "..", "../x", "a/b", "/abs", "a..b", ".hidden", "-x", "x-", "x.", "a b", "a\nb", "a\0b", "é",
                    String(repeating: "a", count: 129)] {
            #expect(!PathComponent.isValid(bad), "\(bad)")
        }
    }

    /// Writes stay inside the named directory: a symlinked subdirectory or file is refused, a symlinked --out is fine.
    @Test func containedDirectoryNeverWritesOutside() throws {
        let fm = FileManager.default
        let base = fm.temporaryDirectory.appendingPathComponent("contained-\(UUID().uuidString)").path
        defer { try? fm.removeItem(atPath: base) }
        let out = base + "/out", elsewhere = base + "/elsewhere"
        try fm.createDirectory(atPath: elsewhere, withIntermediateDirectories: true)
        let d = try ContainedDirectory(root: out, subdirectory: "study")
        try d.write("x", to: "t.md")
        #expect(fm.fileExists(atPath: out + "/study/t.md"))
        #expect(throws: (any Error).self) { try d.write("x", to: "../escape.md") }
        #expect(throws: (any Error).self) { try d.write("x", to: "") }
        #expect(throws: (any Error).self) { try ContainedDirectory(root: out, subdirectory: "..") }
        #expect(throws: (any Error).self) { try ContainedDirectory(root: out, subdirectory: "../elsewhere") }
        try fm.createSymbolicLink(atPath: out + "/linked", withDestinationPath: elsewhere)
        #expect(throws: (any Error).self) { try ContainedDirectory(root: out, subdirectory: "linked") }
        try fm.createSymbolicLink(atPath: out + "/study/trap.md", withDestinationPath: elsewhere + "/trap.md")
        #expect(throws: (any Error).self) { try d.write("x", to: "trap.md") }
        #expect(!fm.fileExists(atPath: elsewhere + "/trap.md"))
        // The user may name a symlink as --out: files go into its target.
        try fm.createSymbolicLink(atPath: base + "/outlink", withDestinationPath: elsewhere)
        try ContainedDirectory(root: base + "/outlink", subdirectory: "s").write("y", to: "u.md")
        #expect(fm.fileExists(atPath: elsewhere + "/s/u.md"))
    }
}
