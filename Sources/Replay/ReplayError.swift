import Archive

/// A run cannot be trained, replayed or scored as specified: its spec, training config or manifest is invalid, does
/// not fit its data, or names something the archive lacks. Distinct from `DatasetError`, which is about data files
/// and dataset specs themselves. The CLI prints `description` as one line and exits 2 (bad input).
public struct ReplayError: Error, CustomStringConvertible, Equatable {
    /// What is at fault: "run spec", a dataset's name, "proxy config", or a run's short ID.
    public var subject: String
    public var reason: String
    public var description: String { "\(subject): \(reason)" }

    public init(_ subject: String, _ reason: String) { self.subject = subject; self.reason = reason }

    /// `run` is of a kind that Replay does not re-create (only `train` and `proxies` runs are).
    public static func notReplayable(_ run: ObjectID, _ kind: RunKind) -> ReplayError {
        ReplayError(run.short, "runs of kind \(kind.rawValue) are not replayed (Replay re-creates runs of kinds train and proxies)")
    }
}
