import Foundation

/// Writes a large raw object to a temporary file with `O_DIRECT` while its SHA-256 is computed, and reads every piece
/// back from the device to compare it with what was hashed — three activities on three threads, so an object costs
/// about the slowest of them instead of their sum.
///
/// Why `O_DIRECT`: a buffered write copies every byte into freshly allocated page-cache pages; on this project's
/// virtual machine that copy alone ran at 250–400 MiB/s (first touch of guest memory), four times slower than hashing,
/// while `O_DIRECT` writes plus fsync ran at ~2 GiB/s. It also makes the read-back a read of what the device holds,
/// not of the page cache.
///
/// Layout of the work (file = 16-byte header + payload, split into `chunkSize` pieces):
///  - calling thread: SHA-256 of the payload;
///  - writer thread: for each piece, copy header/payload bytes into a 4 KiB-aligned staging buffer (the last piece
///    zero-padded to a 4 KiB multiple), `pwrite` it, signal the piece; finally `ftruncate` to the exact length;
///  - verifier thread: for each signalled piece, `pread` it with `O_DIRECT` and `memcmp` it against the same bytes.
///
/// `write` returns nil when the file system refuses `O_DIRECT` (e.g. tmpfs), and the caller falls back to a buffered
/// write. Errors name the object's final directory; the temporary file is removed on any failure.
public enum DirectObjectWrite {
    public static let chunkSize = 4 << 20

    /// Linux's `O_DIRECT` (hidden behind `_GNU_SOURCE` in Glibc's headers, so not imported): 0o40000 on x86-64,
    /// 0o200000 on ARM. Elsewhere there is none and every object takes the buffered path.
    #if os(Linux) && (arch(arm64) || arch(arm))
    public static let directFlag: Int32? = 0o200000
    #elseif os(Linux)
    public static let directFlag: Int32? = 0o40000
    #else
    public static let directFlag: Int32? = nil
    #endif
    public static let alignment = 4096

    enum Outcome {
        /// The temporary file, complete and verified but neither fsynced nor renamed, with the payload's ID.
        case written(ObjectID, DurableFile.PendingFile)
        /// Writing or verifying failed (temporary file removed); errors name `description`, for the caller to rename
        /// after the object's final path now that its ID is known.
        case failed(ObjectID, Error)
        /// `O_DIRECT` is not available here: use the buffered path.
        case unsupported
    }

    static func write(header: [UInt8], payload: UnsafeRawBufferPointer, temporaryDirectory: String,
                      describedAs description: String) -> Outcome {
        // Any failure to open with O_DIRECT falls back to the buffered path, which reports real errors (EACCES, ENOSPC).
        guard let directFlag,
              let pending = try? DurableFile.PendingFile(in: temporaryDirectory, for: description, extraFlags: directFlag) else {
            return .unsupported
        }
        let readFD = open(pending.temporaryPath, O_RDONLY | directFlag | O_CLOEXEC)
        guard readFD >= 0 else {
            pending.discard()
            return .unsupported
        }
        defer { close(readFD) }

        let total = header.count + payload.count
        let pieces = (total + chunkSize - 1) / chunkSize
        let state = SharedState(pieces: pieces)
        nonisolated(unsafe) let payload = payload

        let writer = Thread {
            defer { state.writerDone.signal() }
            let staging = AlignedBuffers.take()
            defer { AlignedBuffers.give(staging) }
            for k in 0..<pieces {
                if state.failed { break }
                let (lo, hi) = (k * chunkSize, min((k + 1) * chunkSize, total))
                compose(header: header, payload: payload, range: lo..<hi, into: staging)
                let padded = (hi - lo + alignment - 1) / alignment * alignment
                memset(staging.baseAddress! + (hi - lo), 0, padded - (hi - lo))
                var done = 0
                while done < padded {
                    let n = pwrite(pending.fd, staging.baseAddress! + done, padded - done, off_t(lo + done))
                    if n < 0 && errno == EINTR { continue }
                    if n <= 0 {
                        // EINVAL on the first piece: this file system takes O_DIRECT at open but not for writes.
                        state.fail(k == 0 && done == 0 && errno == EINVAL ? .unsupported
                                   : .error(ArchiveError.errno(description, "write")))
                        break
                    }
                    done += n
                }
                state.pieceWritten[k].signal()
            }
            if !state.failed && ftruncate(pending.fd, off_t(total)) != 0 {
                state.fail(.error(ArchiveError.errno(description, "truncate")))
            }
        }
        let verifier = Thread {
            defer { state.verifierDone.signal() }
            let back = AlignedBuffers.take()
            defer { AlignedBuffers.give(back) }
            for k in 0..<pieces {
                state.pieceWritten[k].wait()
                if state.failed { break }
                let (lo, hi) = (k * chunkSize, min((k + 1) * chunkSize, total))
                let padded = (hi - lo + alignment - 1) / alignment * alignment
                var got = 0
                while got < hi - lo {
                    let n = pread(readFD, back.baseAddress! + got, padded - got, off_t(lo + got))
                    if n < 0 && errno == EINTR { continue }
                    if n < 0 { state.fail(.error(ArchiveError.errno(description, "read back"))); return }
                    if n == 0 { break }
                    got += n
                }
                guard got >= hi - lo, matches(header: header, payload: payload, range: lo..<hi, stored: back) else {
                    state.fail(.error(ArchiveError.corruptObject(path: description,
                                                                 reason: "read-back after write differs from what was written")))
                    return
                }
            }
        }
        writer.start()
        verifier.start()
        let id = ObjectID(of: payload)
        state.writerDone.wait()
        if state.failed { for semaphore in state.pieceWritten { semaphore.signal() } }  // release a waiting verifier
        state.verifierDone.wait()

        switch state.failure {
        case nil:
            return .written(id, pending)
        case .unsupported:
            pending.discard()
            return .unsupported
        case .error(let error):
            pending.discard()
            return .failed(id, error)
        }
    }

