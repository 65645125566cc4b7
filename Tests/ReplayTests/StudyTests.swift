import Analyze
@testable import Archive
import Foundation
import Kernels
import Replay
import Testing
import TestSupport

/// A tiny study on digits: 3 architectures × (digits, its 5- and 2-class subsets, a 2-class synthetic set), 1 epoch;
/// d2 and syn get their own longer recipes (exercising per-dataset training) so that their errors are not all at chance.
func tinyStudySpec(count: Int = 3) throws -> StudySpec {
    let json = """
    {"name": "tiny", "architectures": {"count": \(count), "seed": 5, "sampler": {"inputSize": 8, "inputChannels": 1, "classes": 10,
       "stemWidth": 8, "strides": [1, 2], "maxDepth": 2, "maxWidth": 32, "minFlops": 10000, "maxFlops": 400000}},
     "training": {"epochs": 1, "batchSize": 64},
     "datasets": [{"label": "d10", "dataset": {"name": "digits"}},
                  {"label": "d5", "dataset": {"name": "digits", "classSubset": 5}},
                  {"label": "d2", "training": {"epochs": 4, "batchSize": 16}, "dataset": {"name": "digits", "classSubset": 2}},
                  {"label": "syn", "training": {"epochs": 6, "batchSize": 16}, "dataset": {"name": "synthetic", "testCount": 100,
                     "synthetic": {"count": 400, "size": 8, "channels": 1, "classes": 2, "hidden": 16, "seed": 1}}}],
     "reference": "d10", "family": ["d10", "d5", "d2"], "seeds": [0], "quick": {"architectures": 3, "epochs": 1}}
    """
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("study-\(UUID().uuidString).json").path
    try json.write(toFile: path, atomically: true, encoding: .utf8)
    defer { try? FileManager.default.removeItem(atPath: path) }
    return try StudySpec.load(path: path)
}

@Suite(.serialized) struct StudyTests {
    /// Spec files: a typo'd key, a missing required key and an inconsistent family are each refused with the key named.
    @Test func specErrorsNameTheProblem() throws {
        func load(_ text: String) -> String {
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("bad-\(UUID().uuidString).json").path
            try? text.write(toFile: path, atomically: true, encoding: .utf8)
            defer { try? FileManager.default.removeItem(atPath: path) }
            do { _ = try StudySpec.load(path: path); return "" } catch { return "\(error)" }
        }
        let good = #"{"name":"x","architectures":{"count":3,"seed":1,"sampler":{"inputSize":8,"inputChannels":1,"classes":10,"minFlops":1,"maxFlops":9}},"training":{"epochs":1,"batchSize":8},"datasets":[{"label":"a","dataset":{"name":"digits"}}],"reference":"a","family":["a"],"seeds":[0]}"#
        #expect(load(good) == "")
        #expect(load(good.replacingOccurrences(of: "\"batchSize\"", with: "\"batchsize\"")).contains("batchSize"))
        #expect(load(good.replacingOccurrences(of: "\"batchSize\":8", with: "\"batchSize\":8,\"preciseBatchNormSamples\":0")) == "")
        #expect(load(good.replacingOccurrences(of: "\"seeds\":[0]", with: "\"seeds\":[0],\"sedes\":1")).contains(#"unknown key "sedes""#))
        #expect(load(good.replacingOccurrences(of: "\"family\":[\"a\"]", with: "\"family\":[\"b\"]")).contains("family member \"b\""))
        #expect(load(good.replacingOccurrences(of: "\"name\":\"digits\"", with: "\"name\":\"mnist\"")).contains(#"field "datasets[0].dataset.name" = "mnist": must be digits"#))
    }

    /// Shards are disjoint and together cover every pair; planning twice gives the identical record.
    @Test func planIsDeterministicAndShardsPartition() throws {
        let spec = try tinyStudySpec()
        let a = try StudyPlan(spec: spec), b = try StudyPlan(spec: spec)
        #expect(a.record == b.record)
        #expect(a.record.pairs.count == 12)
        let shards = (1...3).map { a.shard($0, of: 3) }
        #expect(shards.flatMap { $0 }.sorted() == Array(0..<12))
        #expect(Set(shards[0]).isDisjoint(with: shards[1]))
        #expect(a.record.datasets.map(\.classes) == [10, 5, 2, 2])
    }

