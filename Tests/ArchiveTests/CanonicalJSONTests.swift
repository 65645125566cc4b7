import Archive
import Foundation
import Testing

@Suite struct CanonicalJSONTests {
    /// Examples written by hand from the definition in CanonicalJSON.swift.
    @Test(arguments: [
        (#"{"b": [1.0, 0.5], "a": "x"}"#, #"{"a":"x","b":[1,0.5]}"#),
        (#"[1e0, -0.0, 1E-5, 6.02e23, 123456789012345678]"#, #"[1,0,1e-05,6.02e+23,123456789012345678]"#),
        (#"{"é": "\u00e9\n\u0001\"", "Z": null, "a": true}"#, "{\"Z\":null,\"a\":true,\"é\":\"é\\n\\u0001\\\"\"}"),
        (#"  { }  "#, "{}"),
        (#""\ud83d\ude00""#, "\"😀\""),
    ])
    func canonicalForm(input: String, expected: String) throws {
        #expect(try JSONValue.parse(Data(input.utf8)).canonicalString == expected)
    }

    @Test(arguments: [#"{"a":1,"a":2}"#, "[1,]", "{", "NaN", "[1] x", #""\ud800""#])
    func invalidJSONIsRejected(input: String) {
        #expect(throws: JSONValue.ParseError.self) { try JSONValue.parse(Data(input.utf8)) }
    }

    /// The run ID is stable: it depends on the manifest's content only, not on key order or number spelling.
    @Test func manifestIDIgnoresSpelling() throws {
        let a = sampleManifest(3)
        var b = a
        b.training = try JSONValue.parse(Data(#"{"lr": 0.1, "epochs": 2.0}"#.utf8))
        #expect(try a.runID() == b.runID())
        b.seed = 4
        #expect(try a.runID() != b.runID())
    }

    /// Fixed example: the canonical bytes and ID of a fixed manifest never change without a FORMAT version bump.
    @Test func manifestCanonicalBytesAreFixed() throws {
        let text = String(decoding: try sampleManifest(1).canonicalBytes(), as: UTF8.self)
        #expect(text == #"{"architecture":{"depths":[1,1],"width":8},"dataset":{"name":"digits"},"datasetDigest":"0000000000000000000000000000000000000000000000000000000000000000","kernelVersion":"test","kind":"train","repriseVersion":"test","seed":1,"training":{"epochs":2,"lr":0.1}}"#)
        // The run ID as an independent tool computes it: python3 -c "import hashlib; print(hashlib.sha256(TEXT.encode()).hexdigest())"
        // with TEXT the bytes above (`printf %s TEXT | sha256sum` gives the same).
        #expect(try sampleManifest(1).runID().hex == "d741c4d6d2ab3af187f5db542546f882303b096ead8a33b5929e7e160766749f")
    }
}
