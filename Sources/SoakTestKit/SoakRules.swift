import Foundation

/// The rule file the soak's replicas reload: good versions (`soak-vN`, the soak's bounds) and broken ones
/// (YAML syntax, an unknown key, inverted bounds — each names a rule `broken-vN` that must never be in force).
/// Written by rename, as a ConfigMap volume swaps its files.
struct SoakRules {
    let path: String
    let port: Int
    let configuration: SoakConfiguration
    private(set) var goodVersion = 0
    private(set) var brokenVersion = 0

    /// The name of the good rule last written.
    var goodName: String { "soak-v\(goodVersion)" }

    init(directory: String, port: Int, configuration: SoakConfiguration) {
        path = directory + "/rules.yaml"
        self.port = port
        self.configuration = configuration
    }

    mutating func writeGood() throws {
        goodVersion += 1
        try write("""
            rules:
              - name: \(goodName)
                match: {namespace: soak}
                source: {runtime: vllm, port: \(port), queueProxy: false}
                policy:
                  window: 20s
                  metrics: [{signal: running, target: 10}]
                  minReplicas: \(configuration.minReplicas)
                  maxReplicas: \(configuration.maxReplicas)
            """)
    }

    mutating func writeBroken() throws {
        brokenVersion += 1
        let name = "broken-v\(brokenVersion)"
        let bodies = [
            "rules:\n  - name: \(name)\n    match: {namespace: soak\n    policy: {maxReplicas: 100}\n",
            "rules:\n  - name: \(name)\n    match: {namespace: soak}\n    policy: {maxReplica: 100, minReplicas: 1}\n",
            "rules:\n  - name: \(name)\n    match: {namespace: soak}\n    policy: {minReplicas: 50, maxReplicas: 2}\n",
        ]
        try write(bodies[brokenVersion % bodies.count])
    }

    private func write(_ text: String) throws {
        let temporary = path + ".tmp"
        try text.write(toFile: temporary, atomically: false, encoding: .utf8)
        _ = rename(temporary, path)
    }
}
