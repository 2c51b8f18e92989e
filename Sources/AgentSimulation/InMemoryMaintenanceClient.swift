import AgentCore
import Synchronization

/// The in-memory twin of the Maintenance Manager: answers a desired state that a test sets, records every report,
/// and can be made unreachable.
public final class InMemoryMaintenanceClient: MaintenanceClient {
    private struct State {
        var desired: DesiredState
        var reports: [StatusReport] = []
        var unreachable = false
    }

    private let state: Mutex<State>

    /// A client answering `desired`.
    public init(desired: DesiredState) { state = Mutex(State(desired: desired)) }

    /// Changes the answer.
    public func setDesired(_ desired: DesiredState) { state.withLock { $0.desired = desired } }
    /// Makes every poll fail (or succeed again).
    public func setUnreachable(_ unreachable: Bool) { state.withLock { $0.unreachable = unreachable } }
    /// Every report received, oldest first.
    public var reports: [StatusReport] { state.withLock { $0.reports } }

    public func poll(_ report: StatusReport, timeout: Double) async throws -> DesiredState {
        try state.withLock { state in
            if state.unreachable { throw AgentError(.rpc, "Maintenance Manager unreachable (simulated)") }
            state.reports.append(report)
            return state.desired
        }
    }
}
