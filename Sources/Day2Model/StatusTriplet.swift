/// A status as the inventory keeps it: a short text, how to show it, and when it was set (Unix seconds).
public struct StatusTriplet: Sendable, Hashable, Codable {
    /// The short human text, at most 1024 bytes.
    public var status: String
    /// How the status should be shown.
    public var indicator: StatusIndication
    /// When the status was set, in Unix seconds (0 when never set).
    public var timestamp: Int64

    /// Creates a triplet; the defaults are the empty, never-set status.
    public init(status: String = "", indicator: StatusIndication = .unspecified, timestamp: Int64 = 0) {
        self.status = status
        self.indicator = indicator
        self.timestamp = timestamp
    }

    /// The empty, never-set status.
    public static let empty = StatusTriplet()
}
