import Foundation

/// Writing a file the user named with `-o` (CSV exports, bundles): never a partial file in its place, never a device
/// or a link replaced by a regular file, and errors that say which of bad input (exit 2) or I/O (exit 3) they are.
///
/// - An empty path, or a path naming a directory, is bad input; so is a path whose folder does not exist.
/// - A symbolic link is followed: the file it points to is written (a dangling link creates its target).
/// - A FIFO or a character device (`/dev/stdout`, a pipe) is written through, in order, with no temporary file.
/// - A regular file, or no file yet: the bytes go to a temporary file in the same folder, fsynced, then renamed over
///   the path; a failure (a full disk) removes the temporary file and leaves any earlier file as it was.
public enum OutputFile {
    public static func write(_ data: Data, to path: String) throws {
        try data.withUnsafeBytes { try write($0, to: path) }
    }

    public static func write(_ bytes: UnsafeRawBufferPointer, to path: String) throws {
        let target = try destination(path)
        if target.throughDevice {
            let fd = open(target.path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOCTTY, 0o644)
            guard fd >= 0 else { throw ArchiveError.errno(target.path, "open for writing") }
            defer { close(fd) }
            try DurableFile.writeAll(fd, bytes, path: target.path)
            return
        }
        let folder = (target.path as NSString).deletingLastPathComponent
        let name = (target.path as NSString).lastPathComponent
        let temporary = "\(folder.isEmpty ? "." : folder)/.\(name).\(getpid())-\(UInt32.random(in: 0...UInt32.max)).tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw ArchiveError.errno(target.path, "create (temporary file \(temporary))") }
        do {
            try DurableFile.writeAll(fd, bytes, path: target.path)
            if fsync(fd) != 0 { throw ArchiveError.errno(target.path, "fsync") }
            close(fd)
            if rename(temporary, target.path) != 0 { throw ArchiveError.errno(target.path, "rename") }
        } catch {
            close(fd)
            unlink(temporary)
            throw error
        }
    }

    /// Where the bytes go and how: checks the path as described above.
    public static func destination(_ path: String) throws -> (path: String, throughDevice: Bool) {
        guard !path.isEmpty else { throw ArchiveError.notFound("output path is empty: name a file, e.g. -o out.csv") }
        var info = stat()
        if lstat(path, &info) == 0 {
            switch info.st_mode & S_IFMT {
            case S_IFDIR:
                throw ArchiveError.malformed(path: path, reason: "is a directory; name a file inside it")
            case S_IFLNK:
                guard let resolved = realpath(path, nil) else {
                    return (path, true)   // a dangling link: opening it creates its target
                }
                defer { free(resolved) }
                let target = String(cString: resolved)
                return try destination(target)
            case S_IFREG:
                break
            default:
                return (path, true)
            }
        } else if errno != ENOENT {
            throw ArchiveError.errno(path, "stat")
        }
        let folder = (path as NSString).deletingLastPathComponent
        var folderInfo = stat()
        if !folder.isEmpty && (stat(folder, &folderInfo) != 0 || (folderInfo.st_mode & S_IFMT) != S_IFDIR) {
            throw ArchiveError.notFound("\(path): folder \(folder) does not exist")
        }
        return (path, false)
    }
}
