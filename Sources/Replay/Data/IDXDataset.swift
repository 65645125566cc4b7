import Archive
import Foundation

/// The IDX format of MNIST and Fashion-MNIST (LeCun et al.): big-endian header (magic 0x00000803 for u8 images with
/// 3 dimensions, 0x00000801 for u8 labels), then the bytes. Files may be gzip-compressed (Debian's
/// dataset-fashion-mnist installs them under /usr/share/datasets/fashion-mnist). Pixels are scaled to x/255.
public enum IDXDataset {
    public static let fashionMNISTDirectory = "/usr/share/datasets/fashion-mnist"

    public static func load(images imagesPath: String, labels labelsPath: String, name: String, classes: Int = 10) throws -> ImageDataset {
        let imageBytes = try read(imagesPath), labelBytes = try read(labelsPath)
        func u32(_ d: [UInt8], _ at: Int) -> Int { Int(d[at]) << 24 | Int(d[at + 1]) << 16 | Int(d[at + 2]) << 8 | Int(d[at + 3]) }
        guard imageBytes.count >= 16, u32(imageBytes, 0) == 0x0000_0803 else {
            throw DatasetError(path: imagesPath, reason: "not an IDX u8 image file (magic 0x00000803)")
        }
        guard labelBytes.count >= 8, u32(labelBytes, 0) == 0x0000_0801 else {
            throw DatasetError(path: labelsPath, reason: "not an IDX u8 label file (magic 0x00000801)")
        }
        let (n, h, w) = (u32(imageBytes, 4), u32(imageBytes, 8), u32(imageBytes, 12))
        // Each dimension is < 2³², so their product can overflow Int: checked before it is compared with the size.
        let (nh, overflowNH) = n.multipliedReportingOverflow(by: h), (pixels, overflowNHW) = nh.multipliedReportingOverflow(by: w)
        guard !overflowNH, !overflowNHW, imageBytes.count - 16 == pixels else {
            throw DatasetError(path: imagesPath, reason: "truncated: \(imageBytes.count) bytes for \(n) images of \(h)×\(w)")
        }
        guard u32(labelBytes, 4) == n, labelBytes.count == 8 + n else {
            throw DatasetError(path: labelsPath, reason: "label count does not match the \(n) images")
        }
        let labels = labelBytes[8...].map { Int32($0) }
        if let bad = labels.first(where: { $0 >= classes }) { throw DatasetError(path: labelsPath, reason: "label \(bad) ≥ \(classes) classes") }
        return ImageDataset(name: name, height: h, width: w, channels: 1, classes: classes,
                            images: imageBytes[16...].map { Float($0) / 255 }, labels: labels)
    }

    /// Fashion-MNIST's train or test part from Debian's package.
    public static func fashionMNIST(train: Bool, directory: String = fashionMNISTDirectory) throws -> ImageDataset {
        let prefix = train ? "train" : "t10k"
        return try load(images: "\(directory)/\(prefix)-images-idx3-ubyte.gz", labels: "\(directory)/\(prefix)-labels-idx1-ubyte.gz",
                        name: train ? "fashion-mnist-train" : "fashion-mnist-test")
    }

    static func read(_ path: String) throws -> [UInt8] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw DatasetError(path: path, reason: "cannot read the file (install Debian's dataset-fashion-mnist: scripts/setup.sh does)")
        }
        if data.starts(with: [0x1f, 0x8b]) {
            guard let raw = Zlib.gunzip(data) else { throw DatasetError(path: path, reason: "damaged gzip stream") }
            return [UInt8](raw)
        }
        return [UInt8](data)
    }
}
