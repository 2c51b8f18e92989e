import Day2Model

/// What the agent reports on every poll (`UpdateStatus` plus the host GUID).
public struct StatusReport: Sendable, Hashable {
    /// The node's GUID.
    public var hostGUID: String
    /// The status.
    public var status: UpdateStatusType
    /// The status detail.
    public var detail: String
    /// Profile of the image the node runs (immutable, after an update through Day2).
    public var profileName: String
    /// Its profile version.
    public var profileVersion: String
    /// Its image id.
    public var osImageID: String
    /// Mutable nodes: JSON array of upgradable packages; otherwise empty.
    public var osUpdateAvailable: String

    /// Creates a report.
    public init(
        hostGUID: String,
        status: UpdateStatusType,
        detail: String = "",
        profileName: String = "",
        profileVersion: String = "",
        osImageID: String = "",
        osUpdateAvailable: String = ""
    ) {
        self.hostGUID = hostGUID
        self.status = status
        self.detail = detail
        self.profileName = profileName
        self.profileVersion = profileVersion
        self.osImageID = osImageID
        self.osUpdateAvailable = osUpdateAvailable
    }
}

/// What the Maintenance Manager answers: the node's complete desired state. Optional parts are nil when the
/// sub-message was absent on the wire (presence matters: see the response filter).
public struct DesiredState: Sendable, Hashable {
    /// The OS type of the node's current OS in the inventory.
    public var osType: OSType
    /// `update_source`.
    public var updateSource: UpdateSourceRecord?
    /// `update_schedule.single_schedule`.
    public var singleWindow: SingleWindow?
    /// `update_schedule.repeated_schedules` (nil when `update_schedule` itself was absent).
    public var repeatedWindows: [RepeatedWindow]?
    /// `installed_packages`.
    public var installedPackages: String
    /// `os_profile_update_source`.
    public var image: ImageSource?

    /// Creates a desired state.
    public init(
        osType: OSType,
        updateSource: UpdateSourceRecord? = UpdateSourceRecord(),
        singleWindow: SingleWindow? = nil,
        repeatedWindows: [RepeatedWindow]? = [],
        installedPackages: String = "",
        image: ImageSource? = ImageSource()
    ) {
        self.osType = osType
        self.updateSource = updateSource
        self.singleWindow = singleWindow
        self.repeatedWindows = repeatedWindows
        self.installedPackages = installedPackages
        self.image = image
    }

    /// Whether `update_schedule` was present.
    public var hasSchedule: Bool { repeatedWindows != nil }
}

/// The southbound poll, as a port. Real: gRPC `PlatformUpdateStatus`; tests: an in-memory twin.
public protocol MaintenanceClient: Sendable {
    /// Reports `report` and returns the desired state; throws `AgentError(.rpc)` on failure.
    func poll(_ report: StatusReport, timeout: Double) async throws -> DesiredState
}
