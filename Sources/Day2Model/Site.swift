/// A site: a physical place holding hosts, inside a region.
public struct Site: Sendable, Hashable, Codable {
    /// `site-xxxxxxxx`.
    public var resourceId: String
    /// Display name.
    public var name: String
    /// The region the site belongs to, if any.
    public var regionId: String?
    /// Latitude in degrees × 10^7.
    public var siteLat: Int32
    /// Longitude in degrees × 10^7.
    public var siteLng: Int32
    /// Free key/value metadata.
    public var metadata: [MetadataItem]
    /// Creation and change times.
    public var timestamps: Timestamps

    /// Creates a site value.
    public init(
        resourceId: String = "",
        name: String = "",
        regionId: String? = nil,
        siteLat: Int32 = 0,
        siteLng: Int32 = 0,
        metadata: [MetadataItem] = [],
        timestamps: Timestamps = Timestamps()
    ) {
        self.resourceId = resourceId
        self.name = name
        self.regionId = regionId
        self.siteLat = siteLat
        self.siteLng = siteLng
        self.metadata = metadata
        self.timestamps = timestamps
    }

    /// Checks the client-settable fields.
    public func validate() throws(ValidationError) {
        try TextRule.name.check(name, field: "name")
        if let regionId { try ResourceID.validate(regionId, kind: .region, field: "regionId") }
        guard (-900_000_000...900_000_000).contains(siteLat) else {
            throw ValidationError(field: "siteLat", rule: "must be -900000000..900000000 (degrees × 10^7)")
        }
        guard (-1_800_000_000...1_800_000_000).contains(siteLng) else {
            throw ValidationError(field: "siteLng", rule: "must be -1800000000..1800000000 (degrees × 10^7)")
        }
        try MetadataRules.check(metadata, field: "metadata")
    }
}
