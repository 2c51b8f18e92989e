import AgentCore
import Synchronization

/// Plays apt, dpkg and update-grub against a package database in memory; any other command (a health check)
/// succeeds unless health checks are set to fail. The twin of `SimulatedCommandRunner` without the command log.
public final class InMemoryCommandRunner: CommandRunner {
    struct State {
        var database: PackageDatabase
        var failHealthChecks: Bool
        var commands = 0
    }

    private let state: Mutex<State>

    /// A runner over `database`; `failHealthChecks` makes every other command exit 1.
    public init(database: PackageDatabase = PackageDatabase(), failHealthChecks: Bool = false) {
        state = Mutex(State(database: database, failHealthChecks: failHealthChecks))
    }

    /// The database now.
    public var database: PackageDatabase { state.withLock { $0.database } }
    /// Commands run so far.
    public var commandCount: Int { state.withLock { $0.commands } }

    public func run(_ command: Command) async throws -> CommandResult {
        state.withLock { state in
            state.commands += 1
            if PackageDatabase.handles(command) { return state.database.run(command).result }
            if state.failHealthChecks {
                return CommandResult(exitCode: 1, standardError: "health check failed (simulated)")
            }
            return CommandResult(exitCode: 0)
        }
    }
}