    /// Bytes `range` of header + payload.
    private static func compose(header: [UInt8], payload: UnsafeRawBufferPointer, range: Range<Int>,
                                into buffer: UnsafeMutableRawBufferPointer) {
        var at = range.lowerBound
        if at < header.count {
            let n = min(header.count, range.upperBound) - at
            _ = header.withUnsafeBytes { memcpy(buffer.baseAddress!, $0.baseAddress! + at, n) }
            at += n
        }
        if at < range.upperBound {
            memcpy(buffer.baseAddress! + (at - range.lowerBound), payload.baseAddress! + (at - header.count), range.upperBound - at)
        }
    }

    private static func matches(header: [UInt8], payload: UnsafeRawBufferPointer, range: Range<Int>,
                                stored: UnsafeMutableRawBufferPointer) -> Bool {
        var at = range.lowerBound
        if at < header.count {
            let n = min(header.count, range.upperBound) - at
            let same = header.withUnsafeBytes { memcmp(stored.baseAddress!, $0.baseAddress! + at, n) == 0 }
            if !same { return false }
            at += n
        }
        if at < range.upperBound {
            return memcmp(stored.baseAddress! + (at - range.lowerBound), payload.baseAddress! + (at - header.count),
                          range.upperBound - at) == 0
        }
        return true
    }

    private enum Failure {
        case unsupported
        case error(Error)
    }

    private final class SharedState: @unchecked Sendable {
        let pieceWritten: [DispatchSemaphore]
        let writerDone = DispatchSemaphore(value: 0)
        let verifierDone = DispatchSemaphore(value: 0)
        private let lock = NSLock()
        private var firstFailure: Failure?

        init(pieces: Int) { pieceWritten = (0..<pieces).map { _ in DispatchSemaphore(value: 0) } }

        var failure: Failure? { lock.withLock { firstFailure } }
        var failed: Bool { failure != nil }
        func fail(_ failure: Failure) { lock.withLock { if firstFailure == nil { firstFailure = failure } } }
    }
}

/// 4 KiB-aligned buffers of `DirectObjectWrite.chunkSize` bytes, kept for reuse: a fresh 4 MiB allocation per piece
/// would be returned to the system and faulted in again (zeroed) every time.
public enum AlignedBuffers {
    nonisolated(unsafe) private static var free: [UnsafeMutableRawBufferPointer] = []
    private static let lock = NSLock()
    private static let kept = 4

    public static func take() -> UnsafeMutableRawBufferPointer {
        if let buffer = lock.withLock({ free.popLast() }) { return buffer }
        return UnsafeMutableRawBufferPointer.allocate(byteCount: DirectObjectWrite.chunkSize, alignment: DirectObjectWrite.alignment)
    }

    public static func give(_ buffer: UnsafeMutableRawBufferPointer) {
        let keep = lock.withLock { () -> Bool in
            guard free.count < kept else { return false }
            free.append(buffer)
            return true
        }
        if !keep { buffer.deallocate() }
    }
}
