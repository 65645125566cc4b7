import Archive
import Foundation

/// What an archive holds to judge ranking methods on one dataset of a study: the ground truth (the study's fully trained
/// runs) and, per method, each architecture's score and the wall-clock seconds spent. Gathered from the archive alone.
///
/// - Ground truth of architecture a: mean over the study's seeds of 100 − test top-1 error (%) of its completed runs.
/// - Methods are recognised from run manifests on the same dataset (same dataset JSON and digest) and on one of the
///   study's architectures (as trained on that dataset):
///   - kind "proxies": one method per proxy, "proxy <name>" (plus " (batch B)" when B ≠ 64, " after epoch E" when
///     scored on a trained checkpoint); score = the stored value;
///     seconds = the whole scoring's time (all proxies of a run are computed together);
///   - kind "train" with the study's recipe for the dataset except `epochs` and/or `batchSize`, not one of the study's
///     own runs: "shortreg <E> ep (batch <B>)"; score = max over epochs of the epoch's running train top-1 accuracy
///     (100 − trainTop1Error, FEAR's shortreg definition); seconds = Σ training-step seconds per epoch (`RunTimings.costPerEpoch`: evaluation excluded when recorded);
///   - kind "train" with a `fear` section: "fear"; score = `fear_score`; seconds = Σ training seconds per epoch
///     (both stages); architectures that never reached the threshold have no score.
///   With several seeds of a method, scores and seconds are averaged per architecture.
public struct RankingEvidence: Sendable {
    public struct Method: Sendable {
        public var label: String
        /// By position in `architectures`; nil = not scored (missing or non-finite).
        public var scores: [Double?]
        /// Total wall-clock seconds over the scored architectures.
        public var seconds: Double
        /// Wall-clock seconds per architecture (nil = not run).
        public var secondsPerArchitecture: [Double?]
        /// FEAR only: seconds of the stage-1 epochs (time to threshold; all of stage 1 when it was never reached).
        public var timeToThreshold: [Double?]
    }

    public var study: String
    public var dataset: String
    public var architectures: [Int]
    public var groundTruth: [Double?]
    public var methods: [Method]
    /// Every run whose record this evidence read (ground truth and ranking runs), for derivation records.
    public var inputRuns: [ObjectID] = []

    public static func collect(study: StudyRecord, dataset label: String, archive: Archive) throws -> RankingEvidence {
        let spec = try study.spec.decode(StudySpec.self)
        guard let entry = spec.datasets.first(where: { $0.label == label }),
              let datasetRecord = study.datasets.first(where: { $0.label == label }) else {
            throw StudyError("study \(study.name) has no dataset \"\(label)\"; it has \(spec.datasets.map(\.label).joined(separator: ", "))")
        }
        let recipe = spec.recipe(of: entry)
        let datasetJSON = try JSONValue.from(entry.dataset).canonicalString
        let pairs = study.pairs.filter { $0.dataset == label }
        let ownRuns = Set(pairs.map(\.run))
        var architectureOf: [String: Int] = [:]
        var used: [ObjectID] = [], additions = 0
        var truth: [Int: [Double]] = [:]
        for pair in pairs {
            let manifest = try archive.manifest(pair.run)
            architectureOf[manifest.architecture.canonicalString] = pair.architecture
            if let r = try archive.record(of: pair.run), r.status == .completed, let e = r.metrics["test_top1_error"] {
                truth[pair.architecture, default: []].append(100 - e)
                used.append(pair.run)
            }
        }
        let architectures = Array(Set(pairs.map(\.architecture))).sorted()

        var scores: [String: [Int: [Double]]] = [:], seconds: [String: [Int: [Double]]] = [:], toThreshold: [Int: [Double]] = [:]
        func add(_ method: String, _ arch: Int, _ score: Double?, _ s: Double) {
            if let score, score.isFinite { scores[method, default: [:]][arch, default: []].append(score) }
            seconds[method, default: [:]][arch, default: []].append(s)
            additions += 1
        }
        for run in try archive.runIDs() where !ownRuns.contains(run) {
            guard let manifest = try? archive.manifest(run), manifest.datasetDigest == datasetRecord.digest,
                  manifest.dataset.canonicalString == datasetJSON,
                  let arch = architectureOf[manifest.architecture.canonicalString],
                  let record = try archive.record(of: run), record.status == .completed else { continue }
            let before = additions
            defer { if additions != before { used.append(run) } }
            let timings = try record.timings.map { try archive.getJSON(RunTimings.self, $0) }
            let spent = timings?.costPerEpoch.reduce(0, +) ?? 0
            switch manifest.kind {
            case .proxies:
                guard let config = try? manifest.training.decode(ProxyRun.Config.self) else { continue }
                for proxy in config.proxies {
                    add("proxy \(proxy.rawValue)" + (config.batchSize == 64 ? "" : " (batch \(config.batchSize))")
                        + (config.afterEpoch.map { " after epoch \($0)" } ?? ""), arch,
                        record.metrics[proxy.rawValue], spent)
                }
            case .train:
                guard let training = try? manifest.training.decode(TrainingConfig.self) else { continue }
                if training.fear != nil {
                    add("fear", arch, record.metrics["fear_score"], spent)
                    let stage1 = record.metrics["fear_stage1_epochs"].map(Int.init) ?? timings?.costPerEpoch.count ?? 0
                    toThreshold[arch, default: []].append(timings?.costPerEpoch.prefix(stage1).reduce(0, +) ?? 0)
                    continue
                }
                var same = training
                same.epochs = recipe.epochs
                same.batchSize = recipe.batchSize
                guard same == recipe, let logID = record.evalLog else { continue }
                let log = try archive.getJSON(EvalLog.self, logID)
                add("shortreg \(training.epochs) ep (batch \(training.batchSize))", arch,
                    log.epochs.map { 100 - $0.trainTop1Error }.max(), spent)
            default:
                continue
            }
        }
        func mean(_ v: [Double]?) -> Double? { v.flatMap { $0.isEmpty ? nil : $0.reduce(0, +) / Double($0.count) } }
        let methods = seconds.keys.sorted().map { label in
            Method(label: label, scores: architectures.map { mean(scores[label]?[$0]) },
                   seconds: seconds[label]!.values.reduce(0) { $0 + $1.reduce(0, +) / Double($1.count) },
                   secondsPerArchitecture: architectures.map { mean(seconds[label]?[$0]) },
                   timeToThreshold: architectures.map { label == "fear" ? mean(toThreshold[$0]) : nil })
        }
        var evidence = RankingEvidence(study: study.name, dataset: label, architectures: architectures,
                                       groundTruth: architectures.map { mean(truth[$0]) }, methods: methods)
        evidence.inputRuns = used
        return evidence
    }
}
