import Replay
import Testing

/// Exact complexity against pycls's published values (pycls dev/model_complexity.json, quoted in
/// shared/specs/models-and-methods.md §1) — numbers not produced by this code.
@Suite struct ComplexityTests {
    /// pycls configs/archive/cifar/resnet/R-56_nds_1gpu.yaml as an AnyNet: res_stem_cifar 16, res_basic_block,
    /// depths 9,9,9, widths 16,32,64, strides 1,2,2, 10 classes, 32 px.
    @Test func resNet56Cifar() {
        let spec = AnyNetSpec(stem: .resStemCifar, stemWidth: 16, block: .resBasic,
                              stages: [.init(depth: 9, width: 16, stride: 1), .init(depth: 9, width: 32, stride: 2),
                                       .init(depth: 9, width: 64, stride: 2)], classes: 10)
        #expect(spec.complexity(inputSize: 32) == Complexity(flops: 125_747_850, params: 855_770, acts: 544_778))
    }

    /// ResNet-50 as an AnyNet (pycls configs/archive/imagenet/resnet/R-50-1x64d_step_1gpu.yaml): res_stem_in 64,
    /// res_bottleneck_block, depths 3,4,6,3, widths 256..2048, bot_mul 0.25, group widths 64,128,256,512 ("1x64d": one
    /// group per 3×3 conv), 1000 classes, 224 px.
    @Test func resNet50ImageNet() {
        let spec = AnyNetSpec(stem: .resStemIn, stemWidth: 64, block: .resBottleneck, stages: [
            .init(depth: 3, width: 256, stride: 1, bottleneckMultiplier: 0.25, groupWidth: 64),
            .init(depth: 4, width: 512, stride: 2, bottleneckMultiplier: 0.25, groupWidth: 128),
            .init(depth: 6, width: 1024, stride: 2, bottleneckMultiplier: 0.25, groupWidth: 256),
            .init(depth: 3, width: 2048, stride: 2, bottleneckMultiplier: 0.25, groupWidth: 512)], classes: 1000)
        let cx = spec.complexity(inputSize: 224)
        #expect(cx.flops == 4_089_185_256)
        #expect(cx.params == 25_557_032)
    }

    /// Python's round is half-to-even: w = 20, bot_mul 0.125 → 2.5 → 2 (not 3).
    @Test func bottleneckRoundsHalfToEven() {
        let spec = AnyNetSpec(stem: .resStemCifar, stemWidth: 8, block: .resBottleneck,
                              stages: [.init(depth: 1, width: 20, stride: 1, bottleneckMultiplier: 0.125, groupWidth: 1)], classes: 2)
        let convs = spec.layers(inputSize: 4).compactMap { layer -> ConvGeometry? in
            if case .conv(let name, let g, _, _) = layer, name == "s1.b1.f.b.conv" { return g } else { return nil }
        }
        #expect(convs.first?.outChannels == 2)
    }
}
