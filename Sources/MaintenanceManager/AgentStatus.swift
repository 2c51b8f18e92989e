import Day2Model

/// The local update status an agent reports (`UpdateStatus.StatusType` on the wire), and what it means for the
/// instance's update status and for update runs.
public enum AgentStatus: Int, Sendable, CaseIterable {
    case unspecified = 0
    case upToDate = 1
    case started = 2
    case updated = 3
    case failed = 4
    case downloading = 5
    case downloaded = 6

    /// The status for a wire number; unknown numbers are "unspecified" (the enum is open on the wire).
    public init(wireNumber: Int) {
        self = AgentStatus(rawValue: wireNumber) ?? .unspecified
    }

    /// The instance update status text and indicator this report sets.
    public var instanceStatus: (text: String, indicator: StatusIndication) {
        switch self {
        case .unspecified: ("Unknown", .unspecified)
        case .upToDate: ("No new updates available", .idle)
        case .started: ("Updating", .inProgress)
        case .updated: ("Update completed", .idle)
        case .failed: ("Update failed", .error)
        case .downloading: ("Downloading artifacts", .idle)
        case .downloaded: ("Download complete", .idle)
        }
    }

    /// The run status text and indicator, or nil for reports that do not concern a run.
    public var runStatus: (text: String, indicator: StatusIndication)? {
        switch self {
        case .unspecified, .upToDate: nil
        case .started: ("Updating", .inProgress)
        case .updated: ("Update completed", .idle)
        case .failed: ("Update failed", .error)
        case .downloading: ("Downloading artifacts", .inProgress)
        case .downloaded: ("Download complete", .inProgress)
        }
    }

    /// Whether this report ends an update run.
    public var endsRun: Bool { self == .updated || self == .failed }
}
