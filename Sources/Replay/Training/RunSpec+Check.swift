import Archive
import Foundation

/// The allowed range of every field of a run spec (architecture, dataset, recipe), checked before any work starts.
///
/// Ranges follow the model's meaning (pycls AnyNet, shared/specs/models-and-methods.md §1) and keep memory and the
/// Int arithmetic of complexity counting (flops, params) far from overflow: with every field in range, a conv's
/// k²·C·K·H·W stays below 2⁶³ and the totals are compared in Double.
public enum SpecLimits {
    public static let stages = 1...16
    public static let depth = 1...64
    public static let width = 1...4096
    public static let stemWidth = 1...4096
    public static let inputChannels = 1...16
    public static let classes = 2...10_000
    public static let inputSize = 1...1024
    public static let epochs = 1...10_000
    public static let batchSize = 2...65_536
    public static let images = 0...100_000_000
    /// Parameters of one model (weights, gradients and momentum take 12 bytes each).
    public static let maxParameters = 100_000_000.0
    /// Activations of one training batch, in floats (4 bytes each, kept for the backward pass).
    public static let maxBatchActivations = 1_000_000_000.0
}

extension AnyNetSpec {
    /// Records every out-of-range field under `prefix` ("architecture"); `inputSize` (when known) also bounds memory.
    public func check(into c: inout SpecCheck, at prefix: String, inputSize: Int? = nil, batchSize: Int? = nil) {
        let before = c.problems.count
        c.integer(stemWidth, prefix + ".stemWidth", in: SpecLimits.stemWidth)
        c.integer(inputChannels, prefix + ".inputChannels", in: SpecLimits.inputChannels)
        c.integer(classes, prefix + ".classes", in: SpecLimits.classes)
        c.count(stages, prefix + ".stages", in: SpecLimits.stages)
        for (i, s) in stages.enumerated() {
            let p = "\(prefix).stages[\(i)]"
            c.integer(s.depth, p + ".depth", in: SpecLimits.depth)
            c.integer(s.width, p + ".width", in: SpecLimits.width)
            c.oneOf(s.stride, p + ".stride", [1, 2])
            c.number(s.bottleneckMultiplier, p + ".bottleneckMultiplier", in: 0...4, openLower: true, "pycls bot_mul = 1/b")
            c.integer(s.groupWidth, p + ".groupWidth", in: SpecLimits.width)
            // pycls res_bottleneck_block: w_b = round(w·bot_mul) channels in groups of group_w; the conv needs g | w_b.
            if block == .resBottleneck, SpecLimits.width.contains(s.width), s.bottleneckMultiplier.isFinite, s.bottleneckMultiplier > 0,
               s.bottleneckMultiplier <= 4, SpecLimits.width.contains(s.groupWidth) {
                let wb = AnyNetSpec.bottleneck(width: s.width, multiplier: s.bottleneckMultiplier, groupWidth: s.groupWidth).width
                if wb < 1 {
                    c.fail(p + ".bottleneckMultiplier", SpecCheck.show(s.bottleneckMultiplier),
                           "gives a bottleneck of \(wb) channels for width \(s.width); w_b = round(width · bottleneckMultiplier) must be ≥ 1")
                } else if wb % s.groupWidth != 0 {
                    c.fail(p + ".groupWidth", String(s.groupWidth),
                           "must divide the bottleneck width w_b = round(\(s.width) · \(SpecCheck.show(s.bottleneckMultiplier))) = \(wb)")
                }
            }
        }
        if let r = seRatio {
            c.number(r, prefix + ".seRatio", in: 0...1, openLower: true, "pycls se_r; RegNetY uses 0.25")
            if block != .resBottleneck { c.fail(prefix + ".seRatio", SpecCheck.show(r), "needs block res_bottleneck_block (pycls puts SE only in bottleneck blocks)") }
            // pycls: w_se = round(w_in · se_r) for each block's input width w_in; a width of 0 would drop SE silently.
            if r.isFinite, r > 0, r <= 1, SpecLimits.stemWidth.contains(stemWidth) {
                var input = stemWidth
                for (i, s) in stages.enumerated() where SpecLimits.width.contains(s.width) {
                    let squeezed = Int((Double(input) * r).rounded(.toNearestOrEven))
                    if squeezed < 1 {
                        c.fail(prefix + ".seRatio", SpecCheck.show(r), "gives w_se = round(\(input) · \(SpecCheck.show(r))) = 0 in stage \(i + 1); w_se must be ≥ 1 (use ≥ \(SpecCheck.show(0.5 / Double(input))) or no SE)")
                        break
                    }
                    input = s.width
                }
            }
        }
        // Memory, once every field is in range (so the layer walk cannot overflow).
        guard c.problems.count == before, let size = inputSize, SpecLimits.inputSize.contains(size) else { return }
        var params = 0.0, activations = 0.0
        for layer in layers(inputSize: size) {
            switch layer {
            case .conv(_, let g, let h, let w):
                params += Double(g.kernel * g.kernel) * Double(g.inChannels) * Double(g.outChannels) / Double(g.groups)
                activations += Double(g.outChannels) * Double((h - 1) / g.stride + 1) * Double((w - 1) / g.stride + 1)
            case .batchNorm(_, let ch): params += 2 * Double(ch)
            case .squeezeExcitation(_, let ch, let s, _, _): params += 2 * Double(ch) * Double(s)
            case .maxPool(_, let ch, _, let s, let h, let w): activations += Double(ch) * Double((h - 1) / s + 1) * Double((w - 1) / s + 1)
            case .linear(_, let i, let o): params += Double(i) * Double(o) + Double(o)
            }
        }
        if params > SpecLimits.maxParameters {
            c.fail(prefix + ".stages", String(format: "%.3g parameters", params),
                   "must be at most \(Int(SpecLimits.maxParameters)) parameters; use fewer or narrower stages")
        }
        if let batch = batchSize, activations * Double(batch) > SpecLimits.maxBatchActivations {
            c.fail(prefix + ".stages", String(format: "%.3g activations per batch of %d", activations * Double(batch), batch),
                   "must be at most \(Int(SpecLimits.maxBatchActivations)) floats; use a smaller batch, input or model")
        }
    }
}

