/// An instance: the OS running on a host (1:1), with its update status and linked OS update policy.
public struct Instance: Sendable, Hashable, Codable {
    /// `inst-xxxxxxxx`.
    public var resourceId: String
    /// Display name.
    public var name: String
    /// What the instance runs on.
    public var kind: InstanceKind
    /// The state the instance should reach.
    public var desiredState: InstanceState
    /// The state the instance is in.
    public var currentState: InstanceState
    /// The host this instance runs on.
    public var hostId: String
    /// The OS resource installed now (the Maintenance Manager moves it after an immutable update).
    public var osId: String
    /// Security features of the installed OS.
    public var securityFeature: SecurityFeature
    /// Instance status.
    public var instanceStatus: StatusTriplet
    /// Instance status detail text.
    public var instanceStatusDetail: String
    /// Provisioning status; an instance created through the API is marked provisioned.
    public var provisioningStatus: StatusTriplet
    /// Update status, written by the Maintenance Manager from the agent's reports.
    public var updateStatus: StatusTriplet
    /// Attestation status.
    public var trustedAttestationStatus: StatusTriplet
    /// CVEs present on the instance (JSON list), copied from its OS resource.
    public var existingCves: String
    /// Runtime packages (JSON list).
    public var runtimePackages: String
    /// Empty when no update is available; mutable OS: JSON list of packages; immutable OS: the newer OS name.
    public var osUpdateAvailable: String
    /// The linked OS update policy, if any.
    public var osUpdatePolicyId: String?
    /// Creation and change times.
    public var timestamps: Timestamps

    /// Creates an instance value.
    public init(
        resourceId: String = "",
        name: String = "",
        kind: InstanceKind = .metal,
        desiredState: InstanceState = .running,
        currentState: InstanceState = .running,
        hostId: String = "",
        osId: String = "",
        securityFeature: SecurityFeature = .unspecified,
        instanceStatus: StatusTriplet = .empty,
        instanceStatusDetail: String = "",
        provisioningStatus: StatusTriplet = .empty,
        updateStatus: StatusTriplet = .empty,
        trustedAttestationStatus: StatusTriplet = .empty,
        existingCves: String = "",
        runtimePackages: String = "",
        osUpdateAvailable: String = "",
        osUpdatePolicyId: String? = nil,
        timestamps: Timestamps = Timestamps()
    ) {
        self.resourceId = resourceId
        self.name = name
        self.kind = kind
        self.desiredState = desiredState
        self.currentState = currentState
        self.hostId = hostId
        self.osId = osId
        self.securityFeature = securityFeature
        self.instanceStatus = instanceStatus
        self.instanceStatusDetail = instanceStatusDetail
        self.provisioningStatus = provisioningStatus
        self.updateStatus = updateStatus
        self.trustedAttestationStatus = trustedAttestationStatus
        self.existingCves = existingCves
        self.runtimePackages = runtimePackages
        self.osUpdateAvailable = osUpdateAvailable
        self.osUpdatePolicyId = osUpdatePolicyId
        self.timestamps = timestamps
    }

    /// Whether provisioning finished (or the instance was registered through the API).
    public var isProvisioned: Bool { provisioningStatus.indicator == .idle }

    /// Whether either state says the instance is untrusted.
    public var isUntrusted: Bool { desiredState == .untrusted || currentState == .untrusted }

    /// Checks the client-settable fields.
    public func validate() throws(ValidationError) {
        try TextRule.name.check(name, field: "name")
        try ResourceID.validate(hostId, kind: .host, field: "hostID")
        try ResourceID.validate(osId, kind: .operatingSystem, field: "osID")
        if let osUpdatePolicyId {
            try ResourceID.validate(osUpdatePolicyId, kind: .osUpdatePolicy, field: "osUpdatePolicyID")
        }
        try Self.validateReported(
            updateStatus: updateStatus.status,
            osUpdateAvailable: osUpdateAvailable,
            existingCves: existingCves
        )
        try TextRule.checkLength(runtimePackages, maxBytes: 500_000, field: "runtimePackages")
    }

    /// Checks the fields an agent's report sets (also when a report is written on its own).
    public static func validateReported(
        updateStatus: String,
        osUpdateAvailable: String,
        existingCves: String?
    ) throws(ValidationError) {
        try TextRule.checkLength(updateStatus, maxBytes: 1024, field: "updateStatus")
        try TextRule.checkLength(osUpdateAvailable, maxBytes: 500_000, field: "osUpdateAvailable")
        if let existingCves { try TextRule.checkLength(existingCves, maxBytes: 500_000, field: "existingCves") }
    }
}
