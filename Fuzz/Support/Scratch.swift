import Foundation

/// A per-process scratch directory for targets whose parser reads files: in /dev/shm when it exists (a file write per
/// execution on a real disk would cost most of the fuzzing time), removed by nobody (libFuzzer exits without unwinding;
/// scripts/fuzz.sh removes the parent folder).
public enum Scratch {
    public static let directory: String = {
        let base = ProcessInfo.processInfo.environment["REPRISE_FUZZ_SCRATCH"]
            ?? (FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory())
        let path = "\(base)/reprise-fuzz-\(getpid())"
        try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }()

    /// Writes `bytes` to `name` in the scratch directory and returns its path.
    public static func file(_ name: String, _ bytes: [UInt8]) -> String {
        let path = directory + "/" + name
        try! Data(bytes).write(to: URL(fileURLWithPath: path))
        return path
    }
}
