import Archive
import ArgumentParser
import Foundation

struct CheckpointCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "checkpoint",
        abstract: "Move checkpoints between the archive and HDF5 files.",
        subcommands: [CheckpointExport.self, CheckpointImport.self]
    )
}

struct CheckpointExport: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Write a run's checkpoint as one HDF5 file (deterministic bytes; readable with h5py).",
        discussion: "Example: reprise checkpoint export 3fa9c2 --epoch 2 -o run.h5 && python3 scripts/h5py_read_checkpoint.py run.h5"
    )
    @OptionGroup var location: ArchiveLocation
    @Argument(help: .runName) var runName: String
    @Option(help: "Epoch of the checkpoint (default: the last one).") var epoch: Int?
    @Option(name: .shortAndLong, help: "Output file (HDF5); not a directory.") var output: String

    func validate() throws {
        if let epoch { try requireInteger(epoch, "--epoch", in: 1...10_000, "an epoch the run stored a checkpoint for") }
        try requireOutputFile(output)
    }

    func run() throws {
        try reporting {
            let archive = try location.open()
            let run = try archive.resolveRun(runName)
            guard let record = try archive.record(of: run), let last = record.checkpoints.last else {
                throw CommandLineError(message: "run \(run.short) has no checkpoints")
            }
            let entry: RunRecord.EpochCheckpoint
            if let epoch {
                guard let found = record.checkpoints.first(where: { $0.epoch == epoch }) else {
                    throw CommandLineError(message: "run \(run.short) has no checkpoint at epoch \(epoch); it has epochs \(record.checkpoints.map(\.epoch))")
                }
                entry = found
            } else { entry = last }
            let contents = try archive.checkpointContents(entry.checkpoint)
            try HDF5Checkpoint.write(contents, to: output)
            print("wrote \(output): \(contents.tensors.count) tensors, run \(run.short), epoch \(entry.epoch)")
        }
    }
}

struct CheckpointImport: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Store an HDF5 checkpoint's tensors; says whether it equals the archived checkpoint of that run and epoch."
    )
    @OptionGroup var location: ArchiveLocation
    @Argument(help: "HDF5 file written by `checkpoint export` (root attributes run_id, epoch, step).") var file: String

    func run() throws {
        try reporting {
            let archive = try location.openOrCreate()
            let contents = try HDF5Checkpoint.read(from: file)
            let id = try archive.importCheckpoint(contents)
            print("checkpoint \(id.hex) (\(contents.tensors.count) tensors, epoch \(contents.epoch))")
            if let run = ObjectID(hex: contents.runID), let record = try archive.record(of: run),
               let archived = record.checkpoints.first(where: { $0.epoch == contents.epoch }) {
                print(archived.checkpoint == id ? "identical to the archived checkpoint of run \(run.short)"
                                                : "differs from the archived checkpoint \(archived.checkpoint.short) of run \(run.short)")
            }
        }
    }
}
