/// Restarts the node. A real reboot never returns control for long; the simulator records it and the agent stops.
public protocol Rebooter: Sendable {
    /// Asks for a reboot.
    func reboot() async throws
}
