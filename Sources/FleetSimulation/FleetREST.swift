import AsyncHTTPClient
import Day2CLI
import Foundation
import NIOCore
import NIOSSL
import Synchronization

/// The REST API as the simulator uses it: `day2ctl`'s client (a password grant at the token endpoint, then the
/// project's paths with the bearer token), signing in again when the token expires during a long registration.
final class FleetREST: Sendable {
    let configuration: FleetConfiguration
    let http: HTTPClient
    private let client: Mutex<APIClient?>

    init(configuration: FleetConfiguration) throws {
        self.configuration = configuration
        var tls = TLSConfiguration.makeClientConfiguration()
        if !configuration.caFile.isEmpty { tls.trustRoots = .file(configuration.caFile) }
        var http = HTTPClient.Configuration(
            tlsConfiguration: tls,
            timeout: .init(connect: .seconds(10), read: .seconds(120))
        )
        http.httpVersion = .http1Only
        http.connectionPool.concurrentHTTP1ConnectionsPerHostSoftLimit = configuration.registerConcurrency
        self.http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: http)
        client = Mutex(nil)
    }

    /// Closes the HTTP connections.
    func shutdown() async throws { try await http.shutdown() }

    /// Signs in (password grant) and keeps the token for later calls.
    @discardableResult
    func signIn() async throws -> APIClient {
        let anonymous = APIClient(
            baseURL: configuration.url,
            project: configuration.project,
            token: nil,
            tokenSource: .none,
            http: http
        )
        let answer: JSONValue
        do {
            answer = try await anonymous.send(
                .POST,
                "/realms/\(configuration.realm)/protocol/openid-connect/token",
                form: [
                    ("grant_type", "password"), ("username", configuration.username),
                    ("password", configuration.password),
                ],
                authenticated: false
            )
        } catch {
            throw Self.failure(error, doing: "signing in as \(configuration.username) at \(configuration.url)")
        }
        guard let token = answer["access_token"].string, !token.isEmpty else {
            throw FleetError(.api, "\(configuration.url) answered the token request without an access_token")
        }
        let signedIn = APIClient(
            baseURL: configuration.url,
            project: configuration.project,
            token: token,
            tokenSource: .flag,
            http: http
        )
        client.withLock { $0 = signedIn }
        return signedIn
    }

    /// The project's UUID (its name is `configuration.project`).
    func projectID() async throws -> String {
        let answer = try await call("listing projects") { try await $0.send(.GET, "/v1/projects") }
        guard
            let project = answer["projects"].array.first(where: { $0["name"].string == configuration.project }),
            let id = project["id"].string
        else {
            throw FleetError(
                .api,
                "--project: \(configuration.project) is not a project that \(configuration.username) can see"
            )
        }
        return id
    }

    /// Runs `body` with the signed-in client; on a 401 (an expired token) signs in again and retries once.
    func call(_ doing: String, _ body: (APIClient) async throws -> JSONValue) async throws -> JSONValue {
        var current: APIClient
        if let existing = client.withLock({ $0 }) {
            current = existing
        } else {
            current = try await signIn()
        }
        do {
            return try await body(current)
        } catch let error as CLIError where error.httpStatus == 401 {
            do {
                current = try await signIn()
                return try await body(current)
            } catch {
                throw Self.failure(error, doing: doing)
            }
        } catch {
            throw Self.failure(error, doing: doing)
        }
    }

    /// `GET /v1/projects/{project}/<path>`.
    func get(_ path: String, query: [(String, String)] = [], doing: String) async throws -> JSONValue {
        try await call(doing) { try await $0.get(path, query: query) }
    }

    /// `POST /v1/projects/{project}/<path>`.
    func post(_ path: String, _ body: JSONValue, doing: String) async throws -> JSONValue {
        try await call(doing) { try await $0.post(path, body) }
    }

    /// `PATCH /v1/projects/{project}/<path>`.
    func patch(_ path: String, _ body: JSONValue, doing: String) async throws -> JSONValue {
        try await call(doing) { try await $0.patch(path, body) }
    }

    static func failure(_ error: any Error, doing: String) -> FleetError {
        if let error = error as? FleetError { return error }
        if let error = error as? CLIError {
            let code: FleetError.Code = error.httpStatus == nil ? .connection : .api
            return FleetError(code, "\(doing): \(error.message)", cause: error)
        }
        return FleetError(.connection, "\(doing): \(error)")
    }
}
