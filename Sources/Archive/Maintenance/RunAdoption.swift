import Foundation

/// What to do with a run record that arrives from elsewhere (another archive, a bundle) when this archive may hold
/// a record of the same run. The one rule `archive merge` and `bundle import` share (FORMAT.md §Import and merge).
///
/// Runs are deterministic, so two records of one run ID must agree wherever both have results:
/// - not here → `add`;
/// - deterministic parts equal (everything but timings) → `same`: nothing changes;
/// - ours is unfinished (in progress or failed) and theirs carries every one of our checkpoints, epoch for epoch,
///   and is further along (more checkpoints, or as many and finished) → `advance` to theirs;
/// - theirs is unfinished and ours extends it the same way → `keep` ours: a copy taken mid-run never downgrades a
///   run that went further;
/// - anything else → `conflict`: a determinism failure or a damaged archive. Nothing is changed and both versions
///   are named.
enum RunAdoption: Equatable {
    case add, same, advance, keep
    case conflict(String)

    static func decide(ours: RunRecord?, theirs: RunRecord) -> RunAdoption {
        guard let ours else { return .add }
        if ours.deterministicPart == theirs.deterministicPart { return .same }
        if extends(theirs, ours) { return .advance }
        if extends(ours, theirs) { return .keep }
        return .conflict(describe(ours, theirs))
    }

    static func isUnfinished(_ record: RunRecord) -> Bool { record.status == .inProgress || record.status == .failed }

    /// Whether `long` continues the unfinished `short`: same checkpoints for every epoch `short` has, and more of
    /// them, or as many and `long` finished.
    static func extends(_ long: RunRecord, _ short: RunRecord) -> Bool {
        guard isUnfinished(short), short.checkpoints.count <= long.checkpoints.count,
              zip(short.checkpoints, long.checkpoints).allSatisfy({ $0 == $1 }) else { return false }
        return short.checkpoints.count < long.checkpoints.count || !isUnfinished(long)
    }

    static func summary(_ r: RunRecord) -> String {
        let epochs = r.checkpoints.last.map { "to epoch \($0.epoch)" } ?? "no checkpoints"
        let error = r.metrics["test_top1_error"].map { ", test_top1_error \($0)" } ?? ""
        return "\(r.status.rawValue), \(r.checkpoints.count) checkpoints \(epochs)\(error)"
    }

    /// Where two records of one run first differ, and each side's version, with the differing objects named (the
    /// summaries alone can be equal when only bits differ).
    static func describe(_ ours: RunRecord, _ theirs: RunRecord) -> String {
        if let (a, b) = zip(ours.checkpoints, theirs.checkpoints).first(where: { $0 != $1 }) {
            return "checkpoints differ from epoch \(a.epoch): here \(summary(ours)), checkpoint \(a.checkpoint.short); there \(summary(theirs)), checkpoint \(b.checkpoint.short)"
        }
        if ours.metrics != theirs.metrics {
            let names = Set(ours.metrics.keys).union(theirs.metrics.keys).sorted().filter { ours.metrics[$0] != theirs.metrics[$0] }
            let shown = names.prefix(3).map { "\($0) \(ours.metrics[$0].map { "\($0)" } ?? "none") vs \(theirs.metrics[$0].map { "\($0)" } ?? "none")" }
            return "metrics differ (\(shown.joined(separator: ", "))): here \(summary(ours)); there \(summary(theirs))"
        }
        let what = ours.evalLog != theirs.evalLog ? "eval logs differ (\(ours.evalLog?.short ?? "none") vs \(theirs.evalLog?.short ?? "none"))"
            : ours.status != theirs.status ? "status differs" : "records differ"
        return "\(what): here \(summary(ours)); there \(summary(theirs))"
    }
}

/// The conflicts found while planning a merge or an import, as one error (exit 1) that names every run and both
/// versions; raised before anything is written.
func conflictError(_ conflicts: [String], source: String, archive: String) -> ArchiveError {
    let shown = conflicts.prefix(20).joined(separator: "; ")
    let more = conflicts.count > 20 ? "; … and \(conflicts.count - 20) more" : ""
    return .conflict("\(conflicts.count) conflict\(conflicts.count == 1 ? "" : "s") between \(source) and \(archive) (determinism failures or damage; nothing was changed): \(shown)\(more)")
}
