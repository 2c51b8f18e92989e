import Authentication
import Day2Model
import Foundation
import Inventory
import Logging

/// Bearer tokens for edge nodes: the `<projectUUID>_en-agent-rw` role, signed with this installation's secret, so
/// that an operator can hand a node its `jwt.accessTokenPath` file without an external identity provider.
public enum AgentTokens {
    /// The longest lifetime a token may be issued for (one year).
    public static let maximumLifetime = 366 * 86400

    /// Signs a token for the agents of project `projectName`, valid for `lifetimeSeconds`.
    ///
    /// The secret is `--jwt-secret` or the one `serve` keeps in the data folder; no secret is created here, so a
    /// token can never be signed with a secret the orchestrator does not use.
    public static func issue(
        configuration: OrchestratorConfiguration,
        projectName: String,
        lifetimeSeconds: Int,
        subject: String,
        logger: Logger
    ) async throws -> String {
        guard (60...maximumLifetime).contains(lifetimeSeconds) else {
            throw ConfigurationError(key: "lifetime", rule: "must be between 1m and 366d")
        }
        guard !projectName.isEmpty else { throw ConfigurationError(key: "project", rule: "must not be empty") }
        let secret = try existingSecret(configuration: configuration)
        let project = try await StoreOpener.withStore(configuration: configuration, logger: logger) { store in
            try await store.project(named: projectName)
        }
        guard let project else {
            throw ConfigurationError(key: "project", rule: "no project named \"\(projectName)\" in \(configuration.database)")
        }
        let verifier = try await TokenVerifier(hmacSecret: secret, jwksURL: nil)
        return try await verifier.issue(
            Claims(
                subject: subject,
                expires: Date().addingTimeInterval(TimeInterval(lifetimeSeconds)),
                roles: [Roles.role(project: project.id, suffix: Roles.agentSuffix)]
            )
        )
    }

    private static func existingSecret(configuration: OrchestratorConfiguration) throws -> String {
        if !configuration.jwtSecret.isEmpty { return configuration.jwtSecret }
        let path = (configuration.dataDirectory as NSString).appendingPathComponent("jwt-secret")
        guard let data = FileManager.default.contents(atPath: path), !data.isEmpty else {
            throw ConfigurationError(
                key: "jwtSecret",
                rule: "no secret in \(path): give the --jwt-secret the orchestrator runs with, or the --data-dir of a "
                    + "`serve` that has started once"
            )
        }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
