import Foundation

/// Everything that determines a run's results, and nothing else: the run's identity.
///
/// Run ID = SHA-256 of the manifest's canonical JSON (`JSONValue.canonicalBytes`). The manifest is stored as an object,
/// so the run ID is also the manifest object's ID. Wall-clock times, host names and thread counts are *not* inputs:
/// Reprise's kernels give the same bits for any thread count, so two machines running one manifest must agree.
public struct RunManifest: Codable, Equatable, Sendable {
    /// What kind of run (RunKind: train, proxies or synthetic).
    public var kind: RunKind
    /// The model, e.g. an AnyNet spec (stem, stages of depth/width/bottleneck/groups/stride, head).
    public var architecture: JSONValue
    /// How the dataset is made (source, subset, split, seed).
    public var dataset: JSONValue
    /// SHA-256 of the dataset's canonical bytes (images then labels, as the dataset's doc defines them).
    public var datasetDigest: String
    /// Recipe: epochs, batch size, learning-rate schedule, momentum, weight decay, augmentation, label smoothing…
    public var training: JSONValue
    public var seed: Int64
    public var repriseVersion: String
    /// Version of the arithmetic: changes whenever any kernel's order of operations changes.
    public var kernelVersion: String

    public init(kind: RunKind = .train, architecture: JSONValue, dataset: JSONValue, datasetDigest: String,
                training: JSONValue, seed: Int64, repriseVersion: String, kernelVersion: String) {
        self.kind = kind
        self.architecture = architecture
        self.dataset = dataset
        self.datasetDigest = datasetDigest
        self.training = training
        self.seed = seed
        self.repriseVersion = repriseVersion
        self.kernelVersion = kernelVersion
    }

    public func canonicalBytes() throws -> Data { try JSONValue.canonicalBytes(of: self) }

    public func runID() throws -> ObjectID { ObjectID(of: try canonicalBytes()) }
}
