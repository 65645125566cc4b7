import Archive
import ArgumentParser
import Foundation

// Checks for numeric and path options, called from the commands' `validate()`: a bad value is refused before any
// work starts, with one line naming the option, the value and the allowed range (ArgumentParser exits 2 with usage).

func requireInteger(_ value: Int, _ option: String, in range: ClosedRange<Int>, _ meaning: String = "") throws {
    guard !range.contains(value) else { return }
    throw ValidationError("\(option) \(value): must be an integer in \(range.lowerBound)…\(range.upperBound)" + (meaning.isEmpty ? "" : " (\(meaning))"))
}

/// A finite number with `above < value ≤ atMost` (or `≥ atLeast` when given instead of `above`).
func requireNumber(_ value: Double, _ option: String, above: Double? = nil, atLeast: Double? = nil, atMost: Double, _ meaning: String = "") throws {
    let lowOK = above.map { value > $0 } ?? atLeast.map { value >= $0 } ?? true
    guard !(value.isFinite && lowOK && value <= atMost) else { return }
    let low = above.map { "(\(SpecCheck.show($0))" } ?? atLeast.map { "[\(SpecCheck.show($0))" } ?? "(-∞"
    throw ValidationError("\(option) \(value): must be a finite number in \(low), \(SpecCheck.show(atMost))]" + (meaning.isEmpty ? "" : " (\(meaning))"))
}

/// An output file option: the file the user named, written exactly there, so it must be a file name (not empty, no
/// NUL or newline, not an existing directory, not ending in "/").
func requireOutputFile(_ path: String, option: String = "--output") throws {
    var isDirectory: ObjCBool = false
    guard !path.isEmpty, !path.contains("\0"), !path.contains("\n"), !path.hasSuffix("/"),
          !(FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue) else {
        throw ValidationError("\(option) \(SpecCheck.quote(path)): must name a file to write (not empty, not a directory, no NUL or newline)")
    }
}

/// An output directory option: not empty, no NUL or newline, not an existing file (the files go in checked
/// subdirectories of it, see ContainedDirectory).
func requireOutputDirectory(_ path: String, option: String = "--out") throws {
    var isDirectory: ObjCBool = false
    guard !path.isEmpty, !path.contains("\0"), !path.contains("\n"),
          !FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) || isDirectory.boolValue else {
        throw ValidationError("\(option) \(SpecCheck.quote(path)): must name a directory (not empty, not an existing file, no NUL or newline)")
    }
}

/// Tables and figures never go inside the archive (its folders hold only what FORMAT.md lists; fsck would report them).
func refuseOutputInsideArchive(_ out: String, _ archive: String) throws {
    func resolved(_ path: String) -> String {
        var p = (path as NSString).standardizingPath
        if !p.hasPrefix("/") { p = FileManager.default.currentDirectoryPath + "/" + p }
        // Resolve the longest existing prefix (symlinks included); the rest is appended as written.
        var head = p, tail: [String] = []
        while realpath(head, nil) == nil && head != "/" && !head.isEmpty {
            tail.insert((head as NSString).lastPathComponent, at: 0)
            head = (head as NSString).deletingLastPathComponent
        }
        guard let r = realpath(head, nil) else { return p }
        defer { free(r) }
        return ([String(cString: r)] + tail).joined(separator: "/").replacingOccurrences(of: "//", with: "/")
    }
    let o = resolved(out), a = resolved(archive)
    if o == a || o.hasPrefix(a + "/") {
        throw CommandLineError(message: "--out \(out): inside the archive \(archive); write tables and figures elsewhere (e.g. --out study-output)")
    }
}
