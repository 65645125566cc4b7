import Archive
import Foundation
import FuzzSupport

/// The records the archive decodes from its objects (Archive.getJSON: JSONDecoder on the object's bytes): run manifest,
/// run record, checkpoint record, study record; then what is computed from a decoded manifest (its canonical bytes and
/// run ID) and record.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = FuzzInput(data, size).data
    let decoder = JSONDecoder()
    if let manifest = try? decoder.decode(RunManifest.self, from: bytes) { _ = try? manifest.runID() }
    if let record = try? decoder.decode(RunRecord.self, from: bytes) {
        _ = record.referencedObjects
        _ = try? JSONValue.canonicalBytes(of: record.deterministicPart)
    }
    if let checkpoint = try? decoder.decode(CheckpointRecord.self, from: bytes) { _ = checkpoint.tensors.map(\.elementCount) }
    if let study = try? decoder.decode(StudyRecord.self, from: bytes) { _ = try? JSONValue.canonicalBytes(of: study) }
    return 0
}

@main enum FuzzManifest { static func main() { runLibFuzzer(fuzz) } }
