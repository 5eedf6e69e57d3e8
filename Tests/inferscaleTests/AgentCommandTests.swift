import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing

/// `inferscale agent` as a user runs it: the built binary, a stand-in libnvidia-ml, signals.
@Suite struct AgentCommandTests {
    /// Builds the GPU tests' stand-in library (Tests/GPUTests/StandIn/fake_nvml.c) with `cc` into a fresh
    /// directory with `script` as its GPUs; fails (never skips) without a C compiler.
    static func standIn(_ script: String) async throws -> String {
        let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("GPUTests/StandIn/fake_nvml.c")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("inferscale-agent-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let library = directory.appendingPathComponent("libnvidia-ml-standin.so").path
        let cc = Process()
        cc.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        cc.arguments = ["cc", "-shared", "-fPIC", "-o", library, source.path]
        try cc.run()
        try await CLIRunner.offThePool { cc.waitUntilExit() }
        try #require(cc.terminationStatus == 0, "cc could not build the stand-in libnvidia-ml; the tests need a C compiler (apt-get install gcc)")
        try script.write(toFile: library + ".conf", atomically: true, encoding: .utf8)
        return library
    }

    static let oneGPU = """
        count 1
        gpu 0 name NVIDIA L4
        gpu 0 uuid GPU-0d1e2f30-4a5b-6c7d-8e9f-a0b1c2d3e4f5
        gpu 0 memory 24152899584 1073741824 22800236544 278921216
        gpu 0 utilization 97 64
        gpu 0 process 31337 22548578304

        """

    @Test func onceWithoutNVMLPrintsUpZeroAndOneLineAndExitsOne() async throws {
        let r = try await CLIRunner.runDetached(["agent", "--once", "--no-pod-resources", "--nvml-library", "/nonexistent/inferscale-test/libnvidia-ml.so.1"])
        #expect(r.status == 1)
        #expect(r.stdout.contains("inferscale_gpu_nvml_up 0\n"))
        #expect(r.stdout.contains(#"inferscale_gpu_nvml_error_info{error="library_not_found",function=""} 1"#))
        #expect(!r.stdout.contains("inferscale_gpu_memory"))
        let lines = r.stderr.split(separator: "\n")
        #expect(lines.count == 1)
        #expect(lines.first?.contains("NVML is not available: cannot load /nonexistent/inferscale-test/libnvidia-ml.so.1") == true)
    }

    @Test func onceWithTheStandInPrintsExactFigures() async throws {
        let library = try await Self.standIn(Self.oneGPU)
        let r = try await CLIRunner.runDetached(["agent", "--once", "--no-pod-resources", "--nvml-library", library, "--log-level", "error"])
        #expect(r.status == 0)
        #expect(r.stderr.isEmpty)
        let labels = #"gpu="0",uuid="GPU-0d1e2f30-4a5b-6c7d-8e9f-a0b1c2d3e4f5",model="NVIDIA L4""#
        for line in [
            "inferscale_gpu_nvml_up 1", "inferscale_gpu_devices 1",
            "inferscale_gpu_memory_total_bytes{\(labels)} 24152899584",
            "inferscale_gpu_memory_free_bytes{\(labels)} 1073741824",
            "inferscale_gpu_memory_used_bytes{\(labels)} 22800236544",
            "inferscale_gpu_memory_reserved_bytes{\(labels)} 278921216",
            "inferscale_gpu_utilization_ratio{\(labels)} 0.97",
            "inferscale_gpu_memory_controller_utilization_ratio{\(labels)} 0.64",
            "inferscale_gpu_process_memory_used_bytes{\(labels),pid=\"31337\"} 22548578304",
        ] {
            #expect(r.stdout.contains("\n\(line)\n"), "missing: \(line)")
        }
        #expect(try String(contentsOfFile: library + ".calls", encoding: .utf8) == "nvmlInit_v2 0\nnvmlShutdown 0\n")
    }

    @Test func onceWithoutTheKubeletSocketLabelsUnknownAndExitsOne() async throws {
        let library = try await Self.standIn(Self.oneGPU)
        let socket = "/nonexistent/inferscale-test/kubelet.sock"
        let r = try await CLIRunner.runDetached(["agent", "--once", "--nvml-library", library, "--pod-resources-socket", socket, "--log-level", "error"])
        #expect(r.status == 1)
        #expect(r.stdout.contains("\ninferscale_gpu_pod_resources_up 0\n"))
        #expect(r.stdout.contains(#"inferscale_gpu_pod_resources_error_info{error="socket_not_found",socket="\#(socket)"} 1"#))
        #expect(r.stdout.contains(#"inferscale_gpu_memory_total_bytes{gpu="0",uuid="GPU-0d1e2f30-4a5b-6c7d-8e9f-a0b1c2d3e4f5",model="NVIDIA L4",allocation="unknown"} 24152899584"#))
        let lines = r.stderr.split(separator: "\n")
        #expect(lines.count == 1)
        #expect(lines.first?.contains("the kubelet's pod-resources socket \(socket) does not exist") == true)
    }

    @Test(arguments: [
        (["agent", "--port", "70000"], "--port must be 0-65535"),
        (["agent", "--log-level", "loud"], "--log-level must be one of"),
        (["agent", "--retry-interval", "-1"], "--retry-interval"),
        (["agent", "--max-gpus", "0"], "--max-gpus"),
        (["agent", "--pod-resources-interval", "0.5"], "--pod-resources-interval must be 1 or more seconds"),
    ])
    func badFlagsExitWithStatusTwo(arguments: [String], message: String) async throws {
        let r = try await CLIRunner.runDetached(arguments)
        #expect(r.status == 2)
        #expect(r.stderr.contains(message))
    }

    @Test func servesUntilSIGTERMThenShutsNVMLDown() async throws {
        let library = try await Self.standIn(Self.oneGPU)
        let process = Process()
        process.executableURL = try CLIRunner.binary
        process.arguments = ["agent", "--host", "127.0.0.1", "--port", "0", "--nvml-library", library]
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        let (chunks, input) = AsyncStream.makeStream(of: String.self)
        errors.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            if data.isEmpty { input.finish() } else { input.yield(String(decoding: data, as: UTF8.self)) }
        }
        let (exits, exited) = AsyncStream.makeStream(of: Int32.self)
        process.terminationHandler = { exited.yield($0.terminationStatus); exited.finish() }
        try process.run()
        defer { if process.isRunning { process.terminate() } }

        // The log says where it listens: "serving GPU metrics on http://127.0.0.1:PORT/metrics".
        let url = try await Self.bounded(10, "the agent to log its address") { () -> URL in
            var log = ""
            for await chunk in chunks {
                log += chunk
                if let range = log.range(of: #"http://127\.0\.0\.1:[0-9]+/metrics"#, options: .regularExpression) {
                    return URL(string: String(log[range]))!
                }
            }
            throw CLIRunner.CLIError(message: "the agent exited before listening: \(log)")
        }
        let (body, response) = try await Self.bounded(10, "GET \(url)") { try await URLSession.shared.data(from: url) }
        #expect((response as? HTTPURLResponse)?.statusCode == 200)
        #expect(String(decoding: body, as: UTF8.self).contains("inferscale_gpu_memory_free_bytes{gpu=\"0\""))

        kill(process.processIdentifier, SIGTERM)
        let status = try await Self.bounded(10, "the agent to exit after SIGTERM") { () -> Int32 in
            for await status in exits { return status }
            return -1
        }
        #expect(status == 0)
        #expect(try String(contentsOfFile: library + ".calls", encoding: .utf8) == "nvmlInit_v2 0\nnvmlShutdown 0\n")
    }

    /// Runs `body`, failing if it takes longer than `seconds`.
    static func bounded<T: Sendable>(_ seconds: Double, _ what: String, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: T.self) { group in
            group.addTask { try await body() }
            group.addTask {
                try await Task.sleep(for: .seconds(seconds))
                throw CLIRunner.CLIError(message: "timed out after \(seconds) s waiting for \(what)")
            }
            defer { group.cancelAll() }
            return try await group.next()!
        }
    }
}
