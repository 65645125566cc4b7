import Analyze
import Archive
import ArgumentParser
import Foundation

struct DerivationCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "derivation",
        abstract: "Trace a regenerated table to what it was computed from, and recompute it.",
        discussion: """
        Every table that `study run`, `study analyze` and `analyze ranking` write is recorded in the archive as a
        derivation: the analysis, its parameters, the objects it read (run records, study plan), the Reprise version
        and the table as printed. The table's footer names it ("derivation 1a2b3c4d5e6f").
        Example: reprise derivation check 1a2b3c4d5e6f
        """,
        subcommands: [DerivationList.self, DerivationShow.self, DerivationCheck.self])
}

struct DerivationList: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ls", abstract: "Every derivation: ID, analysis, parameters, inputs.")
    @OptionGroup var location: ArchiveLocation

    func run() throws {
        try reporting {
            let archive = try location.open()
            let rows = try archive.derivations().map { id, record in
                [id.short, record.analysis, record.parameters.canonicalString, String(record.inputObjects.count), record.repriseVersion]
            }
            print(alignedTable(["derivation", "analysis", "parameters", "inputs", "version"], rows))
        }
    }
}

struct DerivationShow: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "A derivation's record and its table as recorded.")
    @OptionGroup var location: ArchiveLocation
    @Argument(help: "Derivation ID (a unique prefix of at least 4 hex digits).") var id: String
    @Flag(help: "List every input object (default: the first 10).") var allInputs = false

    func run() throws {
        try reporting {
            let archive = try location.open()
            let (full, record) = try archive.resolveDerivation(id)
            print("derivation \(full.hex)")
            print("analysis   \(record.analysis)")
            print("parameters \(record.parameters.canonicalString)")
            print("version    reprise \(record.repriseVersion)")
            print("inputs     \(record.inputObjects.count) objects (run records, study plan, published tables)")
            for hex in allInputs ? record.inputObjects : Array(record.inputObjects.prefix(10)) { print("  \(hex)") }
            if !allInputs && record.inputObjects.count > 10 { print("  … \(record.inputObjects.count - 10) more (--all-inputs)") }
            guard let resultID = ObjectID(hex: record.result) else { throw CommandLineError(message: "derivation \(full.short): result is not an object ID") }
            print("")
            print(try ResultTable(archivedForm: archive.getJSON(JSONValue.self, resultID)).text)
        }
    }
}

struct DerivationCheck: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Recompute a derivation's table from the archive now and compare it with the recorded one.",
        discussion: "Exit 0: the same table (digest match); 1: it differs (cells listed) or its inputs changed; 2: not recomputable.")
    @OptionGroup var location: ArchiveLocation
    @Argument(help: "Derivation ID (a unique prefix of at least 4 hex digits).") var id: String

    func run() throws {
        try reporting {
            let archive = try location.open()
            let (full, record) = try archive.resolveDerivation(id)
            let (table, inputs) = try Self.recompute(record, archive: archive)
            let recordedTable = try ResultTable(archivedForm: archive.getJSON(JSONValue.self, ObjectID(hex: record.result) ?? full))
            let now = ObjectID(of: table.archivedForm.canonicalData)
            let currentInputs = Set(inputs.map(\.hex)), recordedInputs = Set(record.inputObjects)
            if currentInputs != recordedInputs {
                print("inputs changed since derivation \(full.short): \(recordedInputs.subtracting(currentInputs).count) recorded objects no longer read, \(currentInputs.subtracting(recordedInputs).count) new")
            }
            if now.hex == record.result && currentInputs == recordedInputs {
                print("reproduced: \(record.analysis) recomputed from the archive gives the recorded table (\(now.short))")
                return
            }
            if now.hex == record.result {
                print("same table (\(now.short)) from changed inputs")
            } else {
                print("differs: \(record.analysis) recomputed gives \(now.short), recorded \(String(record.result.prefix(12)))")
                for line in table.differences(from: recordedTable) { print("  " + line) }
            }
            if record.repriseVersion != RepriseVersion.string { print("recorded by reprise \(record.repriseVersion); this is \(RepriseVersion.string)") }
            throw Exit.checkFailed
        }
    }

    /// The table an analysis gives now, and the objects it read.
    static func recompute(_ record: DerivationRecord, archive: Archive) throws -> (ResultTable, [ObjectID]) {
        let parts = record.analysis.split(separator: "/", maxSplits: 1).map(String.init)
        guard parts.count == 2 else { throw CommandLineError(message: "unknown analysis \"\(record.analysis)\"") }
        let p = record.parameters
        switch parts[0] {
        case "study":
            let study = try archive.study(named: p["study"]?.stringValue)
            let errors = try StudyErrors(study: study, archive: archive)
            let tables = StudyTables(errors: errors)
            guard let table = tables.tables.first(where: { $0.name == parts[1] })?.table else {
                throw CommandLineError(message: "this version of reprise has no study table \"\(parts[1])\"")
            }
            let inputs = try [archive.studyObject(of: study)].compactMap { $0 } + errors.inputRuns.flatMap { try archive.provenanceObjects(of: $0) }
            return (table, inputs)
        case "ranking":
            guard case .array(let binValues)? = p["bins"], let cutoff = p["cutoff"]?.doubleValue, let trials = p["trials"]?.doubleValue,
                  case .bool(let deterministic)? = p["deterministic"] else {
                throw CommandLineError(message: "derivation parameters lack bins, cutoff, trials or deterministic: \(p.canonicalString)")
            }
            let result = try RankingAnalysis.compute(archive: archive, study: p["study"]?.stringValue, dataset: p["dataset"]?.stringValue,
                                                     bins: binValues.compactMap { $0.doubleValue.map { Int($0) } }, cutoff: cutoff,
                                                     trials: Int(trials), deterministic: deterministic)
            guard let table = result.tables.first(where: { $0.analysis == record.analysis })?.table else {
                throw CommandLineError(message: "\(record.analysis) is no longer produced for these runs")
            }
            return (table, result.inputs)
        case "published":
            guard let hex = p["table"]?.stringValue, let object = ObjectID(hex: hex) else {
                throw CommandLineError(message: "derivation parameters name no table: \(p.canonicalString)")
            }
            let t = try archive.getJSON(PublishedTable.self, object)
            func names(_ key: String) -> [String] { if case .array(let a)? = p[key] { return a.compactMap(\.stringValue) } else { return [] } }
            switch parts[1] {
            case "correlate":
                guard let reference = p["reference"]?.stringValue, let space = p["space"]?.stringValue.flatMap(ColumnCorrelations.Space.init(rawValue:)),
                      case .bool(let percent)? = p["percent"] else { throw CommandLineError(message: "derivation parameters incomplete: \(p.canonicalString)") }
                return (try AnalyzeCorrelate.compute(PublishedInput.columns(of: t, wanted: names("columns")), source: PublishedInput.source(of: t),
                                                     reference: reference, space: space, percent: percent, minReference: p["minReference"]?.doubleValue), [object])
            case "improvement":
                guard let x = p["x"]?.stringValue, let y = p["y"]?.stringValue, let baseline = p["baseline"]?.stringValue else {
                    throw CommandLineError(message: "derivation parameters incomplete: \(p.canonicalString)")
                }
                return (try AnalyzeImprovement.compute(PublishedInput.columns(of: t, wanted: [x, y]), source: PublishedInput.source(of: t), baseline: baseline), [object])
            default:
                throw CommandLineError(message: "unknown analysis \"\(record.analysis)\"")
            }
        default:
            throw CommandLineError(message: "unknown analysis \"\(record.analysis)\"")
        }
    }
}
