import Foundation

/// The AnyNetX design space of "ImageNet as a Representative Basis…" (after Radosavovic et al. 2020, §3.2): four
/// stages, each with depth d ≤ 16, width w ≤ 1024 divisible by 8, bottleneck ratio b ∈ {1, 2, 4} and group width
/// g ∈ {1, 2, 4, …, 32}, sampled independently per stage, made compatible, and kept only if the model's multiply-adds
/// fall in a window (rejection sampling). Sub-spaces of the paper's Appendix D keep only models whose d, w, b or g
/// is non-decreasing across stages.
///
/// Draws (pycls/sweep/random.py, shared/specs §1), all from Philox(seed), purpose .sampler, epoch = candidate number:
///   log_uniform(low, high, q): q* = min(q, low/2); f = exp(−U(−ln high, −ln(low − q*))); ⌈f/q⌉·q
///   power2_uniform(low, high): 2^⌊U(log₂ low, log₂ high + 1)⌋
///   uniform choice of b from {1, 2, 4}
/// where each U(a, b) = a + (b − a)·u uses u from draw index 4·stage + k (k = 0 depth, 1 width, 2 ratio, 3 group).
public struct AnyNetXSampler: Codable, Equatable, Sendable {
    public enum Monotone: String, Codable, Sendable, CaseIterable { case depth, width, bottleneck, groupWidth = "group_width" }

    public var stemWidth: Int = 16
    public var strides: [Int] = [1, 2, 2, 2]
    public var inputSize: Int
    public var inputChannels: Int
    public var classes: Int
    /// Multiply-adds window (pycls "flops") at `inputSize`, inclusive.
    public var minFlops: Int
    public var maxFlops: Int
    public var maxDepth: Int = 16
    public var maxWidth: Int = 1024
    public var monotone: [Monotone] = []
    /// Candidates drawn before giving up (a window nothing can hit is an error, not an endless loop).
    public var maxCandidates: Int = 1_000_000

    public init(inputSize: Int, inputChannels: Int, classes: Int, minFlops: Int, maxFlops: Int) {
        self.inputSize = inputSize; self.inputChannels = inputChannels; self.classes = classes
        self.minFlops = minFlops; self.maxFlops = maxFlops
    }

    /// Decodes a sampler in which the input, classes and flops window are required and the rest take the defaults above.
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(inputSize: try c.decode(Int.self, forKey: .inputSize), inputChannels: try c.decode(Int.self, forKey: .inputChannels),
                  classes: try c.decode(Int.self, forKey: .classes), minFlops: try c.decode(Int.self, forKey: .minFlops),
                  maxFlops: try c.decode(Int.self, forKey: .maxFlops))
        func take<T: Decodable>(_ key: CodingKeys, _ value: inout T) throws { if let v = try c.decodeIfPresent(T.self, forKey: key) { value = v } }
        try take(.stemWidth, &stemWidth); try take(.strides, &strides); try take(.maxDepth, &maxDepth); try take(.maxWidth, &maxWidth)
        try take(.monotone, &monotone); try take(.maxCandidates, &maxCandidates)
    }

    public struct SamplingError: Error, CustomStringConvertible {
        public var description: String
    }

    /// `count` distinct architectures, in the order found; the same seed gives the same list.
    public func sample(count: Int, seed: UInt64) throws -> [AnyNetSpec] {
        let rng = Philox(seed: seed)
        var found: [AnyNetSpec] = []
        var candidate = 0
        while found.count < count {
            guard candidate < maxCandidates else {
                throw SamplingError(description: "only \(found.count) of \(count) architectures found in \(maxCandidates) candidates for the window [\(minFlops), \(maxFlops)] multiply-adds at \(inputSize) px; widen the window")
            }
            let spec = draw(rng, candidate: candidate)
            candidate += 1
            let flops = spec.complexity(inputSize: inputSize).flops
            if flops >= minFlops && flops <= maxFlops && satisfiesMonotone(spec) && !found.contains(spec) { found.append(spec) }
        }
        return found
    }

    func draw(_ rng: Philox, candidate: Int) -> AnyNetSpec {
        func u(_ index: Int) -> Double {
            let w = rng.words(purpose: .sampler, epoch: candidate, index: index)
            return Double((UInt64(w.0) | (UInt64(w.1) << 32)) >> 11) * 0x1p-53
        }
        func logUniform(_ low: Double, _ high: Double, _ q: Double, _ index: Int) -> Int {
            let qs = min(q, low / 2)
            let a = -log(high), b = -log(low - qs)
            let f = exp(-(a + (b - a) * u(index)))
            return Int((f / q).rounded(.up) * q)
        }
        let stages = strides.indices.map { s -> AnyNetSpec.Stage in
            let d = logUniform(1, Double(maxDepth), 1, 4 * s)
            let w = logUniform(8, Double(maxWidth), 8, 4 * s + 1)
            let b = [1, 2, 4][min(2, Int(u(4 * s + 2) * 3))]
            let g = 1 << Int((u(4 * s + 3) * 6).rounded(.down))   // power2_uniform(1, 32): ⌊U(0, 6)⌋
            let (width, group) = Self.compatible(width: w, ratio: b, groupWidth: g)
            return .init(depth: d, width: width, stride: strides[s], bottleneckMultiplier: 1 / Double(b), groupWidth: group)
        }
        return AnyNetSpec(stem: .resStemCifar, stemWidth: stemWidth, block: .resBottleneck, stages: stages,
                          inputChannels: inputChannels, classes: classes)
    }

    /// pycls adjust_block_compatibility with bot_mul = 1/b ≤ 1 (so m = g):
    ///   v = int(max(1, w/b)); g = min(g, v); v = max(g, round(v/g)·g) (round half to even); w = int(v·b).
    /// Examples: (48, 2, 16) → v 24 → round(1.5) = 2 → v 32 → (64, 16); (40, 1, 16) → round(2.5) = 2 → (32, 16).
    public static func compatible(width w: Int, ratio b: Int, groupWidth g: Int) -> (width: Int, groupWidth: Int) {
        var v = max(1, w / b)
        let group = min(g, v)
        v = max(group, Int((Double(v) / Double(group)).rounded(.toNearestOrEven)) * group)
        return (v * b, group)
    }

    func satisfiesMonotone(_ spec: AnyNetSpec) -> Bool {
        func ascending(_ values: [Double]) -> Bool { zip(values, values.dropFirst()).allSatisfy { $0 <= $1 } }
        return monotone.allSatisfy { m in
            switch m {
            case .depth: return ascending(spec.stages.map { Double($0.depth) })
            case .width: return ascending(spec.stages.map { Double($0.width) })
            case .bottleneck: return ascending(spec.stages.map { 1 / $0.bottleneckMultiplier })
            case .groupWidth: return ascending(spec.stages.map { Double($0.groupWidth) })
            }
        }
    }
}
