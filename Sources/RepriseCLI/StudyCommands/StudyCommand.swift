import Analyze
import Archive
import ArgumentParser
import Foundation
import Kernels
import Replay

struct StudyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "study",
        abstract: "Run an architecture study (sample, train on many datasets, archive) and regenerate its tables.",
        discussion: """
        A study spec (JSON, see fixtures/studies/README.md) names a design space, datasets (a reference, its class-subset
        family, targets), a recipe and seeds. `study run` trains every (architecture, dataset, seed) pair not yet in the
        archive, then writes the tables and figures; `study analyze` rewrites them from the archive alone.
        Example: reprise study run fixtures/studies/default.json
        """,
        subcommands: [StudyRun.self, StudyAnalyze.self, StudyList.self]
    )
}

/// "i/n" with 1 ≤ i ≤ n.
struct Shard: ExpressibleByArgument {
    var index: Int, count: Int
    init?(argument: String) {
        let parts = argument.split(separator: "/").compactMap { Int($0) }
        guard parts.count == 2, parts[1] >= 1, (1...parts[1]).contains(parts[0]) else { return nil }
        index = parts[0]; count = parts[1]
    }
}

struct StudyRun: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Train every pair of a study not yet in the archive, then write its tables and figures.",
        discussion: """
        Resumable: run it again and finished runs are skipped; a run interrupted by Ctrl-C or a kill resumes from its last
        epoch, bitwise identical to an uninterrupted one. With --shard i/n this machine trains only the pairs at positions
        p with p mod n = i−1; merge the archives afterwards with `reprise archive merge`.
        Output: <out>/<study>/ holds errors, correlation-matrix, table3-…, table4-… as .md .csv .tex .json, and SVG scatter
        plots. The headline table (Table 3 analogue) is printed.
        """
    )
    @Argument(help: "Study spec (JSON).") var spec: String
    @OptionGroup var location: ArchiveLocation
    @Flag(help: "Run the spec's smaller \"quick\" variant (a separate study, named <name>-quick).") var quick = false
    @Option(help: "Train only shard i of n (e.g. 1/2); tables are written from whatever the archive holds.") var shard: Shard?
    @Option(help: "Directory for tables and figures.") var out = "study-output"
    @OptionGroup var threadOptions: ThreadOptions
    var threads: Int { threadOptions.threads }
    @Option(help: "Runs trained at once, sharing the threads (default: one per thread; small models train faster side by side).")
    var concurrentRuns: Int?

    func validate() throws {
        if let concurrentRuns { try requireInteger(concurrentRuns, "--concurrent-runs", in: 1...1024, "runs trained at once") }
        try requireOutputDirectory(out)
    }

    func run() throws {
        try reporting {
            var study = try StudySpec.load(path: spec)
            if quick { study = try study.quickVariant() }
            try refuseOutputInsideArchive(out, location.path)
            let archive = try location.openOrCreate()
            let start = Date()
            let plan = try StudyPlan(spec: study) { writeStandardError("\($0)\n") }
            let positions = shard.map { plan.shard($0.index, of: $0.count) }
            let runner = StudyRunner(plan: plan, archive: archive, workers: Workers(threads))
            let display = StudyProgress(plan: plan)
            runner.willTrain = display.willTrain
            runner.didTrain = display.didTrain
            runner.stepProgress = display.step
            let summary = try runner.run(positions: positions, concurrentRuns: concurrentRuns)
            display.finish()
            let elapsed = Date().timeIntervalSince(start)
            print(String(format: "study %@: %d pairs%@; trained %d, resumed %d, already in the archive %d, diverged %d; %.1f s",
                         study.name, positions?.count ?? plan.runs.count, shard.map { " (shard \($0.index)/\($0.count))" } ?? "",
                         summary.trained, summary.resumed, summary.alreadyDone, summary.diverged, elapsed))
            try writeTables(study: plan.record, archive: archive, out: out)
        }
    }
}

struct StudyAnalyze: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "analyze",
        abstract: "Rewrite a study's tables and figures from the archive alone (no training, no dataset files).",
        discussion: "Example: reprise study analyze default --out study-output   (the study's name or ID prefix; optional when the archive holds one study)"
    )
    @Argument(help: "Study name or study-ID prefix (default: the archive's only study).") var study: String?
    @OptionGroup var location: ArchiveLocation
    @Option(help: "Directory for tables and figures.") var out = "study-output"

    func validate() throws { try requireOutputDirectory(out) }

    func run() throws {
        try reporting {
            try refuseOutputInsideArchive(out, location.path)
            let archive = try location.open()
            try writeTables(study: try archive.study(named: study), archive: archive, out: out)
        }
    }
}