extension TrainingConfig {
    /// Records every out-of-range field of the recipe under `prefix` ("training"); `blocks` bounds FEAR's trainable blocks.
    public func check(into c: inout SpecCheck, at prefix: String, blocks: Int? = nil) {
        c.integer(epochs, prefix + ".epochs", in: SpecLimits.epochs)
        c.integer(batchSize, prefix + ".batchSize", in: SpecLimits.batchSize, "batch norm needs ≥ 2 images")
        c.number(baseLearningRate, prefix + ".baseLearningRate", in: 0...10, openLower: true)
        c.oneOf(schedule, prefix + ".schedule", ["cos", "steps"])
        c.count(steps, prefix + ".steps", in: 0...100)
        let epochRange = 1...max(1, min(epochs, SpecLimits.epochs.upperBound))
        for (i, s) in steps.enumerated() {
            c.integer(s, "\(prefix).steps[\(i)]", in: epochRange, "an epoch of the recipe")
            if i > 0 && s <= steps[i - 1] { c.fail("\(prefix).steps[\(i)]", String(s), "must be greater than steps[\(i - 1)] = \(steps[i - 1])") }
        }
        if schedule != "steps" && !steps.isEmpty { c.fail(prefix + ".steps", "\(steps)", "only the \"steps\" schedule uses steps") }
        c.integer(warmupEpochs, prefix + ".warmupEpochs", in: 0...epochRange.upperBound)
        c.number(warmupFactor, prefix + ".warmupFactor", in: 0...1, openLower: true)
        c.number(momentum, prefix + ".momentum", in: 0...1, openUpper: true)
        c.number(weightDecay, prefix + ".weightDecay", in: 0...1, openUpper: true)
        c.number(labelSmoothing, prefix + ".labelSmoothing", in: 0...1, openUpper: true)
        c.integer(cropPadding, prefix + ".cropPadding", in: 0...64)
        if preciseBatchNormSamples != 0 {
            c.integer(preciseBatchNormSamples, prefix + ".preciseBatchNormSamples", in: max(2, batchSize)...max(2, batchSize, 10_000_000),
                      "0 (off) or at least one batch")
        }
        if let p = earlyStoppingPatience { c.integer(p, prefix + ".earlyStoppingPatience", in: 1...SpecLimits.epochs.upperBound) }
        if let fear {
            let f = prefix + ".fear"
            c.number(fear.thresholdPercent, f + ".thresholdPercent", in: 0...100, openLower: true)
            c.integer(fear.stage2Epochs, f + ".stage2Epochs", in: SpecLimits.epochs)
            if let b = fear.stage2BatchSize { c.integer(b, f + ".stage2BatchSize", in: SpecLimits.batchSize) }
            // Precise BN averages over ⌊samples / batch⌋ batches of the epoch's batch size: stage 2's must fit too.
            if let b = fear.stage2BatchSize, preciseBatchNormSamples != 0, b > preciseBatchNormSamples {
                c.fail(prefix + ".preciseBatchNormSamples", String(preciseBatchNormSamples),
                       "must be at least one stage-2 batch (fear.stage2BatchSize = \(b)), or 0 (off)")
            }
            c.number(fear.stage2LearningRate, f + ".stage2LearningRate", in: 0...10, openLower: true)
            c.integer(fear.trainableBlocks, f + ".trainableBlocks", in: 0...max(0, blocks ?? 64 * 16))
            c.number(fear.gradientClip, f + ".gradientClip", in: 0...1e6, openLower: true)
            if earlyStoppingPatience != nil { c.fail(prefix + ".earlyStoppingPatience", "early stopping and FEAR cannot be combined") }
        }
    }
}

