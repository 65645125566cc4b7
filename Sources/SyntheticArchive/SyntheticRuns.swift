import Archive
import Foundation

/// Synthetic but well-formed runs, for tests and for benchmarking the archive at scale (never mixed into real studies:
/// their manifests carry `"kind": "synthetic"`).
public enum SyntheticRuns {
    static let datasets = ["fashion-mnist", "digits", "synthetic", "fmnist-2", "fmnist-5", "cifar10"]

    /// The manifest of synthetic run `index`: architecture fields and dataset vary with the index.
    public static func manifest(index: Int) -> RunManifest {
        var rng = UInt64(truncatingIfNeeded: index) &* 0x9E37_79B9_7F4A_7C15 &+ 1
        func next(_ bound: Int) -> Int {
            rng ^= rng << 13; rng ^= rng >> 7; rng ^= rng << 17
            return Int(rng % UInt64(bound))
        }
        let depths = (0..<4).map { _ in JSONValue.integer(Int64(1 + next(16))) }
        let widths = (0..<4).map { _ in JSONValue.integer(Int64(8 * (1 + next(128)))) }
        return RunManifest(
            kind: .synthetic,
            architecture: .object(["family": .string("anynet"), "depths": .array(depths), "widths": .array(widths)]),
            dataset: .object(["name": .string(datasets[index % datasets.count])]),
            datasetDigest: ObjectID(of: Data(datasets[index % datasets.count].utf8)).hex,
            training: .object(["epochs": .integer(10), "batch": .integer(128)]),
            seed: Int64(index), repriseVersion: "synthetic", kernelVersion: "synthetic")
    }

    /// Stores run `index` completely (manifest, one checkpoint of `tensorBytes` bytes of float32 noise, eval log,
    /// record) in one write transaction and returns its run ID.
    @discardableResult
    public static func ingest(into archive: Archive, index: Int, tensorBytes: Int) throws -> ObjectID {
        try archive.transaction {
            let manifest = manifest(index: index)
            let run = try archive.putManifest(manifest)
            var state = UInt32(truncatingIfNeeded: index &* 2_654_435_761) | 1
            let count = max(1, tensorBytes / 4)
            let tensor = [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
                for i in 0..<count {
                    state ^= state << 13; state ^= state >> 17; state ^= state << 5
                    buffer[i] = Float(Int32(bitPattern: state >> 8) - (1 << 23)) / Float(1 << 26)
                }
                initialized = count
            }
            let tensorID = try tensor.withUnsafeBufferPointer { try archive.putTensor($0) }
            let checkpoint = try archive.putJSON(CheckpointRecord(run: run, epoch: 10, step: 1000,
                                                                  tensors: [.init(name: "weights", shape: [count], object: tensorID)]))
            let error = 5 + Double(index % 997) / 10
            let log = try archive.putJSON(EvalLog(epochs: [.init(epoch: 10, learningRate: 0, trainLoss: 0.1, trainTop1Error: error / 2,
                                                                 testLoss: 0.3, testTop1Error: error, testTop5Error: error / 5)]))
            try archive.commit(RunRecord(run: run, status: .completed, checkpoints: [.init(epoch: 10, checkpoint: checkpoint)],
                                         evalLog: log, metrics: ["test_top1_error": error, "test_top5_error": error / 5]))
            return run
        }
    }
}
