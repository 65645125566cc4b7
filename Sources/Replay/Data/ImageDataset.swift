import Archive
import Foundation

/// Labelled images in memory, NHWC float32, and the digest that names them in run manifests.
///
/// Digest = SHA-256 of the canonical bytes: the ASCII header "reprise-dataset 1 <N> <H> <W> <C> <classes>\n", then the
/// images as little-endian float32 (N·H·W·C values, NHWC), then the labels as little-endian int32, then — only for
/// datasets read from files one by one (image folders) — each image's file name, relative to the dataset root, in
/// UTF-8 followed by "\n", in image order (so datasets of other sources keep their digests).
public struct ImageDataset: Sendable {
    public var name: String
    public var count: Int
    public var height: Int, width: Int, channels: Int
    public var classes: Int
    public var images: [Float]
    public var labels: [Int32]
    /// For image folders: each image's file, relative to the dataset root (nil for other sources).
    public var files: [String]?

    public init(name: String, height: Int, width: Int, channels: Int, classes: Int, images: [Float], labels: [Int32]) {
        precondition(images.count == labels.count * height * width * channels, "ImageDataset \(name): images and labels disagree")
        self.name = name; self.count = labels.count; self.height = height; self.width = width; self.channels = channels
        self.classes = classes; self.images = images; self.labels = labels
    }

    public var imageSize: Int { height * width * channels }

    public var digest: ObjectID {
        var data = Data("reprise-dataset 1 \(count) \(height) \(width) \(channels) \(classes)\n".utf8)
        images.withUnsafeBytes { data.append(contentsOf: $0) }
        labels.withUnsafeBytes { data.append(contentsOf: $0) }
        for file in files ?? [] { data.append(contentsOf: Array(file.utf8) + [0x0A]) }
        return ObjectID(of: data)
    }

    /// The images at `indices`, in that order.
    public func subset(_ indices: [Int], name: String? = nil) -> ImageDataset {
        var images = [Float](); images.reserveCapacity(indices.count * imageSize)
        for i in indices { images.append(contentsOf: self.images[(i * imageSize)..<((i + 1) * imageSize)]) }
        var result = ImageDataset(name: name ?? self.name, height: height, width: width, channels: channels, classes: classes,
                                  images: images, labels: indices.map { labels[$0] })
        result.files = files.map { f in indices.map { f[$0] } }
        return result
    }

    /// Holds `count` images out (a validation part): `partition` with epoch 1 (epoch 0 is the train/test split).
    public func holdOut(_ count: Int, seed: UInt64) -> (rest: ImageDataset, heldOut: ImageDataset) {
        let (held, rest) = partition(count, seed: seed, epoch: 1)
        return (subset(rest, name: name), subset(held, name: name + "-validation"))
    }

    /// Indices of the first `count` of a Philox permutation (purpose .split, `epoch`) and of the rest, each ascending
    /// (each part keeps dataset order).
    func partition(_ count: Int, seed: UInt64, epoch: Int) -> (first: [Int], rest: [Int]) {
        let order = Philox(seed: seed).permutation(self.count, purpose: .split, epoch: epoch)
        return (order.prefix(count).sorted(), order.dropFirst(count).sorted())
    }

    /// A seeded split: `partition` with epoch 0, the first `testCount` to test, the rest to train.
    public func split(testCount: Int, seed: UInt64) -> (train: ImageDataset, test: ImageDataset) {
        let (test, train) = partition(testCount, seed: seed, epoch: 0)
        return (subset(train, name: name + "-train"), subset(test, name: name + "-test"))
    }
}

extension Philox {
    /// A permutation of 0..<n: indices sorted by their 64-bit keys (ties, of probability ~n²/2⁶⁵, broken by index).
    public func permutation(_ n: Int, purpose: Purpose, epoch: Int) -> [Int] {
        let keys = (0..<n).map { i -> UInt64 in
            let w = words(purpose: purpose, epoch: epoch, index: i)
            return UInt64(w.0) | (UInt64(w.1) << 32)
        }
        return (0..<n).sorted { keys[$0] < keys[$1] || (keys[$0] == keys[$1] && $0 < $1) }
    }
}

/// Why a dataset could not be loaded: names the file and the problem.
public struct DatasetError: Error, CustomStringConvertible {
    public var path: String
    public var reason: String
    public var description: String { "\(path): \(reason)" }
}