extension DatasetSpec {
    /// Images, classes and side length of the source before any derivation, when known without loading it.
    public var sourceShape: (images: Int, classes: Int, size: Int)? {
        switch name {
        case "digits": return (1797, 10, 8)
        case "fashion-mnist": return (70_000, 10, 28)
        case "cifar10": return (60_000, 10, 32)
        case "cifar100": return (60_000, 100, 32)
        case "synthetic": return synthetic.map { ($0.count, $0.classes, $0.size) }
        default: return nil
        }
    }

    /// Side length of the images after `downsample` (nil when unknown or not a divisor).
    public var imageSize: Int? {
        guard let size = sourceShape?.size ?? (name == "folder" ? folder?.size : nil) else { return nil }
        let f = downsample ?? 1
        return f >= 1 && size % f == 0 ? size / f : nil
    }

    /// Records every out-of-range field under `prefix` ("dataset").
    public func check(into c: inout SpecCheck, at prefix: String) {
        c.oneOf(name, prefix + ".name", DatasetSpec.knownSources)
        let splitsHere = name == "digits" || name == "synthetic"
        if splitsHere, let images = sourceShape?.images, images >= 2 {
            c.integer(testCount, prefix + ".testCount", in: 1...(images - 1), "test images held out of the \(images)")
        } else {
            c.integer(testCount, prefix + ".testCount", in: SpecLimits.images)
        }
        c.integer(trainLimit, prefix + ".trainLimit", in: SpecLimits.images, "0 = all")
        c.integer(testLimit, prefix + ".testLimit", in: SpecLimits.images, "0 = all")
        if name == "cifar10" || name == "cifar100" {
            if path?.isEmpty ?? true { c.fail(prefix + ".path", "is required for \(name): the directory of the binary files") }
        } else if name == "folder" {
            if path?.isEmpty ?? true { c.fail(prefix + ".path", "is required for folder: the root of ROOT/<class>/* or ROOT/train, ROOT/test") }
        } else if let path {
            c.fail(prefix + ".path", SpecCheck.quote(path), "only cifar10, cifar100 and folder read files from a path")
        }
        if name == "folder" {
            if let f = folder {
                c.integer(f.size, prefix + ".folder.size", in: 1...512, "the side every image is resized to")
                if f.channels != 1 && f.channels != 3 { c.fail(prefix + ".folder.channels", String(f.channels), "must be 1 (gray) or 3 (RGB)") }
                if let p = f.onBadFile { c.oneOf(p, prefix + ".folder.onBadFile", ["fail", "skip"]) }
            } else {
                c.fail(prefix + ".folder", "is required for the folder dataset: {size, channels, onBadFile (fail or skip)}")
            }
        } else if folder != nil {
            c.fail(prefix + ".folder", "only the folder dataset takes folder parameters")
        }
        if name == "synthetic" {
            if let s = synthetic { s.check(into: &c, at: prefix + ".synthetic") } else { c.fail(prefix + ".synthetic", "is required for the synthetic dataset: {count, size, channels, classes, hidden, seed}") }
        } else if synthetic != nil {
            c.fail(prefix + ".synthetic", "only the synthetic dataset takes synthetic parameters")
        }
        let shape = sourceShape
        if let f = downsample {
            let size = shape?.size ?? 1024
            let divisors = (1...max(1, min(size, 1024))).filter { size % $0 == 0 }
            if !divisors.contains(f) {
                c.fail(prefix + ".downsample", String(f), "must divide the \(size)-pixel side: one of \(divisors.map(String.init).joined(separator: ", "))")
            }
        }
        if let k = classSubset { c.integer(k, prefix + ".classSubset", in: 2...max(2, min(shape?.classes ?? SpecLimits.classes.upperBound, SpecLimits.classes.upperBound))) }
        if let n = perClassLimit { c.integer(n, prefix + ".perClassLimit", in: 1...SpecLimits.images.upperBound) }
        if let n = validationCount { c.integer(n, prefix + ".validationCount", in: 1...SpecLimits.images.upperBound) }
    }
}

