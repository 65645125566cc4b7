import Foundation

/// Names that become file or directory names (study names, dataset labels, table names, output file names):
/// one validator for all of them, and a directory writer that never writes outside the directory the user named.
///
/// A valid name matches `[A-Za-z0-9]([A-Za-z0-9._-]{0,126}[A-Za-z0-9])?` and contains no "..": no "/", no NUL or
/// newline, not empty, not "." or "..", never hidden, never absolute, so `out + "/" + name` is always a child of
/// `out`; it ends with a letter or digit so that names joined into file names ("scatter-a-vs-b.svg") stay valid.
public enum PathComponent {
    public static let rule = "must be 1…128 of A-Z a-z 0-9 . _ -, start and end with a letter or digit, and not contain \"..\" (it becomes a file name)"

    /// Why `name` cannot be a path component, or nil when it can. `maxLength` is 128 for names in specs and up to 255
    /// (the file-system limit) for file names made from them.
    public static func problem(_ name: String, maxLength: Int = 128) -> String? {
        let bytes = Array(name.utf8)
        func alphanumeric(_ b: UInt8) -> Bool { (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) }
        func allowed(_ b: UInt8) -> Bool { alphanumeric(b) || b == 0x2E || b == 0x5F || b == 0x2D }
        guard let first = bytes.first, let last = bytes.last else { return "must not be empty; " + rule }
        guard alphanumeric(first), alphanumeric(last), bytes.count <= maxLength, bytes.allSatisfy(allowed), !name.contains("..") else {
            return maxLength == 128 ? rule : rule.replacingOccurrences(of: "1…128", with: "1…\(maxLength)")
        }
        return nil
    }

    public static func isValid(_ name: String) -> Bool { problem(name) == nil }
}

/// A directory the user named (`--out`) and a checked subdirectory inside it, into which files are written only by
/// name. Every write resolves the final path (symlinks included) and refuses it unless it lies inside the named
/// directory; an existing symlink in place of a file or of the subdirectory is refused rather than followed.
public struct ContainedDirectory: Sendable {
    /// The directory as the user named it.
    public let root: String
    /// `root/sub` as given (for messages).
    public let path: String
    /// Real path of `root` (symlinks resolved once, when created).
    let realRoot: String

    /// Creates `root` (if needed) and `root/subdirectory` (if needed); `subdirectory` must be a `PathComponent`.
    public init(root: String, subdirectory: String) throws {
        guard !root.isEmpty, !root.contains("\0") else { throw ArchiveError.unsafePath(SpecCheck.quote(root)) }
        if let problem = PathComponent.problem(subdirectory) {
            throw ArchiveError.malformed(path: root, reason: "output name \(SpecCheck.quote(subdirectory)) \(problem)")
        }
        let fm = FileManager.default
        do { try fm.createDirectory(atPath: root, withIntermediateDirectories: true) } catch {
            throw ArchiveError.io(path: root, operation: "create directory", reason: error.localizedDescription)
        }
        guard let real = Self.realPath(root) else { throw ArchiveError.io(path: root, operation: "resolve", reason: "no such directory") }
        self.root = root
        self.realRoot = real
        self.path = root.hasSuffix("/") ? root + subdirectory : root + "/" + subdirectory
        let sub = real == "/" ? "/" + subdirectory : real + "/" + subdirectory
        if Self.isSymlink(sub) { throw ArchiveError.unsafePath(path + " (a symbolic link; remove it or choose another --out)") }
        do { try fm.createDirectory(atPath: sub, withIntermediateDirectories: false) } catch where fm.fileExists(atPath: sub) {
        } catch {
            throw ArchiveError.io(path: path, operation: "create directory", reason: error.localizedDescription)
        }
        guard let realSub = Self.realPath(sub), Self.isInside(realSub, realRoot) else { throw ArchiveError.unsafePath(path) }
    }

    /// Writes `text` to the file `name` in the subdirectory (atomically); returns the path written.
    @discardableResult
    public func write(_ text: String, to name: String) throws -> String {
        if let problem = PathComponent.problem(name, maxLength: 255) {
            throw ArchiveError.malformed(path: path, reason: "output file name \(SpecCheck.quote(name)) \(problem)")
        }
        let file = path + "/" + name
        guard let realDirectory = Self.realPath(path), Self.isInside(realDirectory, realRoot) else { throw ArchiveError.unsafePath(path) }
        let target = realDirectory + "/" + name
        if Self.isSymlink(target) { throw ArchiveError.unsafePath(file + " (a symbolic link; remove it)") }
        do { try text.write(toFile: target, atomically: true, encoding: .utf8) } catch {
            throw ArchiveError.io(path: file, operation: "write", reason: error.localizedDescription)
        }
        return file
    }

    static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    static func isSymlink(_ path: String) -> Bool {
        var st = stat()
        return lstat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFLNK
    }

    static func isInside(_ path: String, _ root: String) -> Bool {
        path == root || path.hasPrefix(root == "/" ? "/" : root + "/")
    }
}
