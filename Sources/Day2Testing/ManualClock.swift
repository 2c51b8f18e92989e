import Foundation
import Synchronization

/// A wall clock that only moves when a test moves it; hand `now` to whatever takes a time source.
public final class ManualClock: Sendable {
    private let current: Mutex<Date>

    /// Starts the clock at `start` (Unix seconds).
    public init(unixSeconds start: Int64 = 1_900_000_000) {
        current = Mutex(Date(timeIntervalSince1970: TimeInterval(start)))
    }

    /// The current time.
    public var now: Date { current.withLock { $0 } }

    /// The current time in whole Unix seconds.
    public var unixSeconds: Int64 { Int64(now.timeIntervalSince1970) }

    /// Moves the clock forward by `seconds`.
    public func advance(seconds: Int64) {
        current.withLock { $0 = $0.addingTimeInterval(TimeInterval(seconds)) }
    }

    /// A `now` function reading this clock.
    public var source: @Sendable () -> Date { { self.now } }
}