    /// The study end to end: two shards trained into two archives and merged equal one archive that trained everything
    /// (same run records, bit for bit); running again trains nothing; the tables regenerate identically from the archive.
    @Test func shardsMergeIntoTheFullStudy() throws {
        let plan = try StudyPlan(spec: try tinyStudySpec())
        let full = try TemporaryArchive(), first = try TemporaryArchive(), second = try TemporaryArchive()
        let all = try StudyRunner(plan: plan, archive: full.archive, workers: Workers(2)).run(concurrentRuns: 2)
        #expect(all.trained == 12)
        _ = try StudyRunner(plan: plan, archive: first.archive, workers: Workers(1)).run(positions: plan.shard(1, of: 2))
        _ = try StudyRunner(plan: plan, archive: second.archive, workers: Workers(1)).run(positions: plan.shard(2, of: 2))
        let report = try first.archive.merge(from: second.archive)
        #expect(report.runsAdded == 6)
        for pair in plan.record.pairs {
            #expect(try first.archive.record(of: pair.run)?.deterministicPart == full.archive.record(of: pair.run)?.deterministicPart)
        }
        let again = try StudyRunner(plan: plan, archive: first.archive, workers: Workers(2)).run()
        #expect(again.trained == 0 && again.alreadyDone == 12)

        let fromFull = StudyTables(errors: try StudyErrors(study: try full.archive.study(named: "tiny"), archive: full.archive))
        let fromMerged = StudyTables(errors: try StudyErrors(study: try first.archive.study(named: nil), archive: first.archive))
        #expect(fromFull.errors.completed == 12)
        for ((_, x), (_, y)) in zip(fromFull.tables, fromMerged.tables) { #expect(x.csv == y.csv) }
        #expect(fromFull.scatterPlots.map(\.svg) == fromMerged.scatterPlots.map(\.svg))

        // Table 3: syn (2 classes) is compared with d2, the member with the same class count; its ρ is spearman's on the
        // paired errors (the statistic itself is tested against scipy in AnalyzeTests).
        #expect(fromFull.closestMember(to: "syn") == "d2")
        let (x, y) = fromFull.errors.paired("syn", "d2")
        let row = fromFull.referenceComparison.rows[0]
        #expect(row[3] == .text("d2"))
        #expect(row[4] == .number(try spearman(x, y).coefficient, digits: 3))
    }

    /// A run whose results differ between two archives (a determinism failure) is a conflict: merge names it and
    /// changes nothing.
    @Test func mergeReportsConflicts() throws {
        let plan = try StudyPlan(spec: try tinyStudySpec())
        let a = try TemporaryArchive(), b = try TemporaryArchive()
        _ = try StudyRunner(plan: plan, archive: a.archive, workers: Workers(2)).run(positions: [0])
        _ = try StudyRunner(plan: plan, archive: b.archive, workers: Workers(2)).run(positions: [0])
        let run = plan.record.pairs[0].run
        var forged = try #require(try b.archive.record(of: run))
        forged.metrics["test_top1_error"] = 1.5
        try b.archive.forgeRecord(forged)
        let before = try a.archive.record(of: run)
        do {
            _ = try a.archive.merge(from: b.archive)
            Issue.record("expected a conflict")
        } catch let ArchiveError.conflict(message) {
            #expect(message.contains(run.hex) && message.contains("1 conflict"))
        }
        #expect(try a.archive.record(of: run) == before)
    }

    /// The quick variant is its own study with fewer architectures and shorter recipes.
    @Test func quickVariant() throws {
        let quick = try tinyStudySpec(count: 5).quickVariant()
        #expect(quick.name == "tiny-quick" && quick.architectures.count == 3 && quick.training.epochs == 1)
    }
}
