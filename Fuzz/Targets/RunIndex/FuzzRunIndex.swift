@testable import Archive
import Foundation
import FuzzSupport

/// A temporary archive (no runs) whose index files each input replaces (created once per process).
let archive = try! Archive.create(at: Scratch.directory + "/archive")

/// The run index as read from disk: the input's first part is the snapshot `index/runs`, its second the journal
/// `index/journal` (FuzzInput.twoParts). Reads them through `indexedRuns` (snapshot header, lines, journal offset,
/// journal lines) and `queryRuns` (the byte-level row filter and metric lookup), and parses the snapshot's lines
/// directly too, since a snapshot that fails its header check never reaches the line parser.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let (snapshot, journal) = FuzzInput(data, size).twoParts
    // Create the archive (a lazy global) before writing into its folder: an archive is made only in an empty one.
    let index = archive.root + "/index"
    try? FileManager.default.createDirectory(atPath: index, withIntermediateDirectories: true)
    try! Data(snapshot).write(to: URL(fileURLWithPath: index + "/runs"))
    try! Data(journal).write(to: URL(fileURLWithPath: index + "/journal"))
    unlink(index + "/checked")
    _ = try? archive.indexedRuns()
    let accuracy = RunIndexRow.Key("test_top1_error")
    _ = try? archive.queryRuns { row in _ = row.metric(accuracy); return row.kindIs(.init("train")) }
    let lines = Data(snapshot)
    if let newline = lines.firstIndex(of: 0x0A) { _ = RunIndexFile.parseLines(lines, from: newline + 1) }
    return 0
}

@main enum FuzzRunIndex { static func main() { runLibFuzzer(fuzz) } }
