import Foundation

/// One line of the index snapshot, for filtering without building an entry: fields are compared as bytes and a
/// metric is parsed only when asked for. Valid only inside `Archive.queryRuns`'s predicate.
public struct RunIndexRow {
    let line: UnsafeRawBufferPointer
    let tabs: (Int, Int, Int, Int, Int, Int, Int, Int)

    /// Finds the 8 tabs without allocating (a per-line array cost a tenth of reading the index).
    init?(_ line: UnsafeRawBufferPointer) {
        var t = (0, 0, 0, 0, 0, 0, 0, 0), n = 0
        for i in 0..<line.count where line[i] == 0x09 {
            switch n {
            case 0: t.0 = i
            case 1: t.1 = i
            case 2: t.2 = i
            case 3: t.3 = i
            case 4: t.4 = i
            case 5: t.5 = i
            case 6: t.6 = i
            case 7: t.7 = i
            default: return nil
            }
            n += 1
        }
        guard n == 8 else { return nil }
        self.line = line; self.tabs = t
    }

    /// Field k (0…8) of the line.
    func field(_ k: Int) -> UnsafeRawBufferPointer {
        let t = tabs
        let (a, b): (Int, Int)
        switch k {
        case 0: (a, b) = (0, t.0)
        case 1: (a, b) = (t.0 + 1, t.1)
        case 2: (a, b) = (t.1 + 1, t.2)
        case 3: (a, b) = (t.2 + 1, t.3)
        case 4: (a, b) = (t.3 + 1, t.4)
        case 5: (a, b) = (t.4 + 1, t.5)
        case 6: (a, b) = (t.5 + 1, t.6)
        case 7: (a, b) = (t.6 + 1, t.7)
        default: (a, b) = (t.7 + 1, line.count)
        }
        return UnsafeRawBufferPointer(rebasing: line[a..<b])
    }

    /// A field value or metric name as stored in the index (escaped UTF-8), made once per query, not per row.
    public struct Key: Sendable {
        let bytes: [UInt8]
        public init(_ text: String) { bytes = Array(RunIndexFile.escape(text).utf8) }
    }

    static func equals(_ field: UnsafeRawBufferPointer, _ key: Key) -> Bool {
        field.count == key.bytes.count && field.elementsEqual(key.bytes)
    }

    public func kindIs(_ kind: Key) -> Bool { Self.equals(field(1), kind) }
    public func datasetIs(_ dataset: Key) -> Bool { Self.equals(field(2), dataset) }
    public func statusIs(_ status: Key) -> Bool { Self.equals(field(5), status) }

    /// The value of the metric named by `key`, if the run has it.
    public func metric(_ key: Key) -> Double? {
        let m = field(7), k = key.bytes
        var start = 0
        for i in 0...m.count where i == m.count || m[i] == 0x3B {
            let pair = UnsafeRawBufferPointer(rebasing: m[start..<i])
            if pair.count > k.count, pair[k.count] == 0x3D, pair.prefix(k.count).elementsEqual(k) {
                return Double(String(decoding: UnsafeRawBufferPointer(rebasing: pair[(k.count + 1)...]), as: UTF8.self))
            }
            start = i + 1
        }
        return nil
    }
}
