import Authentication
import Foundation
import Synchronization

/// The bearer token every simulated agent sends: read from a file (re-read every minute, as an operator may
/// rotate it), or signed here with the orchestrator's HS256 secret for the project (valid a day, renewed hourly).
/// Held in memory and shared by the whole fleet.
final class AgentTokenSource: Sendable {
    enum Origin {
        case file(String)
        case signed(secret: String, projectID: String)
    }

    let origin: Origin
    private let token = Mutex("")

    init(origin: Origin) { self.origin = origin }

    /// The current token.
    var current: String { token.withLock { $0 } }

    /// Reads or signs a token now.
    func refresh() async throws {
        let next: String
        switch origin {
        case .file(let path):
            guard let data = FileManager.default.contents(atPath: path) else {
                throw FleetError(.localFile, "--agent-token-file: cannot read \(path)")
            }
            next = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        case .signed(let secret, let projectID):
            let verifier = try await TokenVerifier(hmacSecret: secret, jwksURL: nil)
            next = try await verifier.issue(
                Claims(
                    subject: "day2-fleetsim",
                    expires: Date().addingTimeInterval(86_400),
                    roles: [Roles.role(project: projectID, suffix: Roles.agentSuffix)]
                )
            )
        }
        token.withLock { $0 = next }
    }

    /// How long a token is used before `refresh` runs again.
    var refreshPeriod: Duration {
        switch origin {
        case .file: .seconds(60)
        case .signed: .seconds(3600)
        }
    }
}
