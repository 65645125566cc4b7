import Foundation

/// Crash-safe file writes: a file either exists with all its bytes or does not exist at all.
///
/// Protocol (as git and restic do it): write to a unique temporary file in `tmp/` on the same file system, fsync it,
/// rename it over the final name (atomic on POSIX), then fsync the directory so the rename itself survives a power cut.
/// A crash at any point leaves at most a stray temporary file, which `reprise gc` removes.
enum DurableFile {
    /// Off only for throwaway archives built by benchmarks (`Archive.fsyncEnabled`): a crash may then lose writes.
    nonisolated(unsafe) static var fsyncEnabled = true

    static func write(_ bytes: UnsafeRawBufferPointer, to path: String, temporaryDirectory: String) throws {
        let temp = "\(temporaryDirectory)/\(ProcessInfo.processInfo.processIdentifier)-\(UInt64.random(in: 0...UInt64.max)).tmp"
        let fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o444)
        guard fd >= 0 else { throw ArchiveError.errno(temp, "create") }
        var written = 0
        while written < bytes.count {
            let n = Foundation.write(fd, bytes.baseAddress! + written, bytes.count - written)
            if n < 0 {
                if errno == EINTR { continue }
                let error = ArchiveError.errno(path, "write")
                close(fd); unlink(temp)
                throw error
            }
            written += n
        }
        if fsyncEnabled && fsync(fd) != 0 {
            let error = ArchiveError.errno(path, "fsync")
            close(fd); unlink(temp)
            throw error
        }
        close(fd)
        if rename(temp, path) != 0 {
            let error = ArchiveError.errno(path, "rename")
            unlink(temp)
            throw error
        }
        try syncDirectory((path as NSString).deletingLastPathComponent)
    }

    static func write(_ data: Data, to path: String, temporaryDirectory: String) throws {
        try data.withUnsafeBytes { try write($0, to: path, temporaryDirectory: temporaryDirectory) }
    }

    static func syncDirectory(_ path: String) throws {
        guard fsyncEnabled else { return }
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw ArchiveError.errno(path, "open directory") }
        defer { close(fd) }
        if fsync(fd) != 0 { throw ArchiveError.errno(path, "fsync directory") }
    }

    /// The whole file, or a clear error naming it.
    static func read(_ path: String) throws -> Data {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            if !FileManager.default.fileExists(atPath: path) {
                throw ArchiveError.io(path: path, operation: "read", reason: "no such file")
            }
            throw ArchiveError.io(path: path, operation: "read", reason: "permission denied or not a file")
        }
        defer { try? handle.close() }
        do { return try handle.readToEnd() ?? Data() } catch {
            throw ArchiveError.io(path: path, operation: "read", reason: "\(error)")
        }
    }
}
