// swift-tools-version:6.1
import PackageDescription

// Dependencies come from the local package mirror; every version is pinned `exact:`.
let package = Package(
    name: "inferscale",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "inferscale", targets: ["inferscale"]),
        .library(name: "Scaling", targets: ["Scaling"]),
        .library(name: "Exposition", targets: ["Exposition"]),
        .library(name: "RuntimeSignals", targets: ["RuntimeSignals"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
        .package(url: "https://github.com/apple/swift-protobuf", exact: "1.39.0"),
    ],
    targets: [
        // Pure decision core: windows, the KPA decider, scale-to-zero gating, configuration.
        .target(name: "Scaling"),
        // Pure metric parsing: Prometheus text 0.0.4, OpenMetrics 1.0 text, queue-proxy Stat protobuf.
        .target(
            name: "Exposition",
            dependencies: [.product(name: "SwiftProtobuf", package: "swift-protobuf")],
            exclude: ["Protos/stat.proto"]
        ),
        // Pure mapping of each runtime's metrics (vLLM, SGLang, TGI, Triton, KServe, queue-proxy) to canonical signals.
        .target(name: "RuntimeSignals", dependencies: ["Exposition"]),
        .executableTarget(
            name: "inferscale",
            dependencies: [
                "Scaling",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Release-build benchmarks that print their figures: `make bench`.
        .executableTarget(name: "inferscale-bench", dependencies: ["Scaling", "Exposition"], path: "Sources/InferscaleBenchmarks"),
        .testTarget(name: "ScalingTests", dependencies: ["Scaling"]),
        .testTarget(name: "ExpositionTests", dependencies: ["Exposition"]),
        .testTarget(name: "RuntimeSignalsTests", dependencies: ["RuntimeSignals", "Exposition"]),
    ],
    swiftLanguageModes: [.v6]
)
