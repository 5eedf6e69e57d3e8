// swift-tools-version:6.1
import PackageDescription

// Dependencies come from the local package mirror; every version is pinned `exact:`.
let package = Package(
    name: "inferscale",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "inferscale", targets: ["inferscale"]),
        .library(name: "Scaling", targets: ["Scaling"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
        .package(url: "https://github.com/apple/swift-nio", exact: "2.101.3"),
        .package(url: "https://github.com/apple/swift-log", exact: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", exact: "2.13.0"),
    ],
    targets: [
        // Pure decision core: windows, the KPA decider, scale-to-zero gating, configuration.
        .target(name: "Scaling"),
        .executableTarget(
            name: "inferscale",
            dependencies: [
                "Scaling",
                "GPU",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // NVML loaded at run time with dlopen (no NVIDIA headers or library needed to build),
        // per-GPU readings and the `inferscale agent` /metrics server.
        .target(
            name: "GPU",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // Builds a stand-in libnvidia-ml from StandIn/fake_nvml.c with `cc` and serves it to the real dlopen path.
        .testTarget(
            name: "GPUTests",
            dependencies: [
                "GPU",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            resources: [.copy("StandIn"), .copy("Golden")]
        ),
        // Release-build benchmarks that print their figures: `make bench`.
        .executableTarget(name: "inferscale-bench", dependencies: ["Scaling"], path: "Sources/InferscaleBenchmarks"),
        .testTarget(name: "ScalingTests", dependencies: ["Scaling"]),
        // Runs the built `inferscale` binary: exit codes, output formats (golden files).
        .testTarget(name: "inferscaleTests", dependencies: ["inferscale"], resources: [.copy("Golden")]),
    ],
    swiftLanguageModes: [.v6]
)
