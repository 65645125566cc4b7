import Archive
import ArgumentParser
import Foundation
import Replay

/// `--archive DIR`, shared by every command that reads or writes an archive.
struct ArchiveLocation: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("Archive directory (default: $REPRISE_ARCHIVE, else ./reprise-archive).", valueName: "dir"))
    var archive: String?

    var path: String { archive ?? ProcessInfo.processInfo.environment["REPRISE_ARCHIVE"] ?? "reprise-archive" }

    func open() throws -> Archive { try Archive.open(at: path) }
    func openOrCreate() throws -> Archive { try Archive.openOrCreate(at: path) }
}

extension ArgumentHelp {
    /// The one help text of a run argument (`Archive.resolveRun`: a full ID or a unique prefix of ≥ 4 hex digits).
    static let runName = ArgumentHelp("Run ID, or a unique prefix of at least 4 hex digits (see `reprise ls`).", valueName: "run")
}

/// Exit codes scripts can rely on.
enum Exit {
    static let checkFailed = ExitCode(1)
    static let badInput = ExitCode(2)
    static let ioError = ExitCode(3)
}

/// Runs a command body, turning library errors into one line on stderr and the documented exit code.
func reporting(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let error as ExitCode {
        throw error
    } catch let error as CleanExit {
        throw error
    } catch {
        throw exitStatus(reporting: error)
    }
}

/// Prints `error` as one line on stderr and returns its exit status: 1 a check failed (damage found, a conflict),
/// 2 bad input or usage, 3 an I/O or internal error. The one mapping every command and the argument parser share.
func exitStatus(reporting error: Error) -> ExitCode {
    switch error {
    case let error as ExitCode:
        return error
    case let error as ArchiveError:
        printError(error.description)
        switch error {
        case .io: return Exit.ioError
        case .corruptObject, .missingObject, .conflict, .damaged: return Exit.checkFailed
        default: return Exit.badInput
        }
    case let error as CustomStringConvertible where error is StudyError || error is DatasetError || error is ReplayError:
        printError(error.description)
        return Exit.badInput
    case let error as CommandLineError:
        printError(error.message)
        return Exit.badInput
    default:
        printError("\(error)")
        return Exit.ioError
    }
}

/// A user-facing error with its exit code.
struct CommandLineError: Error {
    var message: String
}

func printError(_ message: String) {
    writeStandardError("reprise: error: " + message + "\n")
}

/// Writes to stderr with write(2), ignoring failure: a closed or full stderr must not turn an error report into a
/// crash (FileHandle.write traps when the write fails).
func writeStandardError(_ text: String) {
    let bytes = Array(text.utf8)
    var offset = 0
    while offset < bytes.count {
        let n = bytes.withUnsafeBytes { write(2, $0.baseAddress! + offset, $0.count - offset) }
        if n > 0 { offset += n } else if n < 0 && errno == EINTR { continue } else { return }
    }
}

/// Flushes stdout and reports a failed write (a full disk, a closed pipe's EPIPE) as an I/O error: output that did
/// not reach its destination must not exit 0.
func standardOutputFailure() -> ExitCode? {
    errno = 0
    let flushed = fflush(stdout) == 0
    let flushError = errno
    if flushed && ferror(stdout) == 0 { return nil }
    // The errno of the failed flush; an earlier failed write leaves only the stream's error flag (errno is long gone).
    let reason = flushed || flushError == 0 ? "an earlier write to it failed" : String(cString: strerror(flushError))
    printError("standard output: write failed: \(reason)")
    return Exit.ioError
}

/// A one-line progress display on stderr (only when stderr is a terminal): done/total, rate and ETA.
final class ProgressLine {
    let label: String
    let total: Int
    let start = Date()
    var lastDraw = Date.distantPast
    let enabled = isatty(2) != 0

    init(_ label: String, total: Int) { self.label = label; self.total = total }

    func update(_ done: Int, detail: String = "") {
        guard enabled, Date().timeIntervalSince(lastDraw) > 0.1 || done == total else { return }
        lastDraw = Date()
        let elapsed = Date().timeIntervalSince(start)
        let eta = done > 0 ? elapsed / Double(done) * Double(total - done) : 0
        let width = 24, filled = total > 0 ? width * done / total : width
        let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: width - filled)
        let line = String(format: "\r%@ %@ %d/%d  %.0fs elapsed, ETA %.0fs %@", label, bar, done, total, elapsed, eta, detail)
        writeStandardError(line + "\u{1B}[K")
    }

    func finish() { if enabled { writeStandardError("\n") } }
}

/// Pads cells into aligned columns (numbers right-aligned).
func alignedTable(_ header: [String], _ rows: [[String]]) -> String {
    var widths = header.map(\.count)
    for row in rows { for (i, cell) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], cell.count) } }
    func line(_ cells: [String]) -> String {
        cells.enumerated().map { i, cell in
            let pad = String(repeating: " ", count: widths[i] - cell.count)
            return Double(cell) != nil ? pad + cell : cell + pad
        }.joined(separator: "  ")
    }
    return ([line(header), widths.map { String(repeating: "-", count: $0) }.joined(separator: "  ")] + rows.map(line))
        .joined(separator: "\n")
}
