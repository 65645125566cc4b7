import Archive
import ArgumentParser

struct Init: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Create an empty archive (or confirm an existing one).")
    @Argument(help: "Directory of the new archive.") var directory: String = "reprise-archive"

    func run() throws {
        try reporting {
            let archive = try Archive.create(at: directory)
            print("archive ready at \(archive.root)")
        }
    }
}
