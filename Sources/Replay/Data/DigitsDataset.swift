import Archive
import Foundation

/// UCI optical recognition of handwritten digits (1,797 images, 8×8, 17 grey levels, 10 classes), from the CSV shipped
/// in fixtures/uci-digits (64 integers 0…16 then the label, per line; gzip-compressed). Pixels are scaled to x/16.
public enum DigitsDataset {
    public static func load(path: String) throws -> ImageDataset {
        guard let compressed = FileManager.default.contents(atPath: path) else {
            throw DatasetError(path: path, reason: "cannot read the file")
        }
        guard let data = Zlib.gunzip(compressed), let text = String(data: data, encoding: .utf8) else {
            throw DatasetError(path: path, reason: "not a gzip-compressed UTF-8 CSV")
        }
        var images: [Float] = [], labels: [Int32] = []
        for (n, line) in text.split(separator: "\n").enumerated() {
            let fields = line.split(separator: ",")
            guard fields.count == 65, let values = Optional(fields.compactMap { Int($0) }), values.count == 65,
                  values[0..<64].allSatisfy({ (0...16).contains($0) }), (0...9).contains(values[64]) else {
                throw DatasetError(path: path, reason: "line \(n + 1): expected 64 integers 0…16 and a label 0…9")
            }
            images += values[0..<64].map { Float($0) / 16 }
            labels.append(Int32(values[64]))
        }
        return ImageDataset(name: "digits", height: 8, width: 8, channels: 1, classes: 10, images: images, labels: labels)
    }
}
