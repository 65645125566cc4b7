import Archive
import Foundation
import Replay
import Testing

/// A 1-channel dataset of 2×2 images whose single distinguishing pixel is the image's index, with the given labels.
func indexedDataset(labels: [Int32], classes: Int) -> ImageDataset {
    ImageDataset(name: "toy", height: 2, width: 2, channels: 1, classes: classes,
                 images: labels.indices.flatMap { [Float($0), 0, 0, 0] }, labels: labels)
}

@Suite struct DerivedDatasetTests {
    /// Class subsets are sorted, of the asked size, and nested for one seed (the ImageNet-X family shares its images).
    @Test func classSubsetsAreNested() {
        for seed: UInt64 in [0, 1, 99] {
            let family = [2, 5, 10, 100].map { ImageDataset.classSubset(of: 1000, keep: $0, seed: seed) }
            for (small, large) in zip(family, family.dropFirst()) { #expect(Set(small).isSubset(of: Set(large))) }
            for (k, subset) in zip([2, 5, 10, 100], family) { #expect(subset.count == k && subset == subset.sorted() && Set(subset).count == k) }
        }
        #expect(ImageDataset.classSubset(of: 1000, keep: 10, seed: 0) != ImageDataset.classSubset(of: 1000, keep: 10, seed: 1))
    }

    /// Keeping classes {1, 3} of 4: images of other classes go, labels become 0 (was 1) and 1 (was 3), order is kept.
    @Test func keepingClassesRenumbers() {
        let toy = indexedDataset(labels: [0, 1, 2, 3, 3, 1, 0], classes: 4)
        let kept = toy.keepingClasses([1, 3])
        #expect(kept.classes == 2)
        #expect(kept.labels == [0, 1, 1, 0])
        #expect(stride(from: 0, to: kept.images.count, by: 4).map { kept.images[$0] } == [1, 3, 4, 5])
    }

    /// Per-class limits: min(n, class size) images of each class, a subset of the original in original order.
    @Test func perClassLimit() {
        let toy = indexedDataset(labels: [0, 0, 0, 0, 0, 1, 1, 2, 0, 1], classes: 3)
        let limited = toy.limitingPerClass(2, seed: 5)
        #expect(limited.classSizes == [2, 2, 1])
        let indices = stride(from: 0, to: limited.images.count, by: 4).map { Int(limited.images[$0]) }
        #expect(indices == indices.sorted())
        #expect(indices.allSatisfy { limited.labels[indices.firstIndex(of: $0)!] == toy.labels[$0] })
    }

    /// Rebalancing cuts only the largest class, to the second largest size; a tie for the largest changes nothing.
    @Test func rebalancing() {
        let skewed = indexedDataset(labels: [0, 0, 0, 0, 0, 1, 1, 1, 2, 2], classes: 3)
        #expect(skewed.rebalanced(seed: 0).classSizes == [3, 3, 2])
        let tied = indexedDataset(labels: [0, 0, 1, 1, 2], classes: 3)
        #expect(tied.rebalanced(seed: 0).labels == tied.labels)
    }

    /// 4×4 → 2×2 by hand: each output pixel is the mean of its 2×2 block; 3 does not divide 4.
    @Test func downsampling() throws {
        let image: [Float] = [1, 2, 3, 4,
                              5, 6, 7, 8,
                              9, 10, 11, 12,
                              13, 14, 15, 17]
        let data = ImageDataset(name: "d", height: 4, width: 4, channels: 1, classes: 2, images: image, labels: [1])
        let small = try data.downsampled(by: 2)
        #expect(small.images == [3.5, 5.5, 11.5, 13.75])
        #expect(small.height == 2 && small.width == 2)
        #expect(throws: DatasetError.self) { try data.downsampled(by: 3) }
    }

    /// CIFAR binary records: label byte(s), then planar R, G, B; Reprise gives NHWC in x/255. Damaged files are refused.
    @Test func cifarRecords() throws {
        var record = [UInt8](repeating: 0, count: 1 + 3072)
        record[0] = 7
        record[1 + 0] = 255          // red of pixel 0
        record[1 + 1024 + 1] = 51    // green of pixel 1
        record[1 + 2048 + 1023] = 102 // blue of the last pixel
        let (images, labels) = try CIFARDataset.decode(record + record, variant: .cifar10, path: "t")
        #expect(labels == [7, 7])
        #expect(images[0] == 1 && images[1 * 3 + 1] == 51 / 255 && images[1023 * 3 + 2] == 102 / 255 && images[3072] == 1)
        #expect(images.filter { $0 != 0 }.count == 6)
        var fine = [UInt8](repeating: 0, count: 2 + 3072)
        fine[0] = 3; fine[1] = 42
        #expect(try CIFARDataset.decode(fine, variant: .cifar100, path: "t").labels == [42])
        #expect(throws: DatasetError.self) { try CIFARDataset.decode(Array(record.dropLast()), variant: .cifar10, path: "t") }
        record[0] = 10
        #expect(throws: DatasetError.self) { try CIFARDataset.decode(record, variant: .cifar10, path: "t") }
    }

    /// The CIFAR directory loader reads the files of the format (written here by the test).
    @Test func cifarDirectory() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("cifar-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for (n, file) in ["data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin", "test_batch.bin"].enumerated() {
            var bytes = [UInt8](repeating: UInt8(n), count: 3073 * 2)
            bytes[0] = UInt8(n); bytes[3073] = 9
            FileManager.default.createFile(atPath: dir + "/" + file, contents: Data(bytes))
        }
        var spec = DatasetSpec(name: "cifar10")
        spec.path = dir
        let (train, test) = try spec.load()
        #expect(train.count == 10 && test.count == 2)
        #expect(train.labels == [0, 9, 1, 9, 2, 9, 3, 9, 4, 9] && test.labels == [5, 9])
        spec.path = dir + "/missing"
        #expect(throws: DatasetError.self) { try spec.load() }
    }

    /// FEAR App. A.4's synthetic data: exactly count/classes images per class, bitwise reproducible, seed-dependent,
    /// Gaussian pixels (mean ≈ 0, variance ≈ 1).
    @Test func syntheticDataset() throws {
        let spec = SyntheticDatasetSpec(count: 400, size: 6, channels: 1, classes: 4, hidden: 36, seed: 3)
        let a = try spec.generate(), b = try spec.generate()
        #expect(a.classSizes == [100, 100, 100, 100])
        #expect(a.digest == b.digest)
        var other = spec; other.seed = 4
        #expect(try other.generate().digest != a.digest)
        let mean = a.images.reduce(0.0) { $0 + Double($1) } / Double(a.images.count)
        let variance = a.images.reduce(0.0) { $0 + Double($1) * Double($1) } / Double(a.images.count) - mean * mean
        #expect(abs(mean) < 0.05 && abs(variance - 1) < 0.05)
        #expect(throws: DatasetError.self) { try SyntheticDatasetSpec(count: 401, size: 6, channels: 1, classes: 4, hidden: 36, seed: 3).generate() }
    }

    /// Specs that use no derivation encode exactly as before the derivations existed, so old run IDs stay valid.
    @Test func oldSpecsKeepTheirManifest() throws {
        let json = try JSONValue.from(DatasetSpec(name: "digits"))
        #expect(json.canonicalString == #"{"name":"digits","splitSeed":0,"testCount":360,"testLimit":0,"trainLimit":0}"#)
    }

    /// A derived spec end to end on digits: 10 → 5 classes chosen by seed, every part relabelled into 0..<5.
    @Test func derivedDigits() throws {
        var spec = DatasetSpec(name: "digits")
        spec.classSubset = 5
        spec.subsetSeed = 2
        spec.perClassLimit = 20
        let (train, test) = try spec.load()
        #expect(train.classes == 5 && test.classes == 5)
        #expect(train.classSizes == [20, 20, 20, 20, 20])
        #expect(test.labels.allSatisfy { (0..<5).contains($0) })
        spec.classSubset = 11
        #expect(throws: DatasetError.self) { try spec.load() }
    }
}
