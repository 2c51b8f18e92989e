import ArgumentParser

/// A command of the tree that runs against a ``CLIContext`` (environment, streams, clock) instead of process-wide
/// state, so tests run the very commands the executable runs.
protocol CLICommand: AsyncParsableCommand {
    /// Does the command's work.
    func run(in context: CLIContext) async throws(CLIError)
}

extension CLICommand {
    /// ArgumentParser's entry point: the command in the real process's context.
    mutating func run() async throws {
        try await run(in: .process())
    }
}

/// `day2ctl`: the command-line client of the Day2 REST API.
public struct Day2CTL: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "day2ctl",
        abstract: "Manage Day-2 OS updates of an edge fleet through the Day2 REST API.",
        discussion: """
            Log in once (day2ctl login), then list, get, create, set and delete regions, sites, hosts, instances, \
            OS profiles, OS update policies, update runs and schedules. Commands read verb first \
            (day2ctl list hosts); the noun may also come first (day2ctl hosts list).

            Environment: DAY2_URL, DAY2_TOKEN, DAY2_PROJECT override the stored login; DAY2CTL_CONFIG moves the \
            login file (default ~/.config/day2/day2ctl.json); TZ sets the zone times are shown in.
            """,
        version: "0.1.0",
        subcommands: [
            LoginCommand.self, LogoutCommand.self, ListCommand.self, GetCommand.self, CreateCommand.self,
            SetCommand.self, DeleteCommand.self, UpdateOSCommand.self, RolloutCommands.self,
        ]
    )

    /// Creates the root command (ArgumentParser needs it).
    public init() {}

    /// Parses `arguments` (without the program name) and runs the command in `context`: the executable's and the
    /// tests' single entry point. Returns the exit code; messages have gone to the context's streams.
    public static func run(_ arguments: [String], in context: CLIContext) async -> Int32 {
        do {
            var command = try parseAsRoot(ArgumentOrder.normalized(arguments))
            if let command = command as? any CLICommand {
                try await command.run(in: context)
            } else if var command = command as? any AsyncParsableCommand {
                try await command.run()
            } else {
                // `help …` and groups without a subcommand: they throw the help request that is printed below.
                try command.run()
            }
            return 0
        } catch let error as CLIError {
            context.errors.line(error.description)
            return error.exitCode
        } catch {
            let code = exitCode(for: error)
            let message = fullMessage(for: error)
            if code == .success {
                context.output.line(message)
            } else {
                context.errors.line(message)
            }
            return code.rawValue
        }
    }
}
