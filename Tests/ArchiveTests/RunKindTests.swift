@testable import Archive
import Foundation
import Testing

/// Run kinds are typed (RunKind) but stored as the strings every existing manifest holds, so run IDs do not change.
@Suite struct RunKindTests {
    /// The raw values are part of run IDs: a renamed case would change every run ID of its kind.
    @Test func rawValuesArePinned() {
        #expect(RunKind.allCases.map(\.rawValue) == ["train", "proxies", "synthetic"])
    }

    /// A manifest encodes its kind as the plain string, and one with a kind Reprise never writes does not decode.
    @Test func aManifestCarriesItsKindAsAStringAndRefusesUnknownKinds() throws {
        var manifest = sampleManifest(1)
        manifest.kind = .proxies
        let text = String(decoding: try manifest.canonicalBytes(), as: UTF8.self)
        #expect(text.contains("\"kind\":\"proxies\""))
        let unknown = Data(text.replacingOccurrences(of: "\"kind\":\"proxies\"", with: "\"kind\":\"shortreg\"").utf8)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(RunManifest.self, from: unknown) }
        #expect(try JSONDecoder().decode(RunManifest.self, from: Data(text.utf8)) == manifest)
    }
}
