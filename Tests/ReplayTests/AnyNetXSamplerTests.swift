import Kernels
import Replay
import Testing
import TestSupport

@Suite struct AnyNetXSamplerTests {
    /// Hand applications of pycls's adjust_block_compatibility (see the doc comment for the steps).
    @Test func compatibilityRule() {
        #expect(AnyNetXSampler.compatible(width: 48, ratio: 2, groupWidth: 16) == (64, 16))
        #expect(AnyNetXSampler.compatible(width: 40, ratio: 1, groupWidth: 16) == (32, 16))   // round(2.5) = 2
        #expect(AnyNetXSampler.compatible(width: 56, ratio: 1, groupWidth: 16) == (64, 16))   // round(3.5) = 4
        #expect(AnyNetXSampler.compatible(width: 8, ratio: 4, groupWidth: 32) == (8, 2))      // g capped at v = 2
        #expect(AnyNetXSampler.compatible(width: 24, ratio: 1, groupWidth: 8) == (24, 8))
    }

    @Test func samplesAreInTheSpaceTheWindowAndReproducible() throws {
        var sampler = AnyNetXSampler(inputSize: 28, inputChannels: 1, classes: 10, minFlops: 2_000_000, maxFlops: 20_000_000)
        sampler.maxDepth = 4
        sampler.maxWidth = 128
        let a = try sampler.sample(count: 25, seed: 1), b = try sampler.sample(count: 25, seed: 1)
        #expect(a == b)
        #expect(try sampler.sample(count: 25, seed: 2) != a)
        for spec in a {
            let flops = spec.complexity(inputSize: 28).flops
            #expect(flops >= 2_000_000 && flops <= 20_000_000)
            for stage in spec.stages {
                #expect((1...4).contains(stage.depth))
                #expect(stage.width % 8 == 0)  // w/b·b with g·b < 8 is w itself; otherwise k·g·b, a multiple of 8
                #expect([1.0, 0.5, 0.25].contains(stage.bottleneckMultiplier))
                #expect(stage.width <= 2 * 128)
            }
        }
    }

    @Test func monotoneSubspaceIsRespected() throws {
        var sampler = AnyNetXSampler(inputSize: 16, inputChannels: 1, classes: 10, minFlops: 0, maxFlops: 50_000_000)
        sampler.maxDepth = 4
        sampler.maxWidth = 64
        sampler.monotone = [.width, .depth]
        for spec in try sampler.sample(count: 10, seed: 3) {
            #expect(zip(spec.stages, spec.stages.dropFirst()).allSatisfy { $0.width <= $1.width && $0.depth <= $1.depth })
        }
    }

    @Test func impossibleWindowIsAnErrorNotAHang() {
        var sampler = AnyNetXSampler(inputSize: 8, inputChannels: 1, classes: 10, minFlops: 1, maxFlops: 2)
        sampler.maxCandidates = 500
        #expect(throws: AnyNetXSampler.SamplingError.self) { try sampler.sample(count: 1, seed: 0) }
    }
}

@Suite(.serialized) struct SampledTrainingTests {
    /// Architectures from the sampler train on digits without error and give a finite loss (any group width, so both the
    /// direct and the GEMM convolution paths are exercised).
    @Test func sampledArchitecturesTrain() throws {
        var sampler = AnyNetXSampler(inputSize: 8, inputChannels: 1, classes: 10, minFlops: 100_000, maxFlops: 3_000_000)
        sampler.stemWidth = 8
        sampler.maxDepth = 2
        sampler.maxWidth = 64
        let a = try TemporaryArchive()
        for spec in try sampler.sample(count: 2, seed: 11) {
            var training = TrainingConfig(epochs: 1, batchSize: 64)
            training.baseLearningRate = 0.05
            let run = RunSpec(architecture: spec, dataset: DatasetSpec(name: "digits", trainLimit: 512, testLimit: 128), training: training, seed: 1)
            let outcome = try Trainer(spec: run, workers: Workers(2)).run(in: a.archive)
            #expect(outcome.record.status == .completed)
            #expect(outcome.record.metrics["train_loss"]?.isFinite == true)
        }
    }
}