struct StudyList: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ls", abstract: "List the studies in an archive with their progress.")
    @OptionGroup var location: ArchiveLocation

    func run() throws {
        try reporting {
            let archive = try location.open()
            var rows: [[String]] = []
            for (id, study) in try archive.studies() {
                let errors = try StudyErrors(study: study, archive: archive)
                rows.append([id.short, study.name, String(study.architectures.count), String(study.datasets.count),
                             "\(errors.completed)/\(study.pairs.count)", String(errors.diverged)])
            }
            print(alignedTable(["study", "name", "architectures", "datasets", "completed", "diverged"], rows))
        }
    }
}

/// Writes every table and figure under out/<study name>/ and prints the headline tables.
func writeTables(study: StudyRecord, archive: Archive, out: String) throws {
    // The study's name and labels come from a spec or an archive: they become file names only if they are path
    // components, and every file is written through ContainedDirectory, so nothing lands outside --out.
    let directory = try ContainedDirectory(root: out, subdirectory: study.name)
    let tables = StudyTables(errors: try StudyErrors(study: study, archive: archive))
    let recorded = try tables.recordedTables(in: archive, repriseVersion: RepriseVersion.string)
    var files: [String] = []
    for (name, table) in recorded {
        for format in [ResultTable.Format.markdown, .csv, .latex, .json] {
            files.append(try directory.write(table.rendered(format), to: "\(name).\(format.rawValue)"))
        }
    }
    for (name, svg) in tables.scatterPlots + tables.ecdfPlots { files.append(try directory.write(svg, to: name)) }
    print("")
    for name in ["table3-reference-vs-closest-member", "table4-depth-width"] {
        if let table = recorded.first(where: { $0.name == name })?.table { print(table.text) }
    }
    print("\(files.count) files in \(directory.path)/ (tables as .md .csv .tex .json, scatter plots and eCDFs as .svg);"
          + " each table's derivation is recorded in the archive (reprise derivation ls)")
}

/// Study progress on stderr: a rewriting line on a terminal (runs done/total, the runs in progress, ETA from the
/// planned cost), one line per finished run otherwise (logs, CI).
final class StudyProgress {
    let plan: StudyPlan
    let start = Date()
    let tty = isatty(2) != 0
    var started: [Int: Date] = [:]
    var finished = 0, total = 0
    var costDone = 0.0
    var lastDraw = Date.distantPast

    init(plan: StudyPlan) { self.plan = plan }

    func name(_ p: Int) -> String {
        let pair = plan.record.pairs[p]
        return "arch \(pair.architecture) on \(pair.dataset)" + (plan.spec.seeds.count > 1 ? " seed \(pair.seed)" : "")
    }

    var eta: String {
        let elapsed = Date().timeIntervalSince(start)
        guard costDone > 0.02 else { return "ETA …" }
        return String(format: "ETA %.0fs", elapsed / costDone * (1 - costDone))
    }

    func willTrain(pair: Int, startedBefore: Int, total: Int, costDone: Double) {
        started[pair] = Date()
        self.total = total
        draw(force: true)
    }

    func didTrain(pair: Int, record: RunRecord, costDone: Double) {
        finished += 1
        self.costDone = costDone
        let seconds = started.removeValue(forKey: pair).map { Date().timeIntervalSince($0) } ?? 0
        if !tty {
            let result = record.metrics["test_top1_error"].map { String(format: "test error %.2f%%", $0) } ?? record.status.rawValue
            writeStandardError(String(format: "[%d/%d] %@: %@, %.1fs; %@\n", finished, total, name(pair), result, seconds, eta))
        }
        draw(force: true)
    }

    func step(pair: Int, epoch: Int, step: Int, steps: Int) { draw(force: false) }

    func draw(force: Bool) {
        guard tty, force || Date().timeIntervalSince(lastDraw) > 0.2 else { return }
        lastDraw = Date()
        let running = started.keys.sorted().map(name).joined(separator: ", ")
        let line = String(format: "\rruns %d/%d  %.0fs elapsed, %@  [%@]", finished, total, Date().timeIntervalSince(start), eta, running)
        writeStandardError(line + "\u{1B}[K")
    }

    func finish() { if tty { writeStandardError("\n") } }
}
