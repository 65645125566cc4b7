/// What a run is, as its manifest records it (`RunManifest.kind`, the JSON string of the case's raw value).
///
/// - `train`: a training run (`reprise train`, a study's run). FEAR's and shortreg's runs are of this kind too: they
///   differ from the ground truth in their recipe (`training`), not in kind.
/// - `proxies`: zero-cost proxy scores at initialisation or at a checkpoint (`reprise rank proxies`).
/// - `synthetic`: made by `reprise synthesize`, for tests and benchmarks; never replayed.
///
/// The raw values are part of every manifest's canonical JSON, so they are part of run IDs: never rename one. A
/// manifest whose kind is none of these does not decode (the archive reports the manifest as damaged).
public enum RunKind: String, Codable, CaseIterable, Sendable, Comparable {
    case train, proxies, synthetic

    public static func < (a: RunKind, b: RunKind) -> Bool { a.rawValue < b.rawValue }

    /// "train, proxies or synthetic", for error messages and help texts.
    public static var allowedList: String {
        let names = allCases.map(\.rawValue)
        return names.dropLast().joined(separator: ", ") + " or " + names.last!
    }
}
