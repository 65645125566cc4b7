import Analyze
import Archive
import ArgumentParser
import Foundation
import Replay

struct AnalyzeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "analyze",
        abstract: "Recompute a seed paper's tables from the archive or from a published table.",
        subcommands: [AnalyzeRanking.self, AnalyzeCorrelate.self, AnalyzeImprovement.self]
    )
}

struct AnalyzeRanking: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ranking",
        abstract: "How well each ranking method in the archive predicts a study's fully trained ranking (FEAR Table 1).",
        discussion: """
        Reads the study's completed runs (ground truth: mean test top-1 accuracy) and every ranking run on the same
        dataset and architectures (`reprise rank …`), and prints Spearman ρ and the common ratio in top-x% bins, the
        fraction of pairs ordered correctly, and each method's wall-clock cost. Writes ranking-spearman,
        ranking-common-ratio (.md .csv .tex .json), ranking-pareto.csv and ranking-pareto.svg to --out.
        When FEAR and a shortreg were both run, also simulates random search with each (FEAR with its early cut-off)
        from the archived costs: final accuracy and search time over --trials orders (seed 003, §4).
        Example: reprise analyze ranking --dataset fashion-10 --bins 10,25,50,100
        """)
    @OptionGroup var location: ArchiveLocation
    @Option(help: "Study name or ID prefix (default: the archive's only study).") var study: String?
    @Option(help: "Dataset label (default: the study's reference).") var dataset: String?
    @Option(help: "Top-x% bins, comma-separated, 1…100.") var bins = "10,25,50,100"
    @Option(help: "Directory for the tables and the figure.") var out = "study-output"
    @Option(help: "Random search: FEAR drops a candidate slower to threshold than this × the fastest so far.") var cutoff = 4.0
    @Option(help: "Random search: trials (each a different order of the architectures).") var trials = 10
    @Flag(help: "Leave out every wall-clock figure (seconds, search time), so that output can be compared byte for byte.")
    var deterministic = false

    /// The top-x% bins of --bins.
    var percents: [Int] { bins.split(separator: ",", omittingEmptySubsequences: false).compactMap { Int($0.trimmingCharacters(in: .whitespaces)) } }

    func validate() throws {
        let parts = bins.split(separator: ",", omittingEmptySubsequences: false)
        guard !parts.isEmpty, parts.count <= 100, percents.count == parts.count, percents.allSatisfy({ (1...100).contains($0) }) else {
            throw ValidationError("--bins \(bins): must be 1…100 comma-separated integers, each in 1…100 (top-x% of the architectures)")
        }
        try requireNumber(cutoff, "--cutoff", atLeast: 1, atMost: 1e6, "a multiple of the fastest time to threshold")
        try requireInteger(trials, "--trials", in: 1...100_000, "random-search orders")
        try requireOutputDirectory(out)
    }

    func run() throws {
        try reporting {
            let archive = try location.open()
            let result = try RankingAnalysis.compute(archive: archive, study: study, dataset: dataset, bins: percents,
                                                     cutoff: cutoff, trials: trials, deterministic: deterministic)
            // Study name and dataset label come from the archive: checked as path components, written inside --out only.
            let directory = try ContainedDirectory(root: out, subdirectory: result.study)
            for (name, analysis, table) in result.tables {
                let recorded = try archive.recordDerivation(of: table, analysis: analysis, parameters: result.parameters,
                                                            inputs: result.inputs, repriseVersion: RepriseVersion.string).table
                for format in [ResultTable.Format.markdown, .csv, .latex, .json] {
                    try directory.write(recorded.rendered(format), to: "\(name).\(format.rawValue)")
                }
                print(recorded.rendered(.text))
            }
            try directory.write(result.paretoCSV, to: "ranking-pareto-\(result.dataset).csv")
            try directory.write(result.paretoSVG, to: "ranking-pareto-\(result.dataset).svg")
            print("tables and figure in \(directory.path)/")
        }
    }
}