extension SyntheticDatasetSpec {
    public func check(into c: inout SpecCheck, at prefix: String) {
        c.integer(count, prefix + ".count", in: 2...1_000_000)
        c.integer(size, prefix + ".size", in: 1...64)
        c.integer(channels, prefix + ".channels", in: SpecLimits.inputChannels)
        c.integer(classes, prefix + ".classes", in: 2...100)
        c.integer(hidden, prefix + ".hidden", in: 1...4096)
        if (2...1_000_000).contains(count) && (2...100).contains(classes) && count % classes != 0 {
            c.fail(prefix + ".count", String(count), "must be a multiple of classes (\(classes)): every class holds count/classes images")
        }
        // The random networks hold classes · hidden · (size²·channels) Doubles; the images count · size²·channels Floats.
        if (1...64).contains(size) && SpecLimits.inputChannels.contains(channels) && (1...4096).contains(hidden) && (2...100).contains(classes) {
            let d = Double(size * size * channels)
            if Double(classes) * Double(hidden) * d > 50_000_000 {
                c.fail(prefix + ".hidden", String(hidden), "classes · hidden · size² · channels must be at most 50,000,000 (the random networks' weights)")
            }
            if (2...1_000_000).contains(count) && Double(count) * d > 500_000_000 {
                c.fail(prefix + ".count", String(count), "count · size² · channels must be at most 500,000,000 pixels")
            }
        }
    }
}

extension RunSpec {
    /// Every field problem of the run spec, one line each (empty when it can be trained).
    public func check() -> SpecCheck {
        var c = SpecCheck()
        dataset.check(into: &c, at: "dataset")
        let blocks = architecture.stages.reduce(0) { $0 + max(0, min($1.depth, SpecLimits.depth.upperBound)) }
        training.check(into: &c, at: "training", blocks: blocks)
        architecture.check(into: &c, at: "architecture", inputSize: dataset.imageSize,
                           batchSize: SpecLimits.batchSize.contains(training.batchSize) ? training.batchSize : nil)
        return c
    }

