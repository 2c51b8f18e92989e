import AgentCore
import Foundation

/// The system clock for a fleet of agents, with every wait stretched or shrunk at random by up to `jitter` (0.1 =
/// ±10 %), so that agents started together drift apart as real nodes do. One value serves the whole fleet.
struct JitteredClock: WallClock {
    let jitter: Double

    func now() -> Double { Date().timeIntervalSince1970 }

    func sleep(seconds: Double) async throws {
        try await Task.sleep(for: .seconds(jittered(seconds)))
    }

    /// `seconds` spread by the jitter.
    func jittered(_ seconds: Double) -> Double {
        guard jitter > 0, seconds > 0 else { return max(0, seconds) }
        return seconds * (1 + jitter * Double.random(in: -1...1))
    }
}
