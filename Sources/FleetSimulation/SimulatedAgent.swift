import AgentCore
import AgentSimulation
import Logging
import Synchronization

/// One simulated node and the agent running on it, driven pass by pass by the fleet's scheduler.
///
/// A pass is exactly what `UpdateAgent.run()` does in its loop: one `tick()` (poll, then whatever is due), a failed
/// pass logged and the next one scheduled, a reboot request ending this agent. After a reboot (`--reboot-time`
/// later) the simulated firmware boots and a fresh `UpdateAgent` starts from the node's in-memory files, as a real
/// reboot would. Between passes nothing of the node runs.
final class SimulatedAgent: Sendable {
    /// What follows a pass.
    enum Next {
        /// Poll again after the poll interval.
        case tick
        /// The agent asked for a reboot: boot after the reboot time.
        case reboot
        /// The fleet is stopping.
        case stop
    }

    /// What every node of the fleet shares: the agent configuration (each node changes only its GUID), the
    /// network side, the clock, the telemetry and the logger.
    struct Shared: Sendable {
        let template: AgentConfiguration
        let identity: FleetIdentity
        let client: @Sendable (Int) -> any MaintenanceClient
        let fetcher: SyntheticImageFetcher
        let clock: JitteredClock
        let telemetry: FleetTelemetry
        let logger: Logger
    }

    struct State {
        var agent: UpdateAgent
        var rebooting = false
    }

    let index: Int
    let node: InMemoryNode
    let shared: Shared
    private let state: Mutex<State>

    init(index: Int, node: InMemoryNode, shared: Shared) {
        self.index = index
        self.node = node
        self.shared = shared
        state = Mutex(State(agent: Self.makeAgent(index: index, node: node, shared: shared)))
    }

    /// A fresh agent for node `index` (at start and after every reboot); only the node's own parts are new.
    static func makeAgent(index: Int, node: InMemoryNode, shared: Shared) -> UpdateAgent {
        var configuration = shared.template
        configuration.guid = shared.identity.uuid(index)
        var logger = shared.logger
        if logger.logLevel <= .info { logger[metadataKey: "host.guid"] = "\(configuration.guid)" }
        return UpdateAgent(
            configuration: configuration,
            environment: node.environment(client: shared.client(index), fetcher: shared.fetcher, clock: shared.clock),
            logger: logger,
            forcedOS: .emt
        )
    }

    /// One pass of the agent; the first pass after a reboot boots the node and starts a fresh agent first.
    func pass() async -> Next {
        var booted: Slot?
        let agent = state.withLock { state in
            if state.rebooting {
                state.rebooting = false
                booted = node.bootloader.boot()
                state.agent = Self.makeAgent(index: index, node: node, shared: shared)
            }
            return state.agent
        }
        if let booted {
            shared.telemetry.rebooted()
            shared.logger.debug("simulated reboot", metadata: ["boot.slot": "\(booted.rawValue)"])
        }
        do {
            guard try await agent.tick() == .rebootRequested else { return .tick }
            state.withLock { $0.rebooting = true }
            return .reboot
        } catch is CancellationError {
            return .stop
        } catch {
            if Task.isCancelled { return .stop }
            shared.logger.error("agent pass failed", metadata: ["error": "\(error)"])
            return .tick
        }
    }
}
