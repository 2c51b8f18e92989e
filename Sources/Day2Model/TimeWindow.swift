/// A time span [start, end) in unix seconds; end nil = open-ended.
public struct TimeWindow: Sendable, Hashable {
    /// First second of the window (inclusive).
    public var start: Int64
    /// End of the window (exclusive), or nil when the window never ends.
    public var end: Int64?

    /// Creates the window [start, end), open-ended when `end` is nil.
    public init(start: Int64, end: Int64?) {
        self.start = start
        self.end = end
    }

    /// True when `start <= t` and, if there is an end, `t < end`.
    public func contains(_ t: Int64) -> Bool {
        guard start <= t else {
            return false
        }
        guard let end else {
            return true
        }
        return t < end
    }
}
