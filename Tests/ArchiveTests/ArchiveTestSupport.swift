import Archive
import Foundation
import TestSupport

/// A small manifest whose fields vary with `n`.
func sampleManifest(_ n: Int) -> RunManifest {
    RunManifest(architecture: .object(["depths": .array([.integer(1), .integer(Int64(n % 5))]), "width": .integer(Int64(8 * n))]),
                dataset: .object(["name": .string("digits")]), datasetDigest: String(repeating: "0", count: 64),
                training: .object(["epochs": .integer(2), "lr": .number(0.1)]), seed: Int64(n),
                repriseVersion: "test", kernelVersion: "test")
}

/// Path of a product built beside the test bundle (e.g. the `reprise` executable).
func builtProduct(_ name: String) -> String {
    var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    if dir.lastPathComponent.hasSuffix(".xctest") || dir.path.contains(".xctest/") {
        while dir.lastPathComponent != "release" && dir.lastPathComponent != "debug" && dir.path != "/" { dir.deleteLastPathComponent() }
    }
    return dir.appendingPathComponent(name).path
}
