import Foundation

/// API discovery: which resources a group version serves (`GET /apis/{group}/{version}`, an `APIResourceList`).
extension KubernetesClient {
    /// `APIResourceList`, only the resource names.
    struct ResourceList: Decodable {
        struct Resource: Decodable { var name: String }
        var resources: [Resource]?
    }

    public func servesResource(group: String, version: String, resource: String) async throws -> Bool {
        let path = group.isEmpty ? "/api/\(segment(version))" : "/apis/\(segment(group))/\(segment(version))"
        do {
            let list = try await send(Endpoint(method: .GET, path: path, permission: nil), as: ResourceList.self)
            return (list.resources ?? []).contains { $0.name == resource }
        } catch let error as KubernetesError where error.code == .notFound {
            return false
        }
    }
}
