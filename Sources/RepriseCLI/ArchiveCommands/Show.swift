import Archive
import ArgumentParser
import Foundation

struct Show: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show a run's manifest, status, checkpoints and final metrics.")
    @OptionGroup var location: ArchiveLocation
    @Argument(help: .runName) var runName: String

    func run() throws {
        try reporting {
            let archive = try location.open()
            let id = try archive.resolveRun(runName)
            let manifest = try archive.manifest(id)
            guard let record = try archive.record(of: id) else { throw ArchiveError.unknownRun(runName) }
            print("run        \(id.hex)")
            print("status     \(record.status.rawValue)\(record.reason.map { " (\($0))" } ?? "")")
            print("manifest   \(String(decoding: try manifest.canonicalBytes(), as: UTF8.self))")
            for (name, value) in record.metrics.sorted(by: { $0.key < $1.key }) { print("metric     \(name) = \(value)") }
            for entry in record.checkpoints { print("checkpoint epoch \(entry.epoch): \(entry.checkpoint.hex)") }
            if let log = record.evalLog { print("eval log   \(log.hex)") }
        }
    }
}
