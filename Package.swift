// swift-tools-version:6.1
import PackageDescription

// Dependencies come from the local package mirror; every version is pinned `exact:`.
let package = Package(
    name: "inferscale",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "inferscale", targets: ["inferscale"]),
        .library(name: "Scaling", targets: ["Scaling"]),
        .library(name: "Rules", targets: ["Rules"]),
        .library(name: "Exposition", targets: ["Exposition"]),
        .library(name: "RuntimeSignals", targets: ["RuntimeSignals"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", exact: "6.2.2"),
        .package(url: "https://github.com/apple/swift-log", exact: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", exact: "2.13.0"),
        .package(url: "https://github.com/apple/swift-protobuf", exact: "1.39.0"),
        .package(url: "https://github.com/swift-server/async-http-client", exact: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio", exact: "2.101.3"),
        .package(url: "https://github.com/apple/swift-nio-ssl", exact: "2.37.6"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", exact: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", exact: "2.4.1"),
    ],
    targets: [
        // Pure decision core: windows, the KPA decider, scale-to-zero gating, configuration.
        .target(name: "Scaling"),
        // Rule files: YAML model, validation with positions, matching, lint, reload.
        .target(name: "Rules", dependencies: ["Scaling", .product(name: "Yams", package: "Yams")]),
        // The control loop: ports (discovery, metric source, actuator, leadership), decision log, telemetry.
        .target(name: "Autoscaler", dependencies: [
            "Scaling", "Rules", "Exposition", "RuntimeSignals", "Scraping", "Kubernetes", "RemoteWrite",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Metrics", package: "swift-metrics"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "NIOWebSocket", package: "swift-nio"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]),
        // Pure metric parsing: Prometheus text 0.0.4, OpenMetrics 1.0 text, queue-proxy Stat protobuf.
        .target(
            name: "Exposition",
            dependencies: [.product(name: "SwiftProtobuf", package: "swift-protobuf")],
            exclude: ["Protos/stat.proto"]
        ),
        // Pure mapping of each runtime's metrics (vLLM, SGLang, TGI, Triton, KServe, queue-proxy) to canonical signals.
        .target(name: "RuntimeSignals", dependencies: ["Exposition"]),
        // Concurrent, bounded scraping of queue-proxy stats and runtime metrics over HTTP.
        .target(name: "Scraping", dependencies: [
            "Exposition", "RuntimeSignals",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        // Trace replay: trace readers, a discrete-event cluster model driving the real control
        // loop on a simulated clock, and the cost and SLO report. Resources: the trace `simulate`
        // replays by default, a data file shipped beside the binary.
        .target(name: "Simulation", dependencies: [
            "Scaling", "Rules", "Autoscaler", .product(name: "Logging", package: "swift-log"),
        ], resources: [.copy("Resources")]),
        .testTarget(name: "SimulationTests", dependencies: ["Simulation", "Scaling", "Rules", "PodTestKit"]),
        .executableTarget(
            name: "inferscale",
            dependencies: [
                "Simulation",
                "Scaling",
                "Rules",
                "Exposition",
                "RuntimeSignals",
                "Autoscaler",
                "Kubernetes",
                "Scraping",
                "RemoteWrite",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: "swift-nio"),
                "GPU",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
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
        .executableTarget(name: "inferscale-bench", dependencies: [
            "Scaling", "Exposition", "RemoteWrite", "RemoteWriteTestKit", "Autoscaler", "Kubernetes", "KubernetesTestKit",
            "PodTestKit", "Rules", "Scraping", "Simulation",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ], path: "Sources/InferscaleBenchmarks"),
        .testTarget(name: "ScalingTests", dependencies: ["Scaling"]),
        // Minimal typed Kubernetes client: config, list/watch, scale, Leases, Events.
        .target(
            name: "Kubernetes",
            dependencies: [
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        // Test kit (not a product): a fake Kubernetes API server on 127.0.0.1:0.
        .target(
            name: "KubernetesTestKit",
            dependencies: [
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
        .testTarget(name: "KubernetesTests", dependencies: ["Kubernetes", "KubernetesTestKit"]),
        .testTarget(name: "RulesTests", dependencies: ["Rules"]),
        .testTarget(name: "AutoscalerTests", dependencies: [
            "Autoscaler", "Exposition",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]),
        // Test kit (not a product): canned metrics endpoints on 127.0.0.1 standing in for pods, the
        // test data the repository ships (TestData: scrape payloads, small trace slices), and the
        // locator of the data it does not ship ($INFERSCALE_SHARED, default ../shared).
        .target(name: "PodTestKit", dependencies: [
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
        ], resources: [.copy("TestData")]),
        .testTarget(name: "EndToEndTests", dependencies: [
            "Autoscaler", "Kubernetes", "KubernetesTestKit", "PodTestKit", "Scraping", "Exposition", "Rules", "Scaling",
            "RemoteWrite", "RemoteWriteTestKit", .product(name: "Logging", package: "swift-log"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
        ]),
        .testTarget(name: "ScrapingTests", dependencies: [
            "Scraping", "RuntimeSignals", "PodTestKit",
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
        ]),
        // Runs the built `inferscale` binary: exit codes, output formats (golden files).
        .testTarget(name: "inferscaleTests", dependencies: [
            "inferscale", "Scaling", "Autoscaler", "RemoteWriteTestKit", "KubernetesTestKit", "PodTestKit",
        ], resources: [.copy("Golden")]),
        .testTarget(name: "ExpositionTests", dependencies: ["Exposition", "PodTestKit"]),
        .testTarget(name: "RuntimeSignalsTests", dependencies: ["RuntimeSignals", "Exposition", "PodTestKit"]),
        // Snappy block compression from the system C library (Debian: libsnappy-dev).
        .systemLibrary(name: "CSnappy", pkgConfig: "snappy", providers: [.apt(["libsnappy-dev"])]),
        // Prometheus remote-write 1.0/2.0: encoding, snappy, sharded queue with retries.
        .target(
            name: "RemoteWrite",
            dependencies: [
                "CSnappy",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // Test kit (not a product): a 2.0 test receiver on 127.0.0.1:0, a payload decoder, a Prometheus runner.
        .target(
            name: "RemoteWriteTestKit",
            dependencies: [
                "RemoteWrite", "CSnappy",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ]
        ),
        .testTarget(
            name: "RemoteWriteTests",
            dependencies: [
                "RemoteWrite", "RemoteWriteTestKit",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
