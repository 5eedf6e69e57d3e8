/// What the agent knows of which pods hold its GPUs, as the renderer labels the series with it.
public enum GPUPodMapping: Sendable, Hashable {
    /// Not asked for (`--no-pod-resources`, e.g. a sidecar or a machine outside Kubernetes): the series
    /// carry no allocation labels at all.
    case disabled
    /// The kubelet could not be asked: series are labelled `allocation="unknown"`, and the condition
    /// metrics say why.
    case unavailable(PodResourcesError)
    /// The kubelet's latest answer.
    case available(PodResourcesListing)
}
