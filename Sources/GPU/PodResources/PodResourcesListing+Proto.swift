import KubeletPodResources

extension PodResourcesListing {
    /// The device allocations in a pod-resources `List` response. CPU, memory and dynamic (DRA) resources
    /// are not read: GPUs handed out by the NVIDIA device plugin appear as devices.
    public init(_ response: V1_ListPodResourcesResponse) {
        var allocations: [Allocation] = []
        for pod in response.podResources {
            for container in pod.containers {
                let holder = GPUHolder(namespace: pod.namespace, pod: pod.name, container: container.name)
                for devices in container.devices where !devices.deviceIds.isEmpty {
                    allocations.append(Allocation(holder: holder, resource: devices.resourceName, deviceIDs: devices.deviceIds))
                }
            }
        }
        self.init(allocations: allocations)
    }
}
