/// `metadata.ownerReferences[]`: an object this one belongs to. The owner with `controller: true` is the one that
/// manages it; the garbage collector deletes the object with its owners.
public struct OwnerReference: Codable, Sendable, Equatable {
    /// The owner's `apiVersion`, e.g. `autoscaling.internal.knative.dev/v1alpha1`.
    public var apiVersion: String
    /// The owner's kind, e.g. `PodAutoscaler`.
    public var kind: String
    /// The owner's name.
    public var name: String
    /// The owner's uid: a reference names one object, not whatever carries the name later.
    public var uid: String
    /// Whether the owner is the managing controller (at most one reference has it).
    public var controller: Bool?
    /// Whether deleting the owner in the foreground waits for this object.
    public var blockOwnerDeletion: Bool?

    /// Creates a reference.
    public init(apiVersion: String, kind: String, name: String, uid: String, controller: Bool? = nil, blockOwnerDeletion: Bool? = nil) {
        self.apiVersion = apiVersion
        self.kind = kind
        self.name = name
        self.uid = uid
        self.controller = controller
        self.blockOwnerDeletion = blockOwnerDeletion
    }
}

extension ObjectMeta {
    /// Whether the owner with uid `uid` controls this object (`metav1.IsControlledBy`).
    public func isControlled(byUID uid: String?) -> Bool {
        guard let uid else { return false }
        return ownerReferences?.contains { $0.controller == true && $0.uid == uid } ?? false
    }
}
