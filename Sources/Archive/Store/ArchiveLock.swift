import Foundation

/// The archive's writer/collector lock: `flock(2)` on `<archive>/lock` (FORMAT.md §Writes and gc).
///
/// Every write transaction — storing objects (including finding one already stored, which refreshes its
/// modification time), then the record and ref that reach them — holds the lock **shared**; `gc` holds it
/// **exclusively** while it computes what is reachable and removes the rest. So gc never runs between a writer's
/// "this object is already stored" and the ref that makes it reachable, and a writer never commits into a sweep.
/// Objects a writer stored in an earlier transaction and has not referenced yet are protected by gc's grace period
/// (their mtime, refreshed on every reuse); a commit whose objects vanished anyway (gc with `--grace 0`) fails with
/// `missingObject` instead of writing a ref to a missing object.
///
/// The shared lock is counted per process and archive root, so nested transactions and several threads of one
/// process share one `flock`; it is released when the last holder leaves. The lock file is opened read-write, or
/// read-only where it cannot be (a read-only file system): `flock` works on either. Where it cannot be opened at all
/// (no lock file and a folder that cannot take one), transactions go ahead unlocked — nothing can be written there
/// anyway — and gc, which needs the exclusive lock, refuses; on a read-only file system gc gets the lock and then
/// fails at its first removal (exit 3), removing nothing.
final class ArchiveLock: @unchecked Sendable {
    let path: String
    private let mutex = NSLock()
    private var fd: Int32 = -1
    private var holders = 0

    private init(path: String) { self.path = path }

    nonisolated(unsafe) private static var locks: [String: ArchiveLock] = [:]
    private static let registryMutex = NSLock()

    /// The process's lock object for the archive at `root`.
    static func forArchive(_ root: String) -> ArchiveLock {
        registryMutex.lock()
        defer { registryMutex.unlock() }
        if let lock = locks[root] { return lock }
        let lock = ArchiveLock(path: root + "/lock")
        locks[root] = lock
        return lock
    }

    private func openLockFile() -> Int32 {
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        return fd >= 0 ? fd : open(path, O_RDONLY | O_CLOEXEC)
    }

    /// Runs `body` holding the shared lock (blocks while gc holds it exclusively).
    func shared<T>(_ body: () throws -> T) throws -> T {
        mutex.lock()
        if holders == 0 {
            let fd = openLockFile()
            if fd >= 0 {
                if !flockRetryingInterrupts(fd, LOCK_SH) {
                    let error = ArchiveError.errno(path, "lock (shared)")
                    close(fd)
                    mutex.unlock()
                    throw error
                }
            }
            self.fd = fd
        }
        holders += 1
        mutex.unlock()
        defer {
            mutex.lock()
            holders -= 1
            if holders == 0 {
                if fd >= 0 { flock(fd, LOCK_UN); close(fd) }
                fd = -1
            }
            mutex.unlock()
        }
        return try body()
    }

    /// Runs `body` holding the lock exclusively: waits for every writer's transaction to end, and blocks new ones.
    /// Throws when the lock file cannot be opened at all.
    func exclusive<T>(_ body: () throws -> T) throws -> T {
        let fd = openLockFile()
        guard fd >= 0 else { throw ArchiveError.errno(path, "open lock file") }
        defer { close(fd) }
        guard flockRetryingInterrupts(fd, LOCK_EX) else { throw ArchiveError.errno(path, "lock (exclusive)") }
        defer { flock(fd, LOCK_UN) }
        return try body()
    }
}

/// `flock(fd, operation)`, retried while a signal interrupts the wait (EINTR); false on any other failure, with errno
/// set. The archive lock and the refs locks take theirs through it.
func flockRetryingInterrupts(_ fd: Int32, _ operation: Int32) -> Bool {
    while flock(fd, operation) != 0 {
        if errno != EINTR { return false }
    }
    return true
}

extension Archive {
    /// Runs a write transaction: `body` stores objects and commits what reaches them, with gc kept out (see
    /// `ArchiveLock`). Nested transactions and concurrent ones in one process are allowed.
    public func transaction<T>(_ body: () throws -> T) throws -> T {
        try ArchiveLock.forArchive(root).shared(body)
    }
}
