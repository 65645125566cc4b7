import Archive
import Foundation
import FuzzSupport
import Replay

/// A run spec read back from a stored manifest (as replay does: RunSpec(manifest:) decodes the architecture, dataset and
/// training JSON), a bare training recipe, and what training computes from a recipe before the first step: its
/// problems and the learning rates of its epochs.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = FuzzInput(data, size).data
    let decoder = JSONDecoder()
    if let manifest = try? decoder.decode(RunManifest.self, from: bytes), let spec = try? RunSpec(manifest: manifest) {
        check(spec.training)
        _ = try? spec.manifest(datasetDigest: manifest.datasetDigest)
    }
    if let spec = try? decoder.decode(RunSpec.self, from: bytes) { check(spec.training) }
    if let training = try? decoder.decode(TrainingConfig.self, from: bytes) { check(training) }
    return 0
}

func check(_ training: TrainingConfig) {
    guard training.validate().isEmpty else { return }
    for epoch in 0..<min(training.epochs, 64) { _ = training.learningRate(epoch: epoch) }
}

@main enum FuzzRunSpec { static func main() { runLibFuzzer(fuzz) } }