    /// Reads a run spec file ({architecture, dataset, training, seed}): JSON syntax, unknown keys, then every field.
    /// Each problem is one line: `FILE: field "architecture.stages[0].width" = 0: must be an integer in 1…4096`.
    public static func load(path: String) throws -> RunSpec {
        let spec: RunSpec = try SpecFile.decode(RunSpec.self, path: path, formatHelp: "a run spec: {architecture, dataset, training, seed}")
        var c = spec.check()
        // A file names its data, so the architecture must fit it (a library caller may inject other data).
        let architecture = spec.architecture, dataset = spec.dataset
        if let classes = dataset.classSubset ?? dataset.sourceShape?.classes, SpecLimits.classes.contains(architecture.classes),
           architecture.classes != classes {
            c.fail("architecture.classes", String(architecture.classes), "must equal the dataset's \(classes) classes")
        }
        if let channels = dataset.name == "synthetic" ? dataset.synthetic?.channels
            : dataset.name == "folder" ? dataset.folder?.channels : ["digits": 1, "fashion-mnist": 1, "cifar10": 3, "cifar100": 3][dataset.name],
           SpecLimits.inputChannels.contains(architecture.inputChannels), architecture.inputChannels != channels {
            c.fail("architecture.inputChannels", String(architecture.inputChannels), "must equal the dataset's \(channels) channels")
        }
        guard c.isEmpty else { throw StudyError(c.lines(file: path).joined(separator: "\n")) }
        return spec
    }
}

/// Reading a JSON spec file: syntax and types (as one line naming the field), then unknown keys (every key the
/// decoded value does not re-encode, except recipe keys written only when not at their default).
enum SpecFile {
    static func decode<T: Codable>(_ type: T.Type, path: String, formatHelp: String) throws -> T {
        guard let data = FileManager.default.contents(atPath: path) else { throw StudyError("\(path): cannot read the file") }
        let value: T
        let parsed: JSONValue
        do {
            parsed = try JSONValue.parse(data)
            guard case .object = parsed else { throw StudyError("\(path): not \(formatHelp) (the top level must be a JSON object)") }
            value = try JSONDecoder().decode(T.self, from: data)
        } catch let error as DecodingError {
            throw StudyError("\(path): \(describe(error))")
        } catch let error as StudyError {
            throw error
        } catch {
            throw StudyError("\(path): not valid JSON: \(error)")
        }
        let unknown = parsed.unknownKeys(comparedWith: try JSONValue.from(value)).filter { key in
            !TrainingConfig.keysOmittedAtDefault.contains { key == "training." + $0 || key.hasSuffix(".training." + $0) }
        }
        guard unknown.isEmpty else {
            throw StudyError("\(path): unknown key\(unknown.count > 1 ? "s" : "") \(unknown.map { "\"\($0)\"" }.joined(separator: ", ")) (not a field of \(formatHelp))")
        }
        return value
    }

    static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context, _ key: CodingKey? = nil) -> String {
            let keys = context.codingPath + (key.map { [$0] } ?? [])
            return keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined().trimmingCharacters(in: CharacterSet(charactersIn: "."))
        }
        switch error {
        case .keyNotFound(let key, let context): return "field \"\(path(context, key))\" is missing (required)"
        case .typeMismatch(let type, let context): return "field \"\(path(context))\": expected \(typeName(type)) (\(context.debugDescription))"
        case .valueNotFound(let type, let context): return "field \"\(path(context))\": expected \(typeName(type)), found null"
        case .dataCorrupted(let context): return "field \"\(path(context))\": \(context.debugDescription)"
        @unknown default: return "\(error)"
        }
    }

    static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is Int.Type, is Int64.Type, is UInt64.Type: return "an integer"
        case is Double.Type: return "a number"
        case is String.Type: return "a string"
        case is Bool.Type: return "true or false"
        default: return "\(type)"
        }
    }
}
