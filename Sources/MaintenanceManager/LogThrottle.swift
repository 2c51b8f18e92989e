import Synchronization

/// Lets one log line through per interval and counts the ones it held back.
public final class LogThrottle: Sendable {
    private let interval: Duration
    private let state = Mutex<(last: ContinuousClock.Instant?, suppressed: Int)>((nil, 0))

    /// Lets a line through at most once per `interval`.
    public init(interval: Duration) {
        self.interval = interval
    }

    /// The number of lines held back since the last one let through, or nil when this one is held back too.
    public func admit(now: ContinuousClock.Instant = .now) -> Int? {
        state.withLock { state in
            if let last = state.last, now - last < interval {
                state.suppressed += 1
                return nil
            }
            defer { state = (now, 0) }
            return state.suppressed
        }
    }
}
