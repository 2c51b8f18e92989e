import Authentication
import Foundation
import JWTKit
import Logging
import Orchestrator
import Testing

@Suite("day2-orchestrator agent-token")
struct AgentTokenTests {
    static let secret = "agent-token-test-secret-0123456789abcdef"

    static func configuration(folder: String) -> OrchestratorConfiguration {
        var configuration = OrchestratorConfiguration()
        configuration.dataDirectory = folder
        configuration.database = "sqlite:" + folder + "/day2.sqlite"
        return configuration
    }

    static func withFolder(_ body: (String) async throws -> Void) async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "day2-agent-token-\(UUID().uuidString.prefix(8))"
        ).path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try await body(folder)
    }

    @Test("the token carries the project's agent role, verifies with the orchestrator's secret and expires on time")
    func issues() async throws {
        try await Self.withFolder { folder in
            var configuration = Self.configuration(folder: folder)
            configuration.jwtSecret = Self.secret
            let summary = try await ExampleFleet.seed(configuration: configuration, logger: Logger(label: "test"))
            let projectId = try #require(
                (try JSONSerialization.jsonObject(with: Data(summary.utf8)) as? [String: Any])?["projectId"] as? String
            )
            let token = try await AgentTokens.issue(
                configuration: configuration,
                projectName: "default",
                lifetimeSeconds: 7 * 86400,
                subject: "edge-1",
                logger: Logger(label: "test")
            )
            let claims = try await TokenVerifier(hmacSecret: Self.secret, jwksURL: nil)
                .verify(authorization: "Bearer " + token)
            #expect(try Roles.agentProject(in: claims.roles) == projectId)
            #expect(claims.sub.value == "edge-1")
            let days = claims.exp.value.timeIntervalSinceNow / 86400
            #expect(days > 6.99 && days <= 7)
            // Another secret does not accept it.
            await #expect(throws: AuthenticationError.self) {
                _ = try await TokenVerifier(hmacSecret: Self.secret + "x", jwksURL: nil)
                    .verify(authorization: "Bearer " + token)
            }
        }
    }

    @Test("no secret yet, an unknown project or a bad lifetime is refused naming it; no secret is created")
    func refuses() async throws {
        try await Self.withFolder { folder in
            let configuration = Self.configuration(folder: folder)
            let logger = Logger(label: "test")
            do {
                _ = try await AgentTokens.issue(
                    configuration: configuration, projectName: "default", lifetimeSeconds: 3600, subject: "s",
                    logger: logger)
                Issue.record("a token without a secret")
            } catch let error as ConfigurationError {
                #expect(error.key == "jwtSecret")
            }
            #expect(!FileManager.default.fileExists(atPath: folder + "/jwt-secret"))
            var withSecret = configuration
            withSecret.jwtSecret = Self.secret
            _ = try await ExampleFleet.seed(configuration: withSecret, logger: logger)
            for (project, lifetime, key) in [("nope", 3600, "project"), ("default", 30, "lifetime"),
                                             ("default", 400 * 86400, "lifetime"), ("", 3600, "project")] {
                do {
                    _ = try await AgentTokens.issue(
                        configuration: withSecret, projectName: project, lifetimeSeconds: lifetime, subject: "s",
                        logger: logger)
                    Issue.record("accepted \(project) \(lifetime)")
                } catch let error as ConfigurationError {
                    #expect(error.key == key, "\(error)")
                }
            }
        }
    }
}
