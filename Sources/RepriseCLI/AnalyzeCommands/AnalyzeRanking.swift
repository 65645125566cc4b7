import Analyze
import Archive
import ArgumentParser
import Foundation
import Replay

struct AnalyzeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "analyze",
        abstract: "Recompute a seed paper's tables from the archive alone.",
        subcommands: [AnalyzeRanking.self]
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
        Example: reprise analyze ranking --dataset fashion-10 --bins 10,25,50,100
        """)
    @OptionGroup var location: ArchiveLocation
    @Option(help: "Study name or ID prefix (default: the archive's only study).") var study: String?
    @Option(help: "Dataset label (default: the study's reference).") var dataset: String?
    @Option(help: "Top-x% bins, comma-separated, 1…100.") var bins = "10,25,50,100"
    @Option(help: "Directory for the tables and the figure.") var out = "study-output"

    func run() throws {
        try reporting {
            let percents = bins.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
            guard !percents.isEmpty, percents.count == bins.split(separator: ",").count, percents.allSatisfy({ (1...100).contains($0) }) else {
                throw CommandLineError(message: "--bins must be comma-separated integers in 1…100 (got \(bins))")
            }
            let archive = try location.open()
            let record = try archive.study(named: study)
            let label = try dataset ?? record.spec.decode(StudySpec.self).reference
            let evidence = try RankingEvidence.collect(study: record, dataset: label, archive: archive)
            guard !evidence.methods.isEmpty else {
                throw CommandLineError(message: "no ranking runs for \(record.name) on \(label) in \(archive.root); run `reprise rank proxies --dataset \(label)` first")
            }
            let table = try RankingTable(study: record.name, dataset: label, groundTruth: evidence.groundTruth,
                                         methods: evidence.methods.map { .init(label: $0.label, scores: $0.scores, seconds: $0.seconds) },
                                         bins: percents)
            let directory = out + "/" + record.name
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            for (name, t) in [("ranking-spearman-\(label)", table.spearman), ("ranking-common-ratio-\(label)", table.commonRatio)] {
                for format in [ResultTable.Format.markdown, .csv, .latex, .json] {
                    try t.rendered(format).write(toFile: "\(directory)/\(name).\(format.rawValue)", atomically: true, encoding: .utf8)
                }
            }
            let csv = "method,seconds,spearman_all\n" + table.paretoPoints.map { "\"\($0.method)\",\($0.seconds),\($0.spearman)" }.joined(separator: "\n") + "\n"
            try csv.write(toFile: "\(directory)/ranking-pareto-\(label).csv", atomically: true, encoding: .utf8)
            try table.pareto.svg.write(toFile: "\(directory)/ranking-pareto-\(label).svg", atomically: true, encoding: .utf8)
            print(table.spearman.rendered(.text))
            print(table.commonRatio.rendered(.text))
            print("tables and figure in \(directory)/")
        }
    }
}
