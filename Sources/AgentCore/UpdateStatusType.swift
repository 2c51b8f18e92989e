/// The status the agent reports (`UpdateStatus.StatusType`), spelled as in the metadata file.
public enum UpdateStatusType: String, Sendable, Codable, CaseIterable {
    /// Unknown.
    case unspecified = "STATUS_TYPE_UNSPECIFIED"
    /// Nothing update-related is going on.
    case upToDate = "STATUS_TYPE_UP_TO_DATE"
    /// An update is running.
    case started = "STATUS_TYPE_STARTED"
    /// An update completed (reported until delivered once).
    case updated = "STATUS_TYPE_UPDATED"
    /// An update failed (sticky until the next attempt).
    case failed = "STATUS_TYPE_FAILED"
    /// An image is being downloaded ahead of the window.
    case downloading = "STATUS_TYPE_DOWNLOADING"
    /// The image is downloaded and verified.
    case downloaded = "STATUS_TYPE_DOWNLOADED"

    /// The number on the wire.
    public var wireNumber: Int {
        switch self {
        case .unspecified: 0
        case .upToDate: 1
        case .started: 2
        case .updated: 3
        case .failed: 4
        case .downloading: 5
        case .downloaded: 6
        }
    }

    /// Unknown names read as `unspecified`, as upstream.
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        self = UpdateStatusType(rawValue: text) ?? .unspecified
    }
}
