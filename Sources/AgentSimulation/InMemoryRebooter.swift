import AgentCore

/// Accepts a reboot request; the node's host (`InMemoryNode.runAgents`) then boots the firmware and starts a new
/// agent. Holds no state, so one value serves a whole fleet.
public struct InMemoryRebooter: Rebooter {
    /// Creates the rebooter.
    public init() {}
    public func reboot() async throws {}
}
