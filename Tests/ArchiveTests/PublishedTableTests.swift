import Archive
import Foundation
import Testing
import TestSupport

@Suite struct PublishedTableTests {
    @Test func importListAndSurviveGC() throws {
        let t = try TemporaryArchive()
        let table = PublishedTable(source: "Kornblith et al. 2019, Table A1", fileName: "a.csv", fileDigest: String(repeating: "1", count: 64),
                                   keyColumns: ["model"], metrics: ["top1"],
                                   rows: [.init(key: "resnet50", values: ["top1": 76.15]), .init(key: "vgg16", values: [:])])
        let id = try t.archive.importTable(table)
        #expect(try t.archive.importTable(table) == id)  // idempotent
        let listed = try t.archive.publishedTables()
        #expect(listed.count == 1 && listed[0].table == table)
        #expect(try t.archive.garbageCollect(gracePeriod: 0).removed == 0)
        #expect(t.archive.fsck().isClean)
    }
}
