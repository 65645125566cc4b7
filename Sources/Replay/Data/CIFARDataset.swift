import Foundation

/// The binary CIFAR-10 and CIFAR-100 format (Krizhevsky, "Learning Multiple Layers of Features from Tiny Images", 2009;
/// https://www.cs.toronto.edu/~kriz/cifar.html), for files a user already has:
/// - CIFAR-10: records of 1 label byte (0…9) then 3,072 pixel bytes; files data_batch_1.bin … data_batch_5.bin (train)
///   and test_batch.bin;
/// - CIFAR-100: records of a coarse label byte (0…19), a fine label byte (0…99), then 3,072 bytes; train.bin and test.bin.
///   Reprise uses the fine label.
/// Pixels are stored channel-planar (1,024 red, 1,024 green, 1,024 blue, each row-major 32×32); Reprise converts them
/// to NHWC and scales them to x/255.
public enum CIFARDataset {
    public enum Variant: String, Codable, Sendable {
        case cifar10, cifar100
        var labelBytes: Int { self == .cifar10 ? 1 : 2 }
        var classes: Int { self == .cifar10 ? 10 : 100 }
        func files(train: Bool) -> [String] {
            switch self {
            case .cifar10: return train ? (1...5).map { "data_batch_\($0).bin" } : ["test_batch.bin"]
            case .cifar100: return [train ? "train.bin" : "test.bin"]
            }
        }
    }

    /// Decodes records from one file's bytes.
    public static func decode(_ bytes: [UInt8], variant: Variant, path: String) throws -> (images: [Float], labels: [Int32]) {
        let record = variant.labelBytes + 3072
        guard bytes.count % record == 0, !bytes.isEmpty else {
            throw DatasetError(path: path, reason: "\(bytes.count) bytes is not a whole number of \(record)-byte \(variant.rawValue) records")
        }
        let n = bytes.count / record
        var images = [Float](repeating: 0, count: n * 3072), labels = [Int32](repeating: 0, count: n)
        for r in 0..<n {
            let base = r * record
            let label = Int(bytes[base + variant.labelBytes - 1])
            guard label < variant.classes else {
                throw DatasetError(path: path, reason: "record \(r): label \(label) ≥ \(variant.classes) classes")
            }
            labels[r] = Int32(label)
            for c in 0..<3 {
                for p in 0..<1024 { images[r * 3072 + p * 3 + c] = Float(bytes[base + variant.labelBytes + c * 1024 + p]) / 255 }
            }
        }
        return (images, labels)
    }

    /// The train or test part from a directory holding the variant's files.
    public static func load(directory: String, variant: Variant, train: Bool) throws -> ImageDataset {
        var images: [Float] = [], labels: [Int32] = []
        for file in variant.files(train: train) {
            let path = directory + "/" + file
            guard let data = FileManager.default.contents(atPath: path) else {
                throw DatasetError(path: path, reason: "cannot read the file (expected the binary version of \(variant.rawValue): \(variant.files(train: train).joined(separator: ", ")))")
            }
            let part = try decode([UInt8](data), variant: variant, path: path)
            images += part.images
            labels += part.labels
        }
        return ImageDataset(name: "\(variant.rawValue)-\(train ? "train" : "test")", height: 32, width: 32, channels: 3,
                            classes: variant.classes, images: images, labels: labels)
    }
}
