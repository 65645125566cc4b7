import Analyze
@testable import Archive
import Foundation
import XCTest

/// A made-up study stored in a temporary archive, from scripts/golden/study_appendix.py's inputs.
final class GoldenStudy {
    let path: String
    let archive: Archive
    let study: StudyRecord
    let expected: [String: Any]

    init() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("golden/study_appendix.json")
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
        expected = json["expected"] as! [String: Any]
        path = FileManager.default.temporaryDirectory.appendingPathComponent("reprise-appendix-\(UUID().uuidString)").path
        archive = try Archive.create(at: path)
        let specs = try (json["architectures"] as! [Any]).map { try JSONValue.parse(JSONSerialization.data(withJSONObject: $0)) }
        let datasets = json["datasets"] as! [String], seeds = (json["seeds"] as! [Int]).map(Int64.init)
        var metrics: [String: [String: Double]] = [:]
        for case let run as [String: Any] in json["runs"] as! [Any] {
            metrics["\(run["architecture"]!)/\(run["dataset"]!)/\(run["seed"]!)"] =
                ["test_top1_error": run["top1"] as! Double, "test_top5_error": run["top5"] as! Double]
        }
        var pairs: [StudyRecord.Pair] = []
        for (a, spec) in specs.enumerated() {
            for dataset in datasets {
                for seed in seeds {
                    let manifest = RunManifest(architecture: spec, dataset: .object(["name": .string(dataset)]),
                                               datasetDigest: String(repeating: "0", count: 64), training: .object([:]), seed: seed,
                                               repriseVersion: "test", kernelVersion: "test")
                    let run = try archive.putManifest(manifest)
                    if let m = metrics["\(a)/\(dataset)/\(seed)"] { try archive.commit(RunRecord(run: run, status: .completed, metrics: m)) }
                    pairs.append(.init(architecture: a, dataset: dataset, seed: seed, run: run))
                }
            }
        }
        study = StudyRecord(name: "golden", spec: .object(["name": .string("golden")]), reference: datasets[0], family: [datasets[0]],
                            datasets: datasets.map { .init(label: $0, classes: 10, trainImages: 0, testImages: 0, digest: String(repeating: "0", count: 64)) },
                            architectures: specs.enumerated().map { .init(index: $0, spec: $1, cumulativeDepth: 0, cumulativeWidth: 0, flops: 0, params: 0) },
                            pairs: pairs)
        try archive.putStudy(study)
    }
    deinit { try? FileManager.default.removeItem(atPath: path) }

    var tables: StudyTables { get throws { StudyTables(errors: try StudyErrors(study: study, archive: archive)) } }
}

/// The unrounded value of a numeric cell.
private func value(_ cell: ResultTable.Cell) -> Double? {
    switch cell {
    case .number(let v, _): return v
    case .integer(let i): return Double(i)
    case .text: return nil
    }
}

private func assertClose(_ actual: Double?, _ expected: Any?, _ what: String, file: StaticString = #filePath, line: UInt = #line) {
    guard let e = expected as? Double else { XCTAssertNil(actual, what, file: file, line: line); return }
    guard let a = actual else { XCTFail("\(what): missing, expected \(e)", file: file, line: line); return }
    XCTAssertLessThanOrEqual(abs(a - e), 1e-9 * max(1, abs(e)), "\(what): \(a) vs \(e)", file: file, line: line)
}

final class StudyAppendixTests: XCTestCase {
    func testAscendingSubpopulationsMatchNumpy() throws {
        let golden = try GoldenStudy()
        let table = try golden.tables.monotoneSubpopulations
        let expected = golden.expected["appD"] as! [[String: Any]]
        XCTAssertEqual(table.rows.count, expected.count)
        for (row, e) in zip(table.rows, expected) {
            XCTAssertEqual(row[0], .text(e["dataset"] as! String))
            XCTAssertEqual(row[1], .text(e["population"] as! String))
            XCTAssertEqual(value(row[2]), Double(e["n"] as! Int))
            assertClose(value(row[3]), e["median"], "median \(e)")
            assertClose(value(row[4]), e["mean"], "mean \(e)")
            assertClose(value(row[5]), e["below"], "fraction below \(e)")
        }
        XCTAssertEqual(try golden.tables.ecdfPlots.map(\.name), ["ecdf-alpha.svg", "ecdf-beta.svg"])
    }

    func testTrainingNoiseMatchesNumpy() throws {
        let golden = try GoldenStudy()
        let table = try golden.tables.trainingNoise
        for (row, e) in zip(table.rows, golden.expected["appB3"] as! [[String: Any]]) {
            XCTAssertEqual(row[0], .text(e["dataset"] as! String))
            XCTAssertEqual(value(row[1]), Double(e["architectures"] as! Int))
            for (column, key) in [(2, "within"), (3, "between"), (4, "ratio"), (5, "share"), (6, "q25"), (7, "q50"), (8, "q75")] {
                assertClose(value(row[column]), e[key], "\(key) on \(e["dataset"]!)")
            }
        }
    }

    func testTopOneVersusTopFiveMatchesScipy() throws {
        let golden = try GoldenStudy()
        let table = try golden.tables.topOneVersusTopFive
        for (row, e) in zip(table.rows, golden.expected["appB4"] as! [[String: Any]]) {
            XCTAssertEqual(value(row[2]), Double(e["n"] as! Int))
            assertClose(value(row[3]), e["rho"], "ρ")
            assertClose(value(row[4]), e["tau"], "τ-b")
            XCTAssertEqual(value(row[5]), Double(e["discordant"] as! Int))
            XCTAssertEqual(row[7], .text("no"))
        }
    }

