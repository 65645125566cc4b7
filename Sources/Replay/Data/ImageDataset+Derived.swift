import Foundation

/// Derived datasets of the representative-basis seed ("ImageNet as a Representative Basis…", §4.3 and App. B.6/B.7).
/// Every choice is drawn from Philox keyed by an explicit seed (purpose .dataset; the epoch field names the transform),
/// so a derived dataset is a pure function of its parent and its parameters. Images keep their original order.
extension ImageDataset {
    /// The k classes kept by `keepingClasses(_:seed:)`: the first k of a Philox permutation of 0..<classes
    /// (purpose .dataset, epoch 1), sorted ascending. For one seed the subsets are nested: k₁ < k₂ ⇒ subset(k₁) ⊂ subset(k₂),
    /// so a family (like ImageNet-100 ⊃ ImageNet-10 ⊃ ImageNet-5 ⊃ ImageNet-2) shares its images.
    public static func classSubset(of classes: Int, keep k: Int, seed: UInt64) -> [Int] {
        Array(Philox(seed: seed).permutation(classes, purpose: .dataset, epoch: 1).prefix(k)).sorted()
    }

    /// "ImageNet-X": keeps the images of the chosen classes (see `classSubset`) and deletes the rest; labels are renumbered
    /// 0..<k in ascending order of the original label.
    public func keepingClasses(_ kept: [Int]) -> ImageDataset {
        var newLabel = [Int32](repeating: -1, count: classes)
        for (n, c) in kept.enumerated() { newLabel[c] = Int32(n) }
        let indices = (0..<count).filter { newLabel[Int(labels[$0])] >= 0 }
        var result = subset(indices)
        result.labels = result.labels.map { newLabel[Int($0)] }
        result.classes = kept.count
        return result
    }

    /// "ImageNet-1000-10" (App. B.6): at most n images of every class — the first n of each class in the order of a Philox
    /// permutation of the images (purpose .dataset, epoch 2); classes with fewer keep all.
    public func limitingPerClass(_ n: Int, seed: UInt64) -> ImageDataset {
        var taken = [Int](repeating: 0, count: classes)
        var keep = [Bool](repeating: false, count: count)
        for i in Philox(seed: seed).permutation(count, purpose: .dataset, epoch: 2) {
            let c = Int(labels[i])
            if taken[c] < n { taken[c] += 1; keep[i] = true }
        }
        return subset((0..<count).filter { keep[$0] })
    }

    /// "Balanced" (App. B.7): the most common class is cut to the size of the second most common one, keeping the first
    /// images of that class in the order of a Philox permutation (purpose .dataset, epoch 3). When two classes tie for the
    /// largest, or there is one class, nothing changes.
    public func rebalanced(seed: UInt64) -> ImageDataset {
        let sorted = classSizes.enumerated().sorted { $0.element > $1.element || ($0.element == $1.element && $0.offset < $1.offset) }
        guard sorted.count >= 2, sorted[0].element > sorted[1].element else { return self }
        let largest = sorted[0].offset, target = sorted[1].element
        var taken = 0
        var keep = [Bool](repeating: true, count: count)
        for i in Philox(seed: seed).permutation(count, purpose: .dataset, epoch: 3) where Int(labels[i]) == largest {
            if taken < target { taken += 1 } else { keep[i] = false }
        }
        return subset((0..<count).filter { keep[$0] })
    }

    /// Images shrunk by an integer factor f: each output pixel is the mean of an f×f block (summed row by row in Double,
    /// divided by f², rounded once to Float). Height and width must be multiples of f.
    public func downsampled(by f: Int) throws -> ImageDataset {
        guard f >= 1, height % f == 0, width % f == 0 else {
            throw DatasetError(path: name, reason: "cannot downsample \(height)×\(width) images by \(f): not a divisor")
        }
        if f == 1 { return self }
        let (h, w, c) = (height / f, width / f, channels)
        var out = [Float](repeating: 0, count: count * h * w * c)
        for n in 0..<count {
            for y in 0..<h {
                for x in 0..<w {
                    for ch in 0..<c {
                        var sum = 0.0
                        for dy in 0..<f {
                            for dx in 0..<f { sum += Double(images[n * imageSize + ((y * f + dy) * width + x * f + dx) * c + ch]) }
                        }
                        out[((n * h + y) * w + x) * c + ch] = Float(sum / Double(f * f))
                    }
                }
            }
        }
        var result = ImageDataset(name: name, height: h, width: w, channels: c, classes: classes, images: out, labels: labels)
        result.files = files
        return result
    }

    /// Images per class, index = label.
    public var classSizes: [Int] {
        var sizes = [Int](repeating: 0, count: classes)
        for l in labels { sizes[Int(l)] += 1 }
        return sizes
    }
}
