import Archive
import Kernels
import Foundation

/// Everything needed to train one run; it becomes the run's manifest.
public struct RunSpec: Codable, Equatable, Sendable {
    public var architecture: AnyNetSpec
    public var dataset: DatasetSpec
    public var training: TrainingConfig
    public var seed: Int64

    public init(architecture: AnyNetSpec, dataset: DatasetSpec, training: TrainingConfig, seed: Int64) {
        self.architecture = architecture; self.dataset = dataset; self.training = training; self.seed = seed
    }

    public func manifest(datasetDigest: String) throws -> RunManifest {
        try RunManifest.replay(kind: .train, architecture: architecture, dataset: dataset, datasetDigest: datasetDigest,
                               training: training, seed: seed)
    }

    /// Reads a run spec back from a stored manifest (for replay).
    public init(manifest: RunManifest) throws {
        architecture = try manifest.architecture.decode(AnyNetSpec.self)
        dataset = try manifest.dataset.decode(DatasetSpec.self)
        training = try manifest.training.decode(TrainingConfig.self)
        seed = manifest.seed
    }
}

extension RunManifest {
    /// A manifest of one of Replay's run kinds ("train", "proxies"), stamped with this Reprise and kernel version.
    static func replay<Training: Encodable>(kind: RunKind, architecture: AnyNetSpec, dataset: DatasetSpec, datasetDigest: String,
                                            training: Training, seed: Int64) throws -> RunManifest {
        RunManifest(kind: kind, architecture: try JSONValue.from(architecture), dataset: try JSONValue.from(dataset),
                    datasetDigest: datasetDigest, training: try JSONValue.from(training), seed: seed,
                    repriseVersion: ReplayVersion.reprise, kernelVersion: ReplayVersion.kernels)
    }
}

public enum ReplayVersion {
    public static let reprise = "0.1.0"
    /// The kernels' arithmetic version (`KernelVersion`, defined in Kernels beside the arithmetic it versions).
    public static let kernels = KernelVersion.current
}
