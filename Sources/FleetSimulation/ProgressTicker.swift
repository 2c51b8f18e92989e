import Synchronization

/// Says when the next progress line is due (at most one per interval), from any task.
final class ProgressTicker: Sendable {
    private let interval: Duration
    private let next: Mutex<ContinuousClock.Instant>

    init(interval: Double) {
        self.interval = .milliseconds(Int64(interval * 1000))
        next = Mutex(ContinuousClock.now + .milliseconds(Int64(interval * 1000)))
    }

    /// True once per interval.
    func due() -> Bool {
        let now = ContinuousClock.now
        return next.withLock { next in
            guard now >= next else { return false }
            next = now + interval
            return true
        }
    }
}
