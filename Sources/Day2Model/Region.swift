/// A region: a node of the location tree; regions nest (parent region) and hold sites.
public struct Region: Sendable, Hashable, Codable {
    /// `region-xxxxxxxx`.
    public var resourceId: String
    /// Display name.
    public var name: String
    /// The parent region's ID, nil for a top-level region.
    public var parentRegionId: String?
    /// Free key/value metadata.
    public var metadata: [MetadataItem]
    /// Creation and change times.
    public var timestamps: Timestamps

    /// Creates a region value.
    public init(
        resourceId: String = "",
        name: String = "",
        parentRegionId: String? = nil,
        metadata: [MetadataItem] = [],
        timestamps: Timestamps = Timestamps()
    ) {
        self.resourceId = resourceId
        self.name = name
        self.parentRegionId = parentRegionId
        self.metadata = metadata
        self.timestamps = timestamps
    }

    /// Checks the client-settable fields.
    public func validate() throws(ValidationError) {
        try TextRule.name.check(name, field: "name")
        if let parentRegionId { try ResourceID.validate(parentRegionId, kind: .region, field: "parentId") }
        try MetadataRules.check(metadata, field: "metadata")
    }
}

/// The rules for metadata lists shared by regions, sites and hosts.
public enum MetadataRules {
    /// At most 100 pairs, keys 1-316 bytes, values at most 63 bytes, no duplicate keys.
    public static func check(_ items: [MetadataItem], field: String) throws(ValidationError) {
        guard items.count <= 100 else { throw ValidationError(field: field, rule: "must have at most 100 items") }
        var seen = Set<String>()
        for item in items {
            guard !item.key.isEmpty, item.key.utf8.count <= 316 else {
                throw ValidationError(field: field + ".key", rule: "must be 1 to 316 bytes")
            }
            guard item.value.utf8.count <= 63 else {
                throw ValidationError(field: field + ".value", rule: "must be at most 63 bytes")
            }
            guard seen.insert(item.key).inserted else {
                throw ValidationError(field: field + ".key", rule: "must be unique, \"\(item.key)\" repeats")
            }
        }
    }
}
