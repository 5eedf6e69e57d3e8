import Foundation
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// A stand-in libnvidia-ml compiled from StandIn/fake_nvml.c for one test: its own directory, its own
/// library copy (so dlopen gives it its own state) and its own script, `<library>.conf`.
///
/// Building needs `cc`; without it the test fails with a message saying so (it is never skipped).
struct StandIn {
    /// The library path to give ``NVMLLibrary`` or `--nvml-library`.
    let path: String

    struct BuildError: Error, CustomStringConvertible {
        var description: String
    }

    /// Compiles the stand-in with `script` as its GPUs. `omitting` leaves those NVML symbols out.
    init(_ script: String, omitting: [String] = []) async throws {
        let source = try #require(Bundle.module.url(forResource: "StandIn/fake_nvml.c", withExtension: nil),
                                  "StandIn/fake_nvml.c is missing from the test resources")
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("inferscale-nvml-standin-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        path = directory.appendingPathComponent("libnvidia-ml-standin.so").path
        try FileManager.default.copyItem(atPath: await Self.builds.path(source: source.path, omitting: omitting.sorted()), toPath: path)
        try write(script)
    }

    /// Replaces the script; the stand-in reads it again at nvmlInit_v2 and at every nvmlDeviceGetCount_v2.
    func write(_ script: String) throws {
        try script.write(toFile: path + ".conf", atomically: true, encoding: .utf8)
    }

    /// How often the stand-in's `init`, `shutdown` or `count` function ran, or `initialised` (NVML's
    /// reference count), read through the same dlopen handle the code under test uses.
    func counter(_ name: String) throws -> Int {
        let handle = try #require(dlopen(path, RTLD_NOW | RTLD_NOLOAD), "the stand-in \(path) is not loaded")
        defer { dlclose(handle) }
        typealias Counter = @convention(c) (UnsafePointer<CChar>) -> Int32
        let symbol = try #require(dlsym(handle, "standin_counter"))
        return Int(name.withCString { unsafeBitCast(symbol, to: Counter.self)($0) })
    }

    /// One build per set of omitted symbols, shared by the tests; each test loads its own copy.
    private static let builds = Builds()

    /// The builds, one `cc` at a time on a shared machine. `cc` runs on a Dispatch thread and is awaited: a
    /// compile blocking one of the cooperative pool's threads (two on a 2-core machine), and other GPU tests
    /// blocking the other on a lock around it, once stalled every test of a parallel run for about 12 s.
    private actor Builds {
        private var paths: [[String]: String] = [:]
        private var running: [[String]: Task<String, any Error>] = [:]

        func path(source: String, omitting key: [String]) async throws -> String {
            if let path = paths[key] { return path }
            if let build = running[key] { return try await build.value }
            let previous = running.values.first
            let build = Task<String, any Error> {
                _ = try? await previous?.value
                let path = FileManager.default.temporaryDirectory
                    .appendingPathComponent("inferscale-nvml-standin-build-\(UUID().uuidString).so").path
                try await withCheckedThrowingContinuation { (done: CheckedContinuation<Void, any Error>) in
                    DispatchQueue.global().async {
                        done.resume(with: Result { try StandIn.compile(source: source, output: path, defines: key.map { "-DOMIT_\($0)" }) })
                    }
                }
                return path
            }
            running[key] = build
            defer { running[key] = nil }
            let path = try await build.value
            paths[key] = path
            return path
        }
    }

    fileprivate static func compile(source: String, output: String, defines: [String]) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["cc", "-shared", "-fPIC", "-O1", "-Wall", "-Werror"] + defines + ["-o", output, source]
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = errors
        do {
            try process.run()
        } catch {
            throw BuildError(description: "cannot run cc to build the stand-in libnvidia-ml (\(error)); the GPU tests need a C compiler: apt-get install gcc")
        }
        let text = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw BuildError(description: "cc failed building the stand-in libnvidia-ml (status \(process.terminationStatus)); the GPU tests need a C compiler (apt-get install gcc):\n\(text)")
        }
    }
}

/// Scripts used by several tests: two H100s with exact figures.
enum Scripts {
    static let twoGPUs = """
        count 2
        gpu 0 name NVIDIA H100 80GB HBM3
        gpu 0 uuid GPU-5b1e3c0a-7d7e-2c51-9c8f-0d2b8e6f4a11
        gpu 0 memory 85520809984 6860832768 78114717696 545259520
        gpu 0 utilization 83 41
        gpu 0 process 4242 77309411328
        gpu 0 process 5151 na
        gpu 1 name NVIDIA H100 80GB HBM3
        gpu 1 uuid GPU-a9f07c44-12e3-45bc-8a0d-7c6e5d4b3a29
        gpu 1 memory 85520809984 80468770816 4506779648 545259520
        gpu 1 utilization 0 0

        """
}
