import CLibFuzzer
import Foundation

/// Runs libFuzzer (its command line: corpus folders, -max_total_time, …) on `test`, then exits with its status.
/// `test` gets each input; it returns 0, and a thrown Swift error is a normal outcome it swallows: only a trap, an
/// ASan report, a timeout or an out-of-memory counts as a finding.
public func runLibFuzzer(_ test: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> Never {
    var argc = CommandLine.argc
    var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
    exit(LLVMFuzzerRunDriver(&argc, &argv, test))
}
