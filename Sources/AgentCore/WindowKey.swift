/// One concrete maintenance window: a single window, or one occurrence of a repeated window.
public struct WindowKey: Sendable, Hashable {
    /// Where it came from.
    public enum Source: Sendable, Hashable {
        case single
        case repeated
    }

    /// Single or repeated.
    public var source: Source
    /// First second of the window.
    public var start: Int64
    /// End of the window (exclusive), nil when it never closes.
    public var end: Int64?

    /// Creates a key.
    public init(source: Source, start: Int64, end: Int64?) {
        self.source = source
        self.start = start
        self.end = end
    }

    /// The text stored in the metadata file's `usedWindows`.
    public var text: String {
        switch source {
        case .single: "single:\(start):\(end ?? 0)"
        case .repeated: "repeated:\(start)"
        }
    }
}
