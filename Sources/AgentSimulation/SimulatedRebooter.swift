import AgentCore
import Synchronization

/// Records reboot requests; the agent then stops and its host boots the simulated firmware and starts it again.
public final class SimulatedRebooter: Rebooter {
    private let count = Mutex(0)
    private let power: PowerSwitch

    /// A rebooter on the node's power.
    public init(power: PowerSwitch) { self.power = power }

    /// Reboots requested so far.
    public var reboots: Int { count.withLock { $0 } }

    public func reboot() async throws {
        try power.check("reboot")
        count.withLock { $0 += 1 }
    }
}
