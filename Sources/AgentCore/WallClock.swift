import Foundation

/// Wall-clock time in Unix seconds, and sleeping; injected so tests and fleets of simulated agents control time.
public protocol WallClock: Sendable {
    /// Now, in Unix seconds.
    func now() -> Double
    /// Waits `seconds` (a manual clock moves its time instead).
    func sleep(seconds: Double) async throws
}

/// The system clock.
public struct SystemWallClock: WallClock {
    /// Creates the clock.
    public init() {}
    public func now() -> Double { Date().timeIntervalSince1970 }
    public func sleep(seconds: Double) async throws {
        try await Task.sleep(for: .milliseconds(Int64(max(0, seconds) * 1000)))
    }
}
