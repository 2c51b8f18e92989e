import AgentCore
import Synchronization

/// The power of a simulated node. Every simulated I/O operation passes through `check`; a test can cut the power
/// after a given number of operations, after which every operation fails with `AgentError(.powerLost)` until
/// the node is powered on again (and boots).
public final class PowerSwitch: Sendable {
    private struct State {
        var operations = 0
        var cutAfter: Int?
        var off = false
        var lastOperation = ""
    }

    private let state = Mutex(State())

    /// A switch that never cuts.
    public init() {}

    /// Cuts the power once `operations` more operations have run (nil: never).
    public func cut(after operations: Int?) {
        state.withLock { state in
            state.cutAfter = operations.map { state.operations + $0 }
        }
    }

    /// Powers on after a cut (the caller then boots the firmware); a cut still pending stays armed.
    public func powerOn() {
        state.withLock { state in
            if state.off { state.cutAfter = nil }
            state.off = false
        }
    }

    /// Operations counted so far.
    public var operations: Int { state.withLock { $0.operations } }
    /// Whether the power is off.
    public var isOff: Bool { state.withLock { $0.off } }
    /// The operation at which the power went off (or the last one).
    public var lastOperation: String { state.withLock { $0.lastOperation } }

    /// Counts one operation named `label`; throws when the power is (or just went) off.
    public func check(_ label: @autoclosure () -> String) throws(AgentError) {
        let off = state.withLock { state -> Bool in
            if state.off { return true }
            if let cutAfter = state.cutAfter, state.operations >= cutAfter {
                state.off = true
                state.lastOperation = label()
                return true
            }
            state.operations += 1
            return false
        }
        if off { throw AgentError(.powerLost, "power lost before \(label())") }
    }
}