    func testOneSeedLeavesTrainingNoiseMissingWithAReason() throws {
        let golden = try GoldenStudy()
        var oneSeed = golden.study
        oneSeed.pairs = oneSeed.pairs.filter { $0.seed == 0 }
        let table = StudyTables(errors: try StudyErrors(study: oneSeed, archive: golden.archive)).trainingNoise
        XCTAssertTrue(table.rows.allSatisfy { value($0[2]) == nil && value($0[3]) == nil })
        XCTAssertTrue(table.notes.contains { $0.contains("need ≥ 2 seeds per architecture; this study has 1") }, "\(table.notes)")
        XCTAssertTrue(table.rows.allSatisfy { value($0[7]) != nil }, "quartiles need one seed only")
    }
}

final class DerivationTests: XCTestCase {
    func testEveryStudyTableIsRecordedWithItsInputsAndFooter() throws {
        let golden = try GoldenStudy()
        let recorded = try golden.tables.recordedTables(in: golden.archive, repriseVersion: "test")
        let derivations = try golden.archive.derivations()
        XCTAssertEqual(Set(derivations.map(\.record.analysis)), Set(recorded.map { "study/\($0.name)" }))
        for (id, record) in derivations {
            // inputs: the study plan and the manifest of every run that has a record (60 of 72 pairs; no logs here)
            XCTAssertEqual(record.inputObjects.count, 61)
            let table = try ResultTable(archivedForm: golden.archive.getJSON(JSONValue.self, ObjectID(hex: record.result)!))
            let printed = recorded.first { "study/\($0.name)" == record.analysis }!.table
            XCTAssertEqual(printed.notes.last, "derivation \(id.short) (reprise derivation show \(id.short))")
            XCTAssertEqual(table.text, ResultTable(title: printed.title, columns: printed.columns, rows: printed.rows,
                                                   notes: Array(printed.notes.dropLast())).text)
        }
        // Regenerating gives the same derivation IDs (no wall-clock field, canonical JSON).
        _ = try golden.tables.recordedTables(in: golden.archive, repriseVersion: "test")
        XCTAssertEqual(try golden.archive.derivations().map(\.id), derivations.map(\.id))
        // gc keeps the recorded tables and their inputs (it removes only the 12 manifests of runs never committed); fsck is clean.
        let gc = try golden.archive.garbageCollect(gracePeriod: 0)
        XCTAssertEqual(gc.removed, 12)
        for (_, record) in derivations {
            XCTAssertNoThrow(try golden.archive.getJSON(JSONValue.self, ObjectID(hex: record.result)!))
            for hex in record.inputObjects { XCTAssertNoThrow(try golden.archive.getJSON(JSONValue.self, ObjectID(hex: hex)!)) }
        }
        XCTAssertTrue(golden.archive.fsck().isClean)
    }

    func testAChangedRunChangesTheRecomputedTableAndIsNamed() throws {
        let golden = try GoldenStudy()
        let before = try golden.tables.topOneVersusTopFive
        let pair = golden.study.pairs.first { (try? golden.archive.record(of: $0.run)) != nil }!
        try golden.archive.forgeRecord(RunRecord(run: pair.run, status: .completed, metrics: ["test_top1_error": 99, "test_top5_error": 0]))
        let after = try golden.tables.topOneVersusTopFive
        let differences = after.differences(from: before)
        XCTAssertFalse(differences.isEmpty)
        XCTAssertTrue(differences[0].hasPrefix("row 1 (alpha), ρ:"), "\(differences)")
    }

    func testADerivationNamingAMissingInputIsRefused() throws {
        let golden = try GoldenStudy()
        let table = ResultTable(title: "t", columns: ["a"], rows: [[.integer(1)]])
        let result = try golden.archive.putJSON(table.archivedForm)
        let missing = ObjectID(hex: String(repeating: "ab", count: 32))!
        XCTAssertThrowsError(try golden.archive.putDerivation(DerivationRecord(analysis: "x/y", parameters: .null, inputObjects: [missing],
                                                                              repriseVersion: "test", result: result)))
    }

    func testArchivedFormKeepsPrintedCellsAndMissingValues() throws {
        let table = ResultTable(title: "T", columns: ["name", "ρ"], rows: [[.text("a"), .number(0.12345, digits: 3)], [.text("b"), .number(nil, digits: 3)]],
                                notes: ["n"])
        let back = try ResultTable(archivedForm: JSONValue.parse(table.archivedForm.canonicalData))
        XCTAssertEqual(back.text, table.text)
        XCTAssertEqual(back.csv, table.csv)
        XCTAssertThrowsError(try ResultTable(archivedForm: .object(["title": .string("t")])))
    }
}

final class ScatterMatrixTests: XCTestCase {
    /// a and b rise together (ρ = 1), c is constant (ρ undefined), one observation of b is missing.
    func testPanelsPointsAndCoefficients() {
        let m = ScatterMatrix(title: "t", names: ["a", "b", "c"],
                              values: [[1, 2, 3, 4], [10, 20, nil, 40], [5, 5, 5, 5]])
        let svg = m.svg
        func count(_ s: String) -> Int { svg.components(separatedBy: s).count - 1 }
        XCTAssertEqual(count("<rect x="), 9, "3 × 3 panels")
        // points: (a,b) and (b,a): 3 each; (a,c), (c,a): 4 each; (b,c), (c,b): 3 each → 20
        XCTAssertEqual(count("<circle"), 20)
        XCTAssertEqual(count(">ρ 1.00<"), 2)
        XCTAssertEqual(count(">ρ —<"), 4)
        XCTAssertTrue(svg.contains(">n = 3<") && svg.contains(">n = 4<"))
    }
}
