/// One OS update of one instance, as recorded by the Maintenance Manager.
public struct OSUpdateRun: Sendable, Hashable, Codable {
    /// The `endTime` that means "not ended yet".
    public static let openEndTime: Int64 = 9_999_999_999

    /// `osupdaterun-xxxxxxxx`.
    public var resourceId: String
    /// `<hostname[:13]> update <YYYYMMDD-HHMMSS>`.
    public var name: String
    /// `OS update for <current OS name>`.
    public var description: String
    /// The policy that was linked when the run started, nil when none (or deleted since).
    public var appliedPolicyId: String?
    /// The instance that was updated.
    public var instanceId: String
    /// ERROR = failed, IN_PROGRESS = running, IDLE = completed.
    public var statusIndicator: StatusIndication
    /// Short status text ("Updating", "Update completed", …).
    public var status: String
    /// Detail or log reported by the agent.
    public var statusDetails: String
    /// When the status last changed, Unix seconds.
    public var statusTimestamp: Int64
    /// When the run started, Unix seconds.
    public var startTime: Int64
    /// When the run ended, Unix seconds; `openEndTime` while it runs.
    public var endTime: Int64
    /// Creation and change times.
    public var timestamps: Timestamps

    /// Creates a run value.
    public init(
        resourceId: String = "",
        name: String = "",
        description: String = "",
        appliedPolicyId: String? = nil,
        instanceId: String = "",
        statusIndicator: StatusIndication = .inProgress,
        status: String = "",
        statusDetails: String = "",
        statusTimestamp: Int64 = 0,
        startTime: Int64 = 0,
        endTime: Int64 = OSUpdateRun.openEndTime,
        timestamps: Timestamps = Timestamps()
    ) {
        self.resourceId = resourceId
        self.name = name
        self.description = description
        self.appliedPolicyId = appliedPolicyId
        self.instanceId = instanceId
        self.statusIndicator = statusIndicator
        self.status = status
        self.statusDetails = statusDetails
        self.statusTimestamp = statusTimestamp
        self.startTime = startTime
        self.endTime = endTime
        self.timestamps = timestamps
    }

    /// Whether the run has not ended.
    public var isOpen: Bool { endTime == Self.openEndTime }

    /// Checks the fields.
    public func validate() throws(ValidationError) {
        try TextRule.checkLength(name, maxBytes: 40, field: "name")
        try TextRule.checkLength(description, maxBytes: 200, field: "description")
        try ResourceID.validate(instanceId, kind: .instance, field: "instance")
        if let appliedPolicyId {
            try ResourceID.validate(appliedPolicyId, kind: .osUpdatePolicy, field: "appliedPolicy")
        }
        try TextRule.checkLength(status, maxBytes: 1024, field: "status")
        try TextRule.checkLength(statusDetails, maxBytes: 100_000, field: "statusDetails")
    }
}
