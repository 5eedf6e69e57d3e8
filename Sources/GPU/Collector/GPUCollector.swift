import Logging
import NIOPosix

/// Owns the agent's NVML session and hands out snapshots of every GPU.
///
/// NVML calls block, so they run on NIO's blocking-I/O thread pool, never on the cooperative pool.
/// Concurrent callers share one read in flight, and a snapshot younger than
/// ``Configuration/minimumReadInterval`` is served again, so many scrapers cost one NVML pass.
public actor GPUCollector {
    /// Where NVML is and how often to touch it.
    public struct Configuration: Sendable {
        /// The library to `dlopen`: a soname searched by the dynamic loader, or a path.
        /// Default `libnvidia-ml.so.1`.
        public var libraryPath: String = NVMLLibrary.defaultPath
        /// Pause between tries to open NVML after it failed. Default 30 s.
        public var retryInterval: Duration = .seconds(30)
        /// A snapshot younger than this is served again instead of reading NVML. Default 1 s, about NVML's
        /// own utilisation sample period; 0 reads on every request.
        public var minimumReadInterval: Duration = .seconds(1)
        /// Caps on one read (GPUs, processes per GPU).
        public var limits: GPUReader.Limits = GPUReader.Limits()

        /// The defaults above.
        public init() {}
    }

    /// The configuration in force.
    public nonisolated let configuration: Configuration
    private let logger: Logger
    private let reader: GPUReader
    private let threadPool: NIOThreadPool
    private let clock = ContinuousClock()
    private var session: NVMLSessionStateMachine
    private var library: NVMLLibrary?
    private var inFlight: Task<GPUSnapshot, Never>?
    private var last: (snapshot: GPUSnapshot, at: ContinuousClock.Instant)?

    /// A collector that opens NVML on the first ``snapshot()``.
    /// - Parameters:
    ///   - threadPool: where the blocking NVML calls run; NIO's shared pool by default.
    public init(configuration: Configuration = Configuration(), logger: Logger,
                threadPool: NIOThreadPool = .singleton) {
        self.configuration = configuration
        self.logger = logger
        self.reader = GPUReader(limits: configuration.limits)
        self.threadPool = threadPool
        self.session = NVMLSessionStateMachine(retryInterval: configuration.retryInterval)
    }

    /// Every GPU's readings, or why NVML is unavailable. Never throws: failures are in the snapshot.
    public func snapshot() async -> GPUSnapshot {
        if let last, clock.now < last.at + configuration.minimumReadInterval { return last.snapshot }
        if let inFlight { return await inFlight.value }
        let task = Task { await self.collect() }
        inFlight = task
        let snapshot = await task.value
        inFlight = nil
        last = (snapshot, clock.now)
        return snapshot
    }

    /// Calls `nvmlShutdown` if NVML was initialised; later snapshots report NVML unavailable.
    public func shutdown() async {
        if let inFlight { _ = await inFlight.value }
        last = nil
        guard session.shutdownRequested() == .shutdown, let library else { return }
        do {
            try await onThreadPool { try library.shutdown() }
        } catch {
            logger.warning("nvmlShutdown failed", metadata: ["inferscale.error": "\(error)"])
        }
    }

    private func collect() async -> GPUSnapshot {
        switch session.readRequested(now: clock.now) {
        case .reportUnavailable(let error):
            return .unavailable(error)
        case .read:
            return await read()
        case .open:
            do {
                let library = try await open()
                log(session.opened())
                self.library = library
                return await read()
            } catch {
                let nvmlError = error as? NVMLError
                    ?? NVMLError(code: .call(.unknown), function: "nvmlInit_v2", library: configuration.libraryPath,
                                 detail: "\(error)")
                log(session.openFailed(nvmlError, now: clock.now))
                return .unavailable(nvmlError)
            }
        }
    }

    private func open() async throws -> NVMLLibrary {
        let path = configuration.libraryPath
        let loaded = library
        return try await onThreadPool {
            let library = try loaded ?? NVMLLibrary(path: path)
            try library.initialize()
            return library
        }
    }

    private func read() async -> GPUSnapshot {
        guard let library else { return .unavailable(NVMLError(code: .call(.uninitialized), function: "", library: configuration.libraryPath)) }
        let reader = self.reader
        let snapshot: GPUSnapshot
        do {
            snapshot = try await onThreadPool { reader.read(using: library) }
        } catch {
            snapshot = .unavailable(NVMLError(code: .call(.unknown), function: "", library: library.path, detail: "\(error)"))
        }
        let (closeSession, logAction) = session.readFinished(snapshot.unavailable, now: clock.now)
        log(logAction)
        if closeSession { _ = try? await onThreadPool { try library.shutdown() } }
        return snapshot
    }

    private func onThreadPool<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await threadPool.runIfActive(body)
    }

    private func log(_ action: NVMLSessionStateMachine.LogAction) {
        switch action {
        case .none:
            break
        case .logAvailable:
            logger.info("NVML is available", metadata: ["inferscale.nvml.library": "\(configuration.libraryPath)"])
        case .logUnavailable(let error):
            // The one line an operator reads: what failed and what to do; the agent keeps serving.
            logger.error("\(error.description)")
        }
    }
}
