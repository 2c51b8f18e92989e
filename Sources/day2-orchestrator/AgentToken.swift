import ArgumentParser
import Logging
import Orchestrator

/// `day2-orchestrator agent-token`: prints a bearer token for a project's edge nodes.
struct AgentToken: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agent-token",
        abstract: "Print a token with the <projectUUID>_en-agent-rw role for the agents of a project.",
        discussion: """
            Signed with the secret the orchestrator uses (--jwt-secret, or the one `serve` keeps in --data-dir), so \
            give this command the same --data-dir/--database/--jwt-secret (or --config) as `serve`. Write the token \
            to the node's jwt.accessTokenPath file (default /etc/day2-agent/access_token, mode 0600).
            """
    )

    @OptionGroup var options: ServerOptions

    @Option(help: "The project whose agents use the token.")
    var project: String = "default"
    @Option(help: "How long the token is valid: 90d, 12h, 30m or seconds (at most 366d).")
    var lifetime: String = "90d"
    @Option(help: "The token's subject (for example the node's name), shown in the orchestrator's logs.")
    var subject: String = "day2-agent"

    func run() async throws {
        let configuration = try options.resolve()
        guard let seconds = OrchestratorConfiguration.durationSeconds(lifetime) else {
            throw ValidationError("--lifetime: must be a duration such as 90d, 12h, 30m or a number of seconds")
        }
        var logger = Logger(label: "day2.agent-token")
        logger.logLevel = .warning
        do {
            print(
                try await AgentTokens.issue(
                    configuration: configuration,
                    projectName: project,
                    lifetimeSeconds: seconds,
                    subject: subject,
                    logger: logger
                )
            )
        } catch let error as ConfigurationError {
            throw ValidationError("--\(Self.flag(error.key)): \(error.rule)")
        }
    }

    /// The flag spelling of a configuration key (`jwtSecret` → `jwt-secret`).
    static func flag(_ key: String) -> String {
        key.reduce(into: "") { text, character in
            if character.isUppercase { text += "-" + character.lowercased() } else { text.append(character) }
        }
    }
}
