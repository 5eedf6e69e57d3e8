import ArgumentParser

@main
struct Inferscale: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inferscale",
        abstract: "An autoscaler and metrics service for model serving on Kubernetes."
    )
}
