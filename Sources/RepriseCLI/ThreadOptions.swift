import ArgumentParser

/// `--threads N`, shared by every command that computes (train, replay, eval, study run, rank, bench analyze).
///
/// The kernels split work by output (each thread writes only its own outputs, in a fixed order), so results are the
/// same bits for any thread count: the option trades nothing but time. Refused before any work: N < 1 or N > 1024.
struct ThreadOptions: ParsableArguments {
    static let allowed = 1...1024

    @Option(help: ArgumentHelp(
        "Worker threads, 1…1024. Results are bit-identical for any count; more threads than cores only slows down.",
        valueName: "n"))
    var threads = 2

    func validate() throws {
        guard Self.allowed.contains(threads) else {
            throw ValidationError("--threads \(threads): must be an integer in 1…1024 (results do not depend on it; use the number of cores, e.g. 2)")
        }
    }
}
