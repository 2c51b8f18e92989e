/// A command to run: program and arguments (never a shell line), plus extra environment.
public struct Command: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The program (a name looked up in PATH, or an absolute path).
    public var program: String
    /// The arguments.
    public var arguments: [String]
    /// Variables added to the inherited environment.
    public var environment: [String: String]

    /// Creates a command.
    public init(_ program: String, _ arguments: [String] = [], environment: [String: String] = [:]) {
        self.program = program
        self.arguments = arguments
        self.environment = environment
    }

    /// The command as one line, for logs and status details.
    public var description: String { ([program] + arguments).joined(separator: " ") }
}

/// What a command did.
public struct CommandResult: Sendable, Hashable {
    /// Exit code (128 + signal number when it was killed).
    public var exitCode: Int32
    /// Standard output (truncated by the runner to a sane size).
    public var standardOutput: String
    /// Standard error (truncated likewise).
    public var standardError: String

    /// Creates a result.
    public init(exitCode: Int32, standardOutput: String = "", standardError: String = "") {
        self.exitCode = exitCode
        self.standardOutput = standardOutput
        self.standardError = standardError
    }

    /// Exit code 0.
    public var succeeded: Bool { exitCode == 0 }
}

/// Runs commands on the node. Real: swift-subprocess; tests and the simulator: a recording twin.
public protocol CommandRunner: Sendable {
    /// Runs `command` to completion; throws only when it cannot be started.
    func run(_ command: Command) async throws -> CommandResult
}
