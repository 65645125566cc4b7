import Foundation

/// Every failure of the archive, each naming the file and the problem in one line a user can act on.
public enum ArchiveError: Error, CustomStringConvertible, Equatable {
    case notAnArchive(path: String)
    case io(path: String, operation: String, reason: String)
    case corruptObject(path: String, reason: String)
    case missingObject(ObjectID)
    case malformed(path: String, reason: String)
    case unknownRun(String)
    case ambiguousRun(prefix: String, matches: Int)
    case unsafePath(String)
    /// Two things that must agree do not (a study planned with other inputs, the same run with different results in
    /// two archives). A failed check: exit 1.
    case conflict(String)
    /// The archive is damaged (unreadable refs, records or folders), so the operation refused to start. Exit 1.
    case damaged(path: String, reason: String)
    /// A name the user gave matches nothing, or more than one thing (a study name). Bad input: exit 2.
    case notFound(String)

    public var description: String {
        switch self {
        case .notAnArchive(let path):
            return "\(path): not a Reprise archive (no FORMAT file); create one with `reprise init \(path)`"
        case .io(let path, let operation, let reason):
            return "\(path): \(operation) failed: \(reason)"
        case .corruptObject(let path, let reason):
            return "\(path): corrupt object: \(reason); run `reprise fsck`, delete this file, then restore it with `reprise bundle import` or `reprise archive merge` from an archive that holds it"
        case .missingObject(let id):
            return "object \(id.hex) is referenced but missing from the archive; run `reprise fsck`"
        case .malformed(let path, let reason):
            return "\(path): \(reason)"
        case .damaged(let path, let reason):
            return "\(path): \(reason)"
        case .unknownRun(let name):
            return "no run \(name) in this archive (see `reprise ls`)"
        case .ambiguousRun(let prefix, let matches):
            return "run prefix \(prefix) matches \(matches) runs; give more digits"
        case .unsafePath(let path):
            return "\(path): refused, the path escapes the archive"
        case .conflict(let message), .notFound(let message):
            return message
        }
    }

    static func errno(_ path: String, _ operation: String) -> ArchiveError {
        .io(path: path, operation: operation, reason: String(cString: strerror(Foundation.errno)))
    }
}
