/// A host: one edge node, identified by its SMBIOS UUID, at a site.
public struct HostResource: Sendable, Hashable, Codable {
    /// `host-xxxxxxxx`.
    public var resourceId: String
    /// Display name (required by the API).
    public var name: String
    /// SMBIOS UUID, lower case; the agent reports it as its GUID. Unique within a project.
    public var uuid: String?
    /// Serial number, when known.
    public var serialNumber: String
    /// The site the host stands at, if any.
    public var siteId: String?
    /// The state the host should reach.
    public var desiredState: HostState
    /// The state the host is in.
    public var currentState: HostState
    /// Overall host status.
    public var hostStatus: StatusTriplet
    /// Onboarding status.
    public var onboardingStatus: StatusTriplet
    /// Registration status.
    public var registrationStatus: StatusTriplet
    /// Free key/value metadata.
    public var metadata: [MetadataItem]
    /// Creation and change times.
    public var timestamps: Timestamps

    /// Creates a host value.
    public init(
        resourceId: String = "",
        name: String = "",
        uuid: String? = nil,
        serialNumber: String = "",
        siteId: String? = nil,
        desiredState: HostState = .onboarded,
        currentState: HostState = .onboarded,
        hostStatus: StatusTriplet = .empty,
        onboardingStatus: StatusTriplet = .empty,
        registrationStatus: StatusTriplet = .empty,
        metadata: [MetadataItem] = [],
        timestamps: Timestamps = Timestamps()
    ) {
        self.resourceId = resourceId
        self.name = name
        self.uuid = uuid
        self.serialNumber = serialNumber
        self.siteId = siteId
        self.desiredState = desiredState
        self.currentState = currentState
        self.hostStatus = hostStatus
        self.onboardingStatus = onboardingStatus
        self.registrationStatus = registrationStatus
        self.metadata = metadata
        self.timestamps = timestamps
    }

    /// Whether either state says the host is untrusted (the Maintenance Manager then refuses it).
    public var isUntrusted: Bool { desiredState == .untrusted || currentState == .untrusted }

    /// Checks the client-settable fields and canonicalises the UUID.
    public mutating func validate() throws(ValidationError) {
        guard !name.isEmpty else { throw ValidationError(field: "name", rule: "is required") }
        try TextRule.name.check(name, field: "name")
        if let uuid { self.uuid = try HostUUID.canonical(uuid, field: "uuid") }
        try TextRule.checkLength(serialNumber, maxBytes: 128, field: "serialNumber")
        if let siteId { try ResourceID.validate(siteId, kind: .site, field: "siteId") }
        try MetadataRules.check(metadata, field: "metadata")
    }
}
