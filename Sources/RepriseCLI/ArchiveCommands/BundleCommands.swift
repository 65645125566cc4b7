import Archive
import ArgumentParser
import Foundation

struct BundleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bundle",
        abstract: "Move runs with all their objects between archives.",
        subcommands: [BundleExport.self, BundleImport.self]
    )
}

struct BundleExport: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "export", abstract: "Write selected runs (or all) into one bundle file.")
    @OptionGroup var location: ArchiveLocation
    @Argument(help: "Run IDs or prefixes (default: every run).") var runs: [String] = []
    @Option(name: .shortAndLong, help: "Bundle file to write.") var output: String

    func run() throws {
        try reporting {
            let archive = try location.open()
            let ids = runs.isEmpty ? try archive.runIDs() : try runs.map(archive.resolveRun)
            let count = try Bundle.export(runs: ids, from: archive, to: output)
            print("wrote \(output): \(ids.count) runs, \(count) objects")
        }
    }
}

struct BundleImport: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import a bundle: every digest is verified before anything is stored; unsafe names are refused.",
        discussion: """
        All or nothing, with the rule of `reprise archive merge`: a run only in the bundle is added; a run unfinished
        here that the bundle carries further is advanced; a bundle's unfinished copy never replaces a run that went
        further here; the same run with different results is a conflict (exit 1, both versions named, nothing changed).
        """
    )
    @OptionGroup var location: ArchiveLocation
    @Argument(help: "Bundle file.") var file: String

    func run() throws {
        try reporting {
            // An import that is refused must not leave a new, empty archive behind.
            let fm = FileManager.default
            let existed = fm.fileExists(atPath: location.path + "/FORMAT"), folderExisted = fm.fileExists(atPath: location.path)
            let archive = try location.openOrCreate()
            let result = Result { try Bundle.import(from: file, into: archive) }
            if case .failure = result, !existed {
                // The folder was new or empty (Archive.create refuses any other): remove what create made.
                if !folderExisted { try? fm.removeItem(atPath: archive.root) } else {
                    for entry in (try? fm.contentsOfDirectory(atPath: archive.root)) ?? [] { try? fm.removeItem(atPath: archive.root + "/" + entry) }
                }
            }
            let report = try result.get()
            print("imported \(report.runs) runs (\(report.unchanged) unchanged), \(report.tables) tables: \(report.objects) objects verified, \(report.newObjects) new")
        }
    }
}
