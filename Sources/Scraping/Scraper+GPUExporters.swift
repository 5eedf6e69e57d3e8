import Exposition
import RuntimeSignals

extension Scraper {
    /// One round over the node-level GPU exporters, concurrently, under the same deadline, body cap,
    /// sample cap and in-flight bound as pod scrapes. Each exporter's pods are joined into one
    /// ``PodGPUMemory``; an exporter that fails only loses the pods of its own node.
    public func scrapeGPUExporters(_ exporters: [GPUExporter]) async -> GPUExporterReading {
        let maxSamples = configuration.maxSamples
        let results = await withTaskGroup(of: (GPUExporter, Result<ParsedExposition, ScrapeFailure>).self) { group in
            for exporter in exporters {
                group.addTask {
                    do {
                        let (bytes, contentType) = try await self.get(exporter.url, accept: "text/plain;version=0.0.4")
                        return (exporter, Self.parse(bytes, contentType: contentType, url: exporter.url, maxSamples: maxSamples))
                    } catch let failure as ScrapeFailure {
                        return (exporter, .failure(failure))
                    } catch {
                        return (exporter, .failure(ScrapeFailure(reason: "connect", url: exporter.url, detail: "\(error)")))
                    }
                }
            }
            var out: [(GPUExporter, Result<ParsedExposition, ScrapeFailure>)] = []
            for await result in group { out.append(result) }
            return out
        }
        var memory = PodGPUMemory()
        var failures: [ScrapeFailure] = []
        // A fixed order, so that a device two exporters both report resolves the same way every round.
        for (exporter, result) in results.sorted(by: { $0.0.url < $1.0.url }) {
            switch result {
            case .success(let exposition):
                switch exporter.kind {
                case .agent: memory.addAgent(exposition)
                case .dcgmExporter: memory.addDCGM(exposition)
                }
            case .failure(let failure):
                failures.append(failure)
            }
        }
        return GPUExporterReading(memory: memory, failures: failures)
    }

    private static func parse(_ bytes: [UInt8], contentType: String?, url: String,
                              maxSamples: Int) -> Result<ParsedExposition, ScrapeFailure> {
        var limits = ExpositionParser.Limits()
        limits.maxSamples = maxSamples
        var parser = ExpositionParser(format: contentType.flatMap(ExpositionFormat.init(contentType:)) ?? .prometheusText,
                                      limits: limits)
        do {
            return .success(try parser.parse(bytes))
        } catch {
            return .failure(ScrapeFailure(reason: error.code == .limitExceeded ? "too-many-samples" : "malformed",
                                          url: url, detail: "\(error)"))
        }
    }
}