/// The ranking analysis behind `reprise analyze ranking` (and behind `derivation check` of its tables): tables by
/// file stem with their analysis names, the Pareto figure, the parameters and the input objects.
struct RankingAnalysis {
    var study: String
    var dataset: String
    var tables: [(name: String, analysis: String, table: ResultTable)] = []
    var paretoCSV = "", paretoSVG = ""
    var parameters: JSONValue = .null
    var inputs: [ObjectID] = []

    static func compute(archive: Archive, study: String?, dataset: String?, bins percents: [Int], cutoff: Double, trials: Int,
                        deterministic: Bool) throws -> RankingAnalysis {
        let record = try archive.study(named: study)
        let label = try dataset ?? record.spec.decode(StudySpec.self).reference
        let evidence = try RankingEvidence.collect(study: record, dataset: label, archive: archive)
        guard !evidence.methods.isEmpty else {
            throw CommandLineError(message: "no ranking runs for \(record.name) on \(label) in \(archive.root); run `reprise rank proxies --dataset \(label)` first")
        }
        var result = RankingAnalysis(study: record.name, dataset: label)
        result.parameters = .object(["study": .string(record.name), "dataset": .string(label), "bins": .array(percents.map { .integer(Int64($0)) }),
                                     "cutoff": .number(cutoff), "trials": .integer(Int64(trials)), "deterministic": .bool(deterministic)])
        result.inputs = try [archive.studyObject(of: record)].compactMap { $0 } + evidence.inputRuns.flatMap { try archive.provenanceObjects(of: $0) }
        let table = try RankingTable(study: record.name, dataset: label, groundTruth: evidence.groundTruth,
                                     methods: evidence.methods.map { .init(label: $0.label, scores: $0.scores, seconds: $0.seconds) },
                                     bins: percents, includeSeconds: !deterministic)
        result.tables = [("ranking-spearman-\(label)", "ranking/spearman", table.spearman),
                         ("ranking-common-ratio-\(label)", "ranking/common-ratio", table.commonRatio)]
        result.paretoCSV = "method,seconds,spearman_all\n" + table.paretoPoints.map { "\"\($0.method)\",\($0.seconds),\($0.spearman)" }.joined(separator: "\n") + "\n"
        result.paretoSVG = table.pareto.svg
        // The FEAR cut-off compares wall-clock times, so the simulation is left out of --deterministic output.
        if !deterministic, let fear = evidence.methods.first(where: { $0.label == "fear" }), fear.scores.contains(where: { $0 != nil }) {
            var rows: [[ResultTable.Cell]] = []
            for short in evidence.methods where short.label.hasPrefix("shortreg") {
                let search = try RandomSearchComparison(
                    groundTruth: evidence.groundTruth, fearScores: fear.scores, fearSeconds: fear.secondsPerArchitecture,
                    timeToThreshold: fear.timeToThreshold, shortregScores: short.scores, shortregSeconds: short.secondsPerArchitecture,
                    cutoff: cutoff, trials: trials, seed: 0)
                func mean(_ v: [Double]) -> Double { v.reduce(0, +) / Double(v.count) }
                func sd(_ v: [Double]) -> Double? {
                    v.count < 2 ? nil : (v.reduce(0) { $0 + ($1 - mean(v)) * ($1 - mean(v)) } / Double(v.count - 1)).squareRoot()
                }
                for (name, o) in [("RS-FEAR (cut-off \(cutoff)×)", search.fear), ("RS-" + short.label, search.shortreg)] {
                    rows.append([.text(name), .number(mean(o.finalAccuracies), digits: 2), .number(sd(o.finalAccuracies), digits: 2),
                                 .number(mean(o.searchSeconds), digits: 1), .number(sd(o.searchSeconds), digits: 1)])
                }
            }
            if !rows.isEmpty {
                let search = ResultTable(
                    title: "Random search on \(label): \(trials) trials over all \(evidence.architectures.count) architectures (FEAR §4)",
                    columns: ["search", "final acc. %", "± sd", "search seconds", "± sd"], rows: rows,
                    notes: ["Simulated from the archived runs' scores, ground truth and wall-clock seconds (Analyze/RandomSearch.swift)."])
                result.tables.append(("ranking-random-search-\(label)", "ranking/random-search", search))
            }
        }
        return result
    }
}
