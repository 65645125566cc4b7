import Archive
import Foundation
import FuzzSupport

/// A temporary archive that accepted checkpoints are imported into (created once per process).
let archive = try! Archive.create(at: Scratch.directory + "/archive")

/// `reprise checkpoint import`: HDF5Checkpoint.read of arbitrary bytes (through libhdf5), then importCheckpoint.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let path = Scratch.file("input.h5", FuzzInput(data, size).bytes)
    if let contents = try? HDF5Checkpoint.read(from: path) { _ = try? archive.importCheckpoint(contents) }
    return 0
}

@main enum FuzzHDF5Checkpoint { static func main() { runLibFuzzer(fuzz) } }
