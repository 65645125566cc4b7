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
        let pending = try PendingFile(in: temporaryDirectory, for: path)
        do { try pending.append(bytes) } catch { pending.discard(); throw error }
        try pending.commit(as: path)
    }

    static func write(_ data: Data, to path: String, temporaryDirectory: String) throws {
        try data.withUnsafeBytes { try write($0, to: path, temporaryDirectory: temporaryDirectory) }
    }

    /// A temporary file in `tmp/` that becomes `path` atomically and durably at `commit`, or vanishes at `discard`.
    /// Lets the object store write an object's bytes while its name (the SHA-256) is still being computed.
    struct PendingFile: @unchecked Sendable {
        let temporaryPath: String
        let finalPathForErrors: String
        let fd: Int32

        /// `path` names the file in errors; `extraFlags` are added to `open`'s (e.g. `O_DIRECT`).
        init(in temporaryDirectory: String, for path: String, extraFlags: Int32 = 0) throws {
            temporaryPath = "\(temporaryDirectory)/\(ProcessInfo.processInfo.processIdentifier)-\(UInt64.random(in: 0...UInt64.max)).tmp"
            finalPathForErrors = path
            fd = open(temporaryPath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | extraFlags, 0o444)
            guard fd >= 0 else { throw ArchiveError.errno(temporaryPath, "create") }
        }

        /// Writes all of `bytes` at the end of the file; throws (e.g. ENOSPC) naming the final path.
        func append(_ bytes: UnsafeRawBufferPointer) throws {
            try DurableFile.writeAll(fd, bytes, path: finalPathForErrors)
        }

        /// fsync, rename over `path` (atomic), fsync of `path`'s directory. On failure the temporary file is removed.
        func commit(as path: String) throws {
            if fsyncEnabled && fsync(fd) != 0 {
                let error = ArchiveError.errno(path, "fsync")
                discard()
                throw error
            }
            close(fd)
            if rename(temporaryPath, path) != 0 {
                let error = ArchiveError.errno(path, "rename")
                unlink(temporaryPath)
                throw error
            }
            try syncDirectory((path as NSString).deletingLastPathComponent)
        }

        func discard() {
            close(fd)
            unlink(temporaryPath)
        }
    }

    /// Writes all of `bytes` to `fd` in pieces of at most 8 MiB, retrying on EINTR; a failure (ENOSPC, EFBIG) throws
    /// naming `path`.
    static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, path: String) throws {
        var written = 0
        while written < bytes.count {
            let n = Foundation.write(fd, bytes.baseAddress! + written, min(bytes.count - written, 8 << 20))
            if n < 0 {
                if errno == EINTR { continue }
                throw ArchiveError.errno(path, "write")
            }
            written += n
        }
    }

    static func syncDirectory(_ path: String) throws {
        guard fsyncEnabled else { return }
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw ArchiveError.errno(path, "open directory") }
        defer { close(fd) }
        if fsync(fd) != 0 { throw ArchiveError.errno(path, "fsync directory") }
    }

    /// The whole file, or a clear error naming it: one `fstat`, then reads of up to 8 MiB straight into the result
    /// (Foundation's `FileHandle.readToEnd` reads 4 KiB at a time, which made a 16 MiB read-back cost 4,096 syscalls).
    ///
    /// Only regular files are read (opened with `O_NONBLOCK`, so a FIFO or device cannot hang the read). A file of
    /// the archive (`inArchive`: an object or a ref) is never followed through a symbolic link, and anything but a
    /// regular file there is damage (exit 1); a file the user named that does not exist or is not a regular file is
    /// bad input (exit 2).
    static func read(_ path: String, inArchive: Bool = false) throws -> Data {
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | (inArchive ? O_NOFOLLOW : 0))
        guard fd >= 0 else {
            if errno == ELOOP && inArchive { throw ArchiveError.damaged(path: path, reason: "a symbolic link; files of an archive are never links (run `reprise fsck`)") }
            if errno == ENOENT && !inArchive { throw ArchiveError.notFound("\(path): no such file") }
            let reason = errno == ENOENT ? "no such file" : String(cString: strerror(errno))
            throw ArchiveError.io(path: path, operation: "read", reason: reason)
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw ArchiveError.errno(path, "stat") }
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            let kind = (info.st_mode & S_IFMT) == S_IFDIR ? "a directory" : "not a regular file"
            if inArchive { throw ArchiveError.damaged(path: path, reason: "\(kind) where the archive keeps a file (run `reprise fsck`)") }
            throw ArchiveError.malformed(path: path, reason: "\(kind); expected a file")
        }
        var data = Data(count: Int(info.st_size))
        let got = try data.withUnsafeMutableBytes { try readFully(fd, into: $0, path: path) }
        // A file that grew between fstat and read is read to its end; one that shrank is returned as it now is.
        if got < data.count { data.count = got }
        if got == data.count {
            var extra = [UInt8](repeating: 0, count: 1 << 16)
            while true {
                let n = extra.withUnsafeMutableBytes { Foundation.read(fd, $0.baseAddress!, $0.count) }
                if n < 0 && errno == EINTR { continue }
                if n < 0 { throw ArchiveError.errno(path, "read") }
                if n == 0 { break }
                data.append(contentsOf: extra[0..<n])
            }
        }
        return data
    }

    /// Reads until `buffer` is full or the file ends; returns the bytes read.
    static func readFully(_ fd: Int32, into buffer: UnsafeMutableRawBufferPointer, path: String) throws -> Int {
        var done = 0
        while done < buffer.count {
            let n = Foundation.read(fd, buffer.baseAddress! + done, min(buffer.count - done, 8 << 20))
            if n < 0 {
                if errno == EINTR { continue }
                throw ArchiveError.errno(path, "read")
            }
            if n == 0 { break }
            done += n
        }
        return done
    }

    /// The entry names of a directory (without `.` and `..`), in readdir order; nil when it does not exist. Any other
    /// failure — not a directory, no permission, an I/O error while reading — throws: a listing that failed must never
    /// look empty.
    static func listDirectory(_ path: String) throws -> [String]? {
        guard let dir = opendir(path) else {
            if errno == ENOENT { return nil }
            throw ArchiveError.errno(path, "list directory")
        }
        defer { closedir(dir) }
        var names: [String] = []
        while true {
            errno = 0
            guard let entry = readdir(dir) else {
                if errno != 0 { throw ArchiveError.errno(path, "list directory") }
                return names
            }
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
    }
}
