import AgentCore
import Subprocess
import SystemPackage

/// Runs commands with swift-subprocess: no shell, the inherited environment plus the command's own variables,
/// output collected up to 1 MiB per stream.
public struct SubprocessCommandRunner: CommandRunner {
    /// Creates the runner.
    public init() {}

    public func run(_ command: Command) async throws -> CommandResult {
        let executable: Executable =
            command.program.hasPrefix("/") ? .path(.init(command.program)) : .name(command.program)
        var overrides: [Environment.Key: String?] = [:]
        for (key, value) in command.environment {
            if let key = Environment.Key(rawValue: key) { overrides[key] = value }
        }
        do {
            let result = try await Subprocess.run(
                executable,
                arguments: Arguments(command.arguments),
                environment: .inherit.updating(overrides),
                output: .string(limit: 1 << 20),
                error: .string(limit: 1 << 20)
            )
            let code: Int32
            switch result.terminationStatus {
            case .exited(let exit): code = Int32(exit)
            case .signaled(let signal): code = 128 + Int32(signal)
            }
            return CommandResult(
                exitCode: code,
                standardOutput: result.standardOutput,
                standardError: result.standardError
            )
        } catch {
            throw AgentError(.command, "\(command.program): could not be started: \(error)")
        }
    }
}
