import Foundation

extension JSONValue {
    /// Key paths (e.g. "datasets[2].training.epoch") present in `self` but not in `known`: used to reject typos in
    /// hand-written spec files, by comparing the file with the re-encoding of what was decoded from it.
    /// Arrays are compared element by element; a null in `self` counts as absent.
    public func unknownKeys(comparedWith known: JSONValue, path: String = "") -> [String] {
        switch (self, known) {
        case (.object(let mine), .object(let theirs)):
            return mine.keys.sorted().flatMap { key -> [String] in
                let sub = path.isEmpty ? key : path + "." + key
                guard let value = mine[key], value != .null else { return [] }
                guard let other = theirs[key] else { return [sub] }
                return value.unknownKeys(comparedWith: other, path: sub)
            }
        case (.array(let mine), .array(let theirs)):
            return zip(mine, theirs).enumerated().flatMap { $0.element.0.unknownKeys(comparedWith: $0.element.1, path: "\(path)[\($0.offset)]") }
        default:
            return []
        }
    }
}
