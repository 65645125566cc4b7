import Archive
import Foundation

extension AnyNetXSampler {
    /// Records every out-of-range field of the design space under `prefix` ("architectures.sampler").
    public func check(into c: inout SpecCheck, at prefix: String) {
        c.integer(stemWidth, prefix + ".stemWidth", in: SpecLimits.stemWidth)
        c.count(strides, prefix + ".strides", in: SpecLimits.stages)
        for (i, s) in strides.enumerated() { c.oneOf(s, "\(prefix).strides[\(i)]", [1, 2]) }
        c.integer(inputSize, prefix + ".inputSize", in: SpecLimits.inputSize)
        c.integer(inputChannels, prefix + ".inputChannels", in: SpecLimits.inputChannels)
        c.integer(classes, prefix + ".classes", in: SpecLimits.classes)
        c.integer(minFlops, prefix + ".minFlops", in: 0...Int(1e12), "multiply-adds")
        c.integer(maxFlops, prefix + ".maxFlops", in: max(0, min(minFlops, Int(1e12)))...Int(1e12), "multiply-adds, at least minFlops")
        // log_uniform(1, maxDepth, 1) and log_uniform(8, maxWidth, 8) need high ≥ low; the paper's space is d ≤ 16, w ≤ 1024.
        c.integer(maxDepth, prefix + ".maxDepth", in: SpecLimits.depth, "log-uniform depth in 1…maxDepth")
        c.integer(maxWidth, prefix + ".maxWidth", in: 8...SpecLimits.width.upperBound, "log-uniform width in 8…maxWidth, multiples of 8")
        c.integer(maxCandidates, prefix + ".maxCandidates", in: 1...100_000_000)
        if Set(monotone).count != monotone.count { c.fail(prefix + ".monotone", "must not repeat a property") }
    }
}

extension StudySpec {
    /// Every field problem of the study, one line each (empty when it can run).
    public func check() -> SpecCheck {
        var c = SpecCheck()
        c.pathComponent(name, "name")
        if quick != nil, PathComponent.isValid(name) { c.pathComponent(name + "-quick", "name") }
        if let d = description, d.utf8.count > 10_000 { c.fail("description", "\(d.utf8.count) bytes", "must be at most 10000 bytes") }
        c.integer(architectures.count, "architectures.count", in: 3...10_000, "at least 3 to correlate anything")
        architectures.sampler.check(into: &c, at: "architectures.sampler")
        training.check(into: &c, at: "training")
        c.count(datasets, "datasets", in: 1...64)
        var seen = Set<String>()
        for (i, d) in datasets.enumerated() {
            let p = "datasets[\(i)]"
            c.pathComponent(d.label, p + ".label")
            if !seen.insert(d.label).inserted { c.fail(p + ".label", SpecCheck.quote(d.label), "must be unique (dataset labels must be unique)") }
            d.dataset.check(into: &c, at: p + ".dataset")
            d.training?.check(into: &c, at: p + ".training")
        }
        let labels = datasets.map(\.label)
        if !labels.contains(reference) { c.fail("reference", SpecCheck.quote(reference), "reference \"\(reference)\" is not a dataset label") }
        c.count(family, "family", in: 1...64)
        for (i, f) in family.enumerated() where !labels.contains(f) {
            c.fail("family[\(i)]", SpecCheck.quote(f), "family member \"\(f)\" is not a dataset label")
        }
        if Set(family).count != family.count { c.fail("family", "must not repeat a label") }
        if !family.contains(reference) { c.fail("family", "the family must include the reference \"\(reference)\"") }
        // A family member is a class subset of the reference's data (the paper's ImageNet-X): same source, with a
        // classSubset; anything else would be reported as the "closest class-subset member" of Table 3.
        if let ref = datasets.first(where: { $0.label == reference }) {
            for (i, f) in family.enumerated() where f != reference {
                guard let member = datasets.first(where: { $0.label == f }) else { continue }
                if member.dataset.name != ref.dataset.name || member.dataset.classSubset == nil {
                    c.fail("family[\(i)]", SpecCheck.quote(f), "must be a classSubset of the reference's dataset \"\(ref.dataset.name)\" (it is \"\(member.dataset.name)\"\(member.dataset.classSubset == nil ? " with no classSubset" : ""))")
                }
            }
        }
        c.count(seeds, "seeds", in: 1...100)
        if Set(seeds).count != seeds.count { c.fail("seeds", "\(seeds)", "must not repeat a seed") }
        if let quick {
            c.integer(quick.architectures, "quick.architectures", in: 3...max(3, architectures.count), "between 3 and architectures.count")
            if let e = quick.epochs { c.integer(e, "quick.epochs", in: SpecLimits.epochs) }
        }
        return c
    }
}
