/// The status the agent reports (`UpdateStatus.StatusType`), spelled as in the metadata file.
public enum UpdateStatusType: String, Sendable, Codable, CaseIterable {
    case unspecified = "STATUS_TYPE_UNSPECIFIED"
    case upToDate = "STATUS_TYPE_UP_TO_DATE"
    case started = "STATUS_TYPE_STARTED"
    case updated = "STATUS_TYPE_UPDATED"
    case failed = "STATUS_TYPE_FAILED"
    case downloading = "STATUS_TYPE_DOWNLOADING"
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
