import Day2Model

/// One `PlatformUpdateStatus` call from an agent, in domain terms.
public struct PollRequest: Sendable, Equatable {
    /// The node's SMBIOS UUID (`host_guid`).
    public var hostGUID: String
    /// The reported status; nil when the request carried no `update_status` at all.
    public var status: AgentStatus?
    /// Free text or a JSON log (`status_detail`).
    public var statusDetail: String
    /// Profile of the image the node runs (immutable nodes, after an update).
    public var profileName: String
    /// Profile version of that image.
    public var profileVersion: String
    /// Image ID of that image.
    public var osImageId: String
    /// Mutable nodes: JSON list of upgradable packages.
    public var osUpdateAvailable: String

    /// Creates a request.
    public init(
        hostGUID: String,
        status: AgentStatus?,
        statusDetail: String = "",
        profileName: String = "",
        profileVersion: String = "",
        osImageId: String = "",
        osUpdateAvailable: String = ""
    ) {
        self.hostGUID = hostGUID
        self.status = status
        self.statusDetail = statusDetail
        self.profileName = profileName
        self.profileVersion = profileVersion
        self.osImageId = osImageId
        self.osUpdateAvailable = osUpdateAvailable
    }

    /// Field size limits (bytes), named as on the wire, with the values they apply to.
    private var sizedFields: [(field: String, value: String, max: Int)] {
        [
            ("update_status.status_detail", statusDetail, 100_000),
            ("update_status.profile_name", profileName, 128),
            ("update_status.profile_version", profileVersion, 128),
            ("update_status.os_image_id", osImageId, 500),
            ("update_status.os_update_available", osUpdateAvailable, 500_000),
        ]
    }

    /// Checks the request; the error names the wire field and the rule.
    public func validate() throws(MaintenanceManagerError) {
        guard HostUUID.isValid(hostGUID) else {
            throw MaintenanceManagerError(
                .invalidArgument,
                "invalid PlatformUpdateStatusRequest.HostGuid: value must be a valid UUID"
            )
        }
        guard status != nil else {
            throw MaintenanceManagerError(
                .invalidArgument,
                "invalid PlatformUpdateStatusRequest.UpdateStatus: value is required"
            )
        }
        for limit in sizedFields where limit.value.utf8.count > limit.max {
            throw MaintenanceManagerError(
                .invalidArgument,
                "invalid PlatformUpdateStatusRequest.\(limit.field): must be at most \(limit.max) bytes"
            )
        }
    }
}
