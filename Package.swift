// swift-tools-version:6.1
import PackageDescription

// Dependencies come from the local package mirror; every version is pinned `exact:`.
//
// Targets are listed by layer, from the bottom; nothing in a layer imports one above it
// (ArchitectureTests checks the core's imports and that docs/architecture.md lists every target):
//   1. pure core: decisions, rules, parsing, the control loop and the simulation; no network stack
//   2. I/O modules: one protocol or device each (Kubernetes API, scraping, remote-write, NVML)
//   3. adapters: the loop core joined to the I/O modules (cluster discovery and actuation, endpoints)
//   4. executables: the command line and the benchmarks
//   5. test kits (not products) and test targets
let nio = "swift-nio"
let package = Package(
    name: "inferscale",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "inferscale", targets: ["inferscale"]),
        .library(name: "Scaling", targets: ["Scaling"]),
        .library(name: "Rules", targets: ["Rules"]),
        .library(name: "Exposition", targets: ["Exposition"]),
        .library(name: "RuntimeSignals", targets: ["RuntimeSignals"]),
        .library(name: "AutoscalerCore", targets: ["AutoscalerCore"]),
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
        // gRPC for the kubelet's pod-resources API (the GPU agent maps GPUs to pods through it).
        .package(url: "https://github.com/grpc/grpc-swift-2", exact: "2.4.3"),
        .package(url: "https://github.com/grpc/grpc-swift-nio-transport", exact: "2.9.2"),
        .package(url: "https://github.com/grpc/grpc-swift-protobuf", exact: "2.4.1"),
    ],
    targets: [
        // MARK: 1. Pure core

        // Windows, the KPA decider, scale-to-zero gating, configuration, multi-metric policies.
        .target(name: "Scaling"),
        // Rule files: YAML model, validation with positions, matching, lint, reload.
        .target(name: "Rules", dependencies: ["Scaling", .product(name: "Yams", package: "Yams")]),
        // Metric parsing: Prometheus text 0.0.4, OpenMetrics 1.0 text, queue-proxy Stat protobuf.
        .target(
            name: "Exposition",
            dependencies: [.product(name: "SwiftProtobuf", package: "swift-protobuf")],
            exclude: ["Protos/stat.proto"]
        ),
        // Each runtime's metrics (vLLM, SGLang, TGI, Triton, KServe, queue-proxy) mapped to canonical signals.
        .target(name: "RuntimeSignals", dependencies: ["Exposition"]),
        // The control loop over its ports (discovery, metric source, actuator, leadership), the
        // decision log, telemetry and the metric catalog.
        .target(name: "AutoscalerCore", dependencies: [
            "Scaling", "Rules",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Metrics", package: "swift-metrics"),
        ]),
        // Trace replay: trace readers, a discrete-event cluster model driving the real control
        // loop on a simulated clock, and the cost and SLO report. Resources: the trace `simulate`
        // replays by default, a data file shipped beside the binary.
        .target(name: "Simulation", dependencies: [
            "Scaling", "Rules", "AutoscalerCore", .product(name: "Logging", package: "swift-log"),
        ], resources: [.copy("Resources")]),

        // MARK: 2. I/O modules

        // Minimal typed Kubernetes client: config, list/watch, scale, Leases, Events.
        .target(
            name: "Kubernetes",
            dependencies: [
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: nio),
                .product(name: "NIOConcurrencyHelpers", package: nio),
                .product(name: "NIOHTTP1", package: nio),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Yams", package: "Yams"),
            ]
        ),
        // Concurrent, bounded scraping of queue-proxy stats and runtime metrics over HTTP.
        .target(name: "Scraping", dependencies: [
            "Exposition", "RuntimeSignals",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOCore", package: nio),
            .product(name: "NIOPosix", package: nio),
            .product(name: "NIOHTTP1", package: nio),
            .product(name: "NIOConcurrencyHelpers", package: nio),
            .product(name: "Logging", package: "swift-log"),
        ]),
        // Snappy block compression from the system C library (Debian: libsnappy-dev).
        .systemLibrary(name: "CSnappy", pkgConfig: "snappy", providers: [.apt(["libsnappy-dev"])]),
        // Prometheus remote-write 1.0/2.0: encoding, snappy, sharded queue with retries.
        .target(
            name: "RemoteWrite",
            dependencies: [
                "CSnappy",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: nio),
                .product(name: "NIOConcurrencyHelpers", package: nio),
                .product(name: "NIOHTTP1", package: nio),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // The kubelet's pod-resources API v1 (gRPC): the proto and the Swift code generated from it
        // (`make protos`), messages and the client and server stubs.
        .target(
            name: "KubeletPodResources",
            dependencies: [
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCProtobuf", package: "grpc-swift-protobuf"),
            ],
            exclude: ["api.proto"]
        ),
        // NVML loaded at run time with dlopen (no NVIDIA headers or library needed to build),
        // per-GPU readings, the GPU-to-pod mapping from the kubelet and the `inferscale agent` /metrics server.
        .target(
            name: "GPU",
            dependencies: [
                "KubeletPodResources",
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCNIOTransportHTTP2Posix", package: "grpc-swift-nio-transport"),
                .product(name: "NIOCore", package: nio),
                .product(name: "NIOPosix", package: nio),
                .product(name: "NIOHTTP1", package: nio),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),

        // MARK: 3. Adapters

        // The loop core joined to the cluster: Kubernetes discovery and actuation, the scraping
        // metric source, the HTTP endpoints and push forwarding, the activator websocket, the
        // self-metrics remote-write, and the services that drive the loop.
        .target(name: "ClusterAdapters", dependencies: [
            "AutoscalerCore", "Scaling", "Rules", "Exposition", "RuntimeSignals", "Scraping", "Kubernetes", "RemoteWrite",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Metrics", package: "swift-metrics"),
            .product(name: "NIOCore", package: nio),
            .product(name: "NIOPosix", package: nio),
            .product(name: "NIOHTTP1", package: nio),
            .product(name: "NIOWebSocket", package: nio),
            .product(name: "NIOConcurrencyHelpers", package: nio),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "Prometheus", package: "swift-prometheus"),
        ]),

        // MARK: 4. Executables

        .executableTarget(
            name: "inferscale",
            dependencies: [
                "Simulation", "Scaling", "Rules", "Exposition", "RuntimeSignals", "AutoscalerCore", "ClusterAdapters",
                "Kubernetes", "Scraping", "RemoteWrite", "GPU",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "NIOCore", package: nio),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Release-build benchmarks that print their figures: `make bench`.
        .executableTarget(name: "inferscale-bench", dependencies: [
            "Scaling", "Exposition", "RemoteWrite", "RemoteWriteTestKit", "AutoscalerCore", "ClusterAdapters", "Kubernetes",
            "KubernetesTestKit", "PodTestKit", "Rules", "Scraping", "Simulation", "SoakTestKit",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "Metrics", package: "swift-metrics"),
            .product(name: "NIOCore", package: nio), .product(name: "NIOPosix", package: nio),
            .product(name: "NIOHTTP1", package: nio), .product(name: "NIOConcurrencyHelpers", package: nio),
        ], path: "Sources/InferscaleBenchmarks"),

        // libFuzzer targets for every parser of untrusted bytes: `make fuzz` (docs/fuzzing.md).
        // Only a build with -DINFERSCALE_FUZZ and --sanitize=fuzzer has the fuzzer entry point.
        .executableTarget(name: "inferscale-fuzz", dependencies: [
            "Exposition", "Rules", "Kubernetes", "ClusterAdapters", "RemoteWriteTestKit",
            .product(name: "NIOCore", package: nio),
        ], path: "Sources/InferscaleFuzz"),

        // MARK: 5. Test kits (not products) and tests

        // In-memory ports of the control loop (discovery, metric source, actuator) and a log recorder.
        .target(name: "LoopTestKit", dependencies: [
            "AutoscalerCore", "Rules", "Scaling",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "NIOConcurrencyHelpers", package: nio),
        ]),
        // A fake Kubernetes API server on 127.0.0.1:0, and `FakeCluster`, the end-to-end tests' fake API, client and
        // canned endpoints started and stopped together.
        .target(
            name: "KubernetesTestKit",
            dependencies: [
                "Kubernetes", "PodTestKit",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: nio),
                .product(name: "NIOPosix", package: nio),
                .product(name: "NIOHTTP1", package: nio),
                .product(name: "NIOConcurrencyHelpers", package: nio),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ]
        ),
        // Canned and slow (drip-feeding, slow-loris) metrics endpoints on 127.0.0.1 standing in for pods, the
        // test data the repository ships (TestData: scrape payloads, small trace slices), and the locator of
        // the data it does not ship ($INFERSCALE_SHARED, default ../shared).
        .target(name: "PodTestKit", dependencies: [
            .product(name: "NIOCore", package: nio),
            .product(name: "NIOPosix", package: nio),
            .product(name: "NIOHTTP1", package: nio),
            .product(name: "NIOConcurrencyHelpers", package: nio),
        ], resources: [.copy("TestData")]),
        // A 2.0 test receiver on 127.0.0.1:0, a payload decoder, a Prometheus runner.
        .target(
            name: "RemoteWriteTestKit",
            dependencies: [
                "RemoteWrite", "CSnappy",
                .product(name: "NIOCore", package: nio),
                .product(name: "NIOPosix", package: nio),
                .product(name: "NIOHTTP1", package: nio),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ]
        ),

        // The fault-injection soak: two replicas of the real loop against the fake API, loopback pods and a
        // remote-write receiver, faults on a seeded schedule, invariants after every step (`inferscale-bench --only soak`).
        .target(name: "SoakTestKit", dependencies: [
            "AutoscalerCore", "ClusterAdapters", "Kubernetes", "KubernetesTestKit", "PodTestKit", "RemoteWrite", "RemoteWriteTestKit",
            "Rules", "Scaling", "Scraping",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "NIOCore", package: nio),
            .product(name: "NIOPosix", package: nio),
            .product(name: "NIOHTTP1", package: nio),
            .product(name: "NIOConcurrencyHelpers", package: nio),
        ]),

        .testTarget(name: "ScalingTests", dependencies: ["Scaling"]),
        .testTarget(name: "RulesTests", dependencies: ["Rules"]),
        .testTarget(name: "ExpositionTests", dependencies: ["Exposition", "PodTestKit"]),
        .testTarget(name: "RuntimeSignalsTests", dependencies: ["RuntimeSignals", "Exposition", "PodTestKit"]),
        .testTarget(name: "AutoscalerCoreTests", dependencies: [
            "AutoscalerCore", "LoopTestKit", "Rules", "Scaling", .product(name: "Logging", package: "swift-log"),
            .product(name: "MetricsTestKit", package: "swift-metrics"),
        ]),
        .testTarget(name: "SimulationTests", dependencies: ["Simulation", "Scaling", "Rules", "PodTestKit"]),
        // Reads Package.swift, Sources/ and docs/architecture.md: the layers hold and the docs list every target.
        .testTarget(name: "ArchitectureTests"),
        .testTarget(name: "KubernetesTests", dependencies: [
            "Kubernetes", "KubernetesTestKit", .product(name: "Yams", package: "Yams"),
        ]),
        .testTarget(name: "ScrapingTests", dependencies: [
            "Scraping", "RuntimeSignals", "PodTestKit",
            .product(name: "NIOCore", package: nio),
            .product(name: "NIOPosix", package: nio),
            .product(name: "NIOHTTP1", package: nio),
            .product(name: "NIOConcurrencyHelpers", package: nio),
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
        ]),
        .testTarget(
            name: "RemoteWriteTests",
            dependencies: [
                "RemoteWrite", "RemoteWriteTestKit",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // Builds a stand-in libnvidia-ml from StandIn/fake_nvml.c with `cc` and serves it to the real dlopen path.
        .testTarget(
            name: "GPUTests",
            dependencies: [
                "GPU", "KubeletPodResources",
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCNIOTransportHTTP2Posix", package: "grpc-swift-nio-transport"),
                .product(name: "NIOCore", package: nio),
                .product(name: "NIOConcurrencyHelpers", package: nio),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            resources: [.copy("StandIn"), .copy("Golden")]
        ),
        .testTarget(name: "ClusterAdaptersTests", dependencies: [
            "ClusterAdapters", "AutoscalerCore", "LoopTestKit", "Exposition", "Rules", "Scaling", "Kubernetes",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOConcurrencyHelpers", package: nio),
            .product(name: "NIOCore", package: nio),
            .product(name: "NIOPosix", package: nio),
            .product(name: "NIOHTTP1", package: nio),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]),
        // The loop against the fake API and pods on 127.0.0.1.
        .testTarget(name: "EndToEndTests", dependencies: [
            "AutoscalerCore", "ClusterAdapters", "Kubernetes", "KubernetesTestKit", "PodTestKit", "Scraping", "Exposition",
            "Rules", "Scaling", "RemoteWrite", "RemoteWriteTestKit", "SoakTestKit", .product(name: "Logging", package: "swift-log"),
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "NIOHTTP1", package: nio),
        ], resources: [.copy("Fixtures")]),
        // Runs the built `inferscale` binary: exit codes, output formats (golden files).
        .testTarget(name: "inferscaleTests", dependencies: [
            "inferscale", "Scaling", "AutoscalerCore", "ClusterAdapters", "Kubernetes", "RemoteWriteTestKit", "KubernetesTestKit", "PodTestKit",
        ], resources: [.copy("Golden")]),
    ],
    swiftLanguageModes: [.v6]
)
