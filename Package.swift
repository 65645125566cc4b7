// swift-tools-version:6.0
//
// Reprise: reproducible deep-learning architecture studies, offline.
// Dependencies point one way: CLI → Analyze / Replay → Archive / Kernels → system libraries.
import PackageDescription

/// C code is compiled without floating-point contraction: `a*b + c` must stay two roundings unless a kernel
/// asks for a fused multiply-add explicitly. Replay is bit-for-bit only if the compiler never chooses the arithmetic.
let strictFloatingPoint: [CSetting] = [.unsafeFlags(["-ffp-contract=off", "-fno-fast-math"])]

let package = Package(
    name: "Reprise",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "reprise", targets: ["RepriseCLI"]),
        .library(name: "Archive", targets: ["Archive"]),
        .library(name: "Kernels", targets: ["Kernels"]),
        .library(name: "Replay", targets: ["Replay"]),
        .library(name: "Analyze", targets: ["Analyze"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
    ],
    targets: [
        // MARK: - Command line
        .executableTarget(
            name: "RepriseCLI",
            dependencies: [
                "Archive", "Kernels", "Replay", "Analyze", "SyntheticArchive", "CKernels",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        // MARK: - Public libraries
        .target(name: "Analyze", dependencies: ["Archive", "SplitMix"]),
        .target(name: "Replay", dependencies: ["Archive", "Kernels", "CImageCodecs"]),
        .target(
            name: "Archive",
            dependencies: ["CZlib", "CHDF5", "SplitMix", .product(name: "Crypto", package: "swift-crypto")],
            exclude: ["FORMAT.md"]
        ),
        .target(name: "Kernels", dependencies: ["CKernels"]),
        /// The one seeded generator of reproducible draws outside training (Analyze, fsck) and of test inputs.
        .target(name: "SplitMix"),

        /// Well-formed synthetic runs for tests, `reprise synthesize` and the archive benchmark; not a product, so no
        /// user of the Archive library gets it.
        .target(name: "SyntheticArchive", dependencies: ["Archive"]),

        // MARK: - Implementation details
        /// SIMD micro-kernels that need per-function CPU features (AVX2/FMA) with run-time dispatch,
        /// which Swift cannot express; see Sources/CKernels/README.md.
        .target(name: "CKernels", exclude: ["README.md"], cSettings: strictFloatingPoint + [.unsafeFlags(["-O3"])]),
        /// PNG (libpng) and JPEG (TurboJPEG) decoding for image-folder datasets; C because libpng reports errors by longjmp.
        .target(name: "CImageCodecs", linkerSettings: [.linkedLibrary("png16"), .linkedLibrary("turbojpeg")]),
        .systemLibrary(name: "COpenBLAS", pkgConfig: "openblas",
                       providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CHDF5", pkgConfig: "hdf5",
                       providers: [.apt(["libhdf5-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib",
                       providers: [.apt(["zlib1g-dev"])]),

        // MARK: - Tests
        /// What every test target shares: the seeded inputs (SplitMix64, randomFloats, bits, randomBytes) and
        /// TemporaryArchive.
        .target(name: "TestSupport", dependencies: ["Archive", "SplitMix"], path: "Tests/TestSupport"),
        .testTarget(name: "SystemLibrariesTests", dependencies: ["COpenBLAS", "CHDF5", "CZlib"]),
        .testTarget(name: "KernelsTests", dependencies: ["Kernels", "COpenBLAS", "TestSupport"]),
        .testTarget(name: "ArchiveTests", dependencies: ["Archive", "SyntheticArchive", "CHDF5", "TestSupport"]),
        .testTarget(name: "ReplayTests", dependencies: ["Replay", "Archive", "Kernels", "Analyze", "TestSupport"], exclude: ["golden"]),
        .testTarget(name: "AnalyzeTests", dependencies: ["Analyze", "Archive", "TestSupport"], exclude: ["golden"]),
    ],
    swiftLanguageModes: [.v5]
)

// MARK: - Fuzz targets (only with REPRISE_FUZZ=1; see Fuzz/README.md)
/// libFuzzer targets, one per parser, built with `-sanitize=fuzzer,address` by scripts/fuzz.sh in `.build-fuzz`.
/// The command line is left out of this build: libFuzzer supplies `main`, which would clash with its `@main`.
if Context.environment["REPRISE_FUZZ"] == "1" {
    let fuzzTargets: [(name: String, dependencies: [Target.Dependency])] = [
        ("FuzzCSV", ["Analyze"]),
        ("FuzzCanonicalJSON", ["Archive"]),
        ("FuzzManifest", ["Archive"]),
        ("FuzzStudySpec", ["Replay", "Archive"]),
        ("FuzzRunSpec", ["Replay", "Archive"]),
        ("FuzzClaims", ["Analyze"]),
        ("FuzzNotebook", ["Archive", "Replay", .product(name: "ArgumentParser", package: "swift-argument-parser")]),
        ("FuzzBundle", ["Archive"]),
        ("FuzzHDF5Checkpoint", ["Archive"]),
        ("FuzzIDX", ["Replay"]),
        ("FuzzCIFAR", ["Replay"]),
        ("FuzzImageFile", ["Replay"]),
        ("FuzzRunIndex", ["Archive"]),
    ]
    package.products.removeAll { $0.name == "reprise" }
    package.targets.removeAll { $0.name == "RepriseCLI" }
    package.targets.append(.target(name: "CLibFuzzer", path: "Fuzz/CLibFuzzer"))
    package.targets.append(.target(name: "FuzzSupport", dependencies: ["CLibFuzzer"], path: "Fuzz/Support"))
    for target in fuzzTargets {
        package.targets.append(.executableTarget(name: target.name, dependencies: target.dependencies + ["FuzzSupport"],
                                                 path: "Fuzz/Targets/\(target.name.dropFirst(4))"))
    }
}
