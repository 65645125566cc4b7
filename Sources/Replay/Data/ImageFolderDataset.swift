import Foundation

/// How an image-folder dataset is read (`DatasetSpec.folder`, with the root in `DatasetSpec.path`).
public struct ImageFolderSpec: Codable, Equatable, Sendable {
    /// Side of the square images the run sees (every file is resized to size × size, see `ImageFile.resized`).
    public var size: Int
    /// 1 (gray) or 3 (RGB); files of the other kind are converted (`ImageFile.converted`).
    public var channels: Int
    /// "fail" (the default): the first bad file stops the load, naming it. "skip": bad files are left out and listed
    /// (`ImageFolderDataset.Load.skipped`); the dataset digest covers the files kept.
    public var onBadFile: String?

    public init(size: Int, channels: Int, onBadFile: String? = nil) {
        self.size = size; self.channels = channels; self.onBadFile = onBadFile
    }
}

/// Datasets stored as folders of PNG or JPEG files, one folder per class:
/// - `ROOT/train/<class>/*` and `ROOT/test/<class>/*` (both present): the two parts as given; the classes are the
///   train part's folders, and the test part must have the same ones;
/// - otherwise `ROOT/<class>/*`: one pool, split into train and test by `DatasetSpec.splitSeed` and `testCount`
///   (`ImageDataset.split`, the same seeded partition as digits).
/// Classes are the folder names in byte order of their UTF-8 names (label i = the i-th), files within a class in the
/// same order; names starting with "." are ignored, and so is anything that is not a regular file or folder.
/// A class folder with no image is an error (also under "skip": a class cannot vanish silently).
///
/// Each image is decoded (`ImageFile`), converted to the spec's channels, resized to size × size by exact area
/// averaging, and stored as Float in [0, 1]; images are independent, so the result does not depend on the thread
/// count. The dataset's digest (`ImageDataset.digest`) covers the pixels, the labels and, through `files`, the sorted
/// list of the files kept.
public enum ImageFolderDataset {
    public struct Load {
        public var train: ImageDataset
        public var test: ImageDataset
        /// Files left out under "skip", as "relative/path: reason", sorted.
        public var skipped: [String]
    }

    public static func load(root: String, spec: ImageFolderSpec, testCount: Int, splitSeed: Int64) throws -> Load {
        let fm = FileManager.default
        var isDirectory: ObjCBool = false
        guard fm.fileExists(atPath: root, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw DatasetError(path: root, reason: "not a folder (an image-folder dataset's \"path\" is ROOT, holding ROOT/<class>/* or ROOT/train and ROOT/test)")
        }
        let skip = spec.onBadFile == "skip"
        var skipped: [String] = []
        func isFolder(_ path: String) -> Bool { var d: ObjCBool = false; return fm.fileExists(atPath: path, isDirectory: &d) && d.boolValue }
        func entries(_ path: String) throws -> [String] {
            do {
                return try fm.contentsOfDirectory(atPath: path).filter { !$0.hasPrefix(".") }.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) }
            } catch { throw DatasetError(path: path, reason: "cannot list the folder") }
        }
        func part(_ folder: String, prefix: String, classes: [String], name: String) throws -> ImageDataset {
            let side = spec.size, perImage = side * side * spec.channels
            var images: [Float] = [], labels: [Int32] = [], files: [String] = []
            for (label, cls) in classes.enumerated() {
                let classPath = folder + "/" + cls
                guard isFolder(classPath) else { throw DatasetError(path: classPath, reason: "class folder missing (every part needs the same class folders)") }
                var kept = 0
                for file in try entries(classPath) {
                    let path = classPath + "/" + file
                    var d: ObjCBool = false
                    guard fm.fileExists(atPath: path, isDirectory: &d), !d.boolValue else { continue }
                    let relative = prefix + cls + "/" + file
                    do {
                        let image = try ImageFile.decode(path: path).converted(toChannels: spec.channels)
                        images += image.resized(toSide: side)
                        labels.append(Int32(label))
                        files.append(relative)
                        kept += 1
                    } catch let error as DatasetError where skip {
                        skipped.append("\(relative): \(error.reason)")
                    }
                }
                guard kept > 0 else { throw DatasetError(path: classPath, reason: "no image in this class folder (a class needs at least one PNG or JPEG)") }
            }
            precondition(images.count == labels.count * perImage)
            var dataset = ImageDataset(name: name, height: side, width: side, channels: spec.channels, classes: classes.count,
                                       images: images, labels: labels)
            dataset.files = files
            return dataset
        }
        let name = URL(fileURLWithPath: root).lastPathComponent
        if isFolder(root + "/train") && isFolder(root + "/test") {
            let classes = try entries(root + "/train").filter { isFolder(root + "/train/" + $0) }
            guard classes.count >= 2 else { throw DatasetError(path: root + "/train", reason: "\(classes.count) class folder(s); a dataset needs at least 2") }
            let testClasses = try entries(root + "/test").filter { isFolder(root + "/test/" + $0) }
            if let extra = testClasses.first(where: { !classes.contains($0) }) {
                throw DatasetError(path: root + "/test/" + extra, reason: "a class the train part does not have")
            }
            let train = try part(root + "/train", prefix: "train/", classes: classes, name: name + "-train")
            let test = try part(root + "/test", prefix: "test/", classes: classes, name: name + "-test")
            return Load(train: train, test: test, skipped: skipped)
        }
        let classes = try entries(root).filter { isFolder(root + "/" + $0) }
        guard classes.count >= 2 else { throw DatasetError(path: root, reason: "\(classes.count) class folder(s); a dataset needs at least 2 (ROOT/<class>/*, or ROOT/train and ROOT/test)") }
        let pool = try part(root, prefix: "", classes: classes, name: name)
        guard testCount >= 1, testCount < pool.count else {
            throw DatasetError(path: root, reason: "testCount \(testCount): must be at least 1 and less than the \(pool.count) images")
        }
        let (train, test) = pool.split(testCount: testCount, seed: UInt64(bitPattern: splitSeed))
        return Load(train: train, test: test, skipped: skipped)
    }
}
