import AgentCore
import Synchronization

/// A wall clock that moves only when told to, or by exactly the time a sleep asks for (virtual time: a simulated
/// agent's 20 s poll interval costs no real time).
public final class ManualWallClock: WallClock {
    private let current: Mutex<Double>

    /// Starts at `start` (Unix seconds).
    public init(start: Double) { current = Mutex(start) }

    public func now() -> Double { current.withLock { $0 } }

    /// Moves the clock forward.
    public func advance(_ seconds: Double) { current.withLock { $0 += seconds } }

    /// Sets the clock.
    public func set(_ seconds: Double) { current.withLock { $0 = seconds } }

    public func sleep(seconds: Double) async throws {
        try Task.checkCancellation()
        advance(max(0, seconds))
        await Task.yield()
    }
}
