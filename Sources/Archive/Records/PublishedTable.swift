import Foundation

/// A published table (model × metric) stored in the archive with its citation, so analyses can mix replayed and
/// published numbers. Stored as canonical JSON; `refs/tables/<ID>` lists it. Rows are entries of kind "published".
public struct PublishedTable: Codable, Equatable, Sendable {
    public var formatVersion: Int = 1
    /// Where the numbers come from, e.g. "Kornblith et al. 2019, Table A1, p. 14".
    public var source: String
    /// The imported file's name and SHA-256 (of its bytes as imported).
    public var fileName: String
    public var fileDigest: String
    /// Columns whose joined values identify a row (e.g. model, img_size).
    public var keyColumns: [String]
    /// Numeric columns, in file order.
    public var metrics: [String]
    public var rows: [Row]

    public struct Row: Codable, Equatable, Sendable {
        /// Key values joined by "@" (e.g. "resnet50@224").
        public var key: String
        /// Metric values; a missing cell is absent.
        public var values: [String: Double]
        public init(key: String, values: [String: Double]) { self.key = key; self.values = values }
    }

    public init(source: String, fileName: String, fileDigest: String, keyColumns: [String], metrics: [String], rows: [Row]) {
        self.source = source; self.fileName = fileName; self.fileDigest = fileDigest
        self.keyColumns = keyColumns; self.metrics = metrics; self.rows = rows
    }
}

extension Archive {
    /// Stores a published table and lists it under refs/tables; returns its ID (importing the same table twice is a no-op).
    @discardableResult
    public func importTable(_ table: PublishedTable) throws -> ObjectID {
        let id = try putJSON(table)
        try writeRef(kind: "tables", name: id.hex, target: id)
        return id
    }

    public func publishedTables() throws -> [(id: ObjectID, table: PublishedTable)] {
        try refNames(kind: "tables").map { ($0, try getJSON(PublishedTable.self, $0)) }
    }
}
