import Foundation

extension WatchEvent {
    /// Decodes one line of a watch stream (JSON `{"type": …, "object": …}`): ERROR lines carry a
    /// `Status`, BOOKMARK lines only a resourceVersion. Throws `DecodingError` on anything else.
    public static func decode(line: some Collection<UInt8>) throws -> WatchEvent {
        let data = Data(line)
        let decoder = JSONDecoder()
        let type = try decoder.decode(RawWatchEventType.self, from: data).type
        switch type {
        case .error:
            let status = try decoder.decode(RawWatchEvent<KubernetesStatus>.self, from: data).object
            return WatchEvent(type: .error, object: nil, status: status, resourceVersion: nil)
        case .bookmark:
            let object = try decoder.decode(RawWatchEvent<MetadataOnly>.self, from: data).object
            return WatchEvent(type: .bookmark, object: nil, resourceVersion: object.metadata?.resourceVersion)
        case .added, .modified, .deleted:
            let object = try decoder.decode(RawWatchEvent<Object>.self, from: data).object
            return WatchEvent(type: type, object: object, resourceVersion: object.metadata.resourceVersion)
        }
    }
}
