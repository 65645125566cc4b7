import Archive

/// Early stopping on a validation part (`TrainingConfig.earlyStoppingPatience`): after epoch e is logged, best(e) is
/// the first epoch with the lowest validation top-1 error among the logged epochs (ties go to the earlier epoch), and
/// the run stops at the first e with e − best(e) ≥ patience. Epochs without a validation error are skipped; a log with
/// none has no best and never stops.
struct EarlyStopping {
    let patience: Int

    /// The first epoch with the lowest validation top-1 error in the log (nil when no epoch has one).
    static func bestValidationEpoch(_ log: EvalLog) -> Int? {
        var best: (epoch: Int, error: Double)?
        for e in log.epochs { if let v = e.validationTop1Error, best == nil || v < best!.error { best = (e.epoch, v) } }
        return best?.epoch
    }

    /// After `epoch` has been logged: the best epoch so far and whether the patience has run out (nil: no best yet).
    func decision(after epoch: Int, log: EvalLog) -> (best: Int, stop: Bool)? {
        guard let best = Self.bestValidationEpoch(log) else { return nil }
        return (best, epoch - best >= patience)
    }
}
