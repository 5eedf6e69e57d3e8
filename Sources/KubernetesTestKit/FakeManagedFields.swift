import Foundation

/// `metadata.managedFields` as the API server keeps them, on the scalable workloads (Kubernetes docs,
/// "Server-Side Apply", section "Field management", https://kubernetes.io/docs/reference/using-api/server-side-apply/):
/// a create gives its field manager every field it set; an update (PUT, or a PATCH that is not an apply, also
/// through `/scale`) gives the writer each field whose value it changed and takes that field from every other
/// manager; a write that changes nothing changes no ownership; an entry left with no field is dropped. The
/// manager is the write's `fieldManager` query parameter, else the User-Agent up to its first `/`. Lists count as
/// one field here (the real server tracks keyed list items one by one), which changes nothing for `spec.replicas`,
/// the field inferscale reads the owner of.
enum FakeManagedFields {
    /// Who a write is by.
    struct Writer: Sendable {
        /// The field manager.
        var manager: String
        /// `scale` or `status` when the write went through that subresource.
        var subresource: String?
    }

    /// Identity and server-set metadata, which no manager owns.
    private static let serverSet: Set<String> = [
        "name", "namespace", "uid", "resourceVersion", "generation", "creationTimestamp", "managedFields", "selfLink",
    ]

    /// `object` with the managed fields that the write from `previous` (nil: a create) by `writer` leaves.
    static func record(_ object: inout JSONValue, previous: JSONValue?, by writer: Writer, apiVersion: String, at time: String) {
        var entries = previous?[path: ["metadata", "managedFields"]].flatMap { value -> [JSONValue]? in
            if case .array(let items) = value { return items }
            return nil
        } ?? []
        let before = previous.map(ownedPart)
        let after = ownedPart(object)
        let changed = leaves(after).filter { before?[path: $0] != after[path: $0] }
        let removed = before.map { old in leaves(old).filter { after[path: $0] == nil } } ?? []
        if !changed.isEmpty || !removed.isEmpty {
            for index in entries.indices {
                var fields = entries[index]["fieldsV1"] ?? .object([:])
                for path in changed + removed { remove(path.map { "f:" + $0 }, from: &fields) }
                entries[index]["fieldsV1"] = fields
            }
            entries.removeAll { $0["fieldsV1"] == .object([:]) }
            if !changed.isEmpty {
                let mine = entries.firstIndex {
                    $0["manager"]?.stringValue == writer.manager && $0["operation"]?.stringValue == "Update"
                        && $0["subresource"]?.stringValue == writer.subresource
                }
                var entry: JSONValue = mine.map { entries[$0] } ?? [
                    "manager": .string(writer.manager), "operation": "Update", "fieldsType": "FieldsV1", "fieldsV1": [:],
                ]
                if let subresource = writer.subresource { entry["subresource"] = .string(subresource) }
                entry["apiVersion"] = .string(apiVersion)
                entry["time"] = .string(time)
                for path in changed { entry[path: ["fieldsV1"] + path.map { "f:" + $0 }] = .object([:]) }
                if let mine { entries[mine] = entry } else { entries.append(entry) }
            }
        }
        object[path: ["metadata", "managedFields"]] = entries.isEmpty ? nil : .array(entries)
    }

    /// The entries a workload's `/scale` shows: those owning `spec.replicas`, as `autoscaling/v1` fields.
    static func scaleView(of workload: JSONValue) -> JSONValue? {
        guard case .array(let entries)? = workload[path: ["metadata", "managedFields"]] else { return nil }
        let owning = entries.filter { $0[path: ["fieldsV1", "f:spec", "f:replicas"]] != nil }.map { entry -> JSONValue in
            var converted = entry
            converted["apiVersion"] = "autoscaling/v1"
            converted["fieldsV1"] = ["f:spec": ["f:replicas": [:]]]
            return converted
        }
        return owning.isEmpty ? nil : .array(owning)
    }

    /// The object without what no manager owns (kind, apiVersion, identity and server-set metadata).
    private static func ownedPart(_ object: JSONValue) -> JSONValue {
        var owned = object
        owned["kind"] = nil
        owned["apiVersion"] = nil
        for field in serverSet { owned[path: ["metadata", field]] = nil }
        if owned["metadata"] == .object([:]) { owned["metadata"] = nil }
        return owned
    }

    /// The paths of every value that is not a non-empty object.
    private static func leaves(_ value: JSONValue, prefix: [String] = []) -> [[String]] {
        guard case .object(let members) = value, !members.isEmpty else { return prefix.isEmpty ? [] : [prefix] }
        return members.sorted { $0.key < $1.key }.flatMap { leaves($0.value, prefix: prefix + [$0.key]) }
    }

    /// Removes `path` from a FieldsV1 tree and the parents it leaves empty.
    private static func remove(_ path: [String], from fields: inout JSONValue) {
        guard let first = path.first, var child = fields[first] else { return }
        if path.count == 1 {
            fields[first] = nil
            return
        }
        remove(Array(path.dropFirst()), from: &child)
        fields[first] = child == .object([:]) ? nil : child
    }
}
