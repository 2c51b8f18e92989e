import Authentication
import Day2Model
import Day2Testing
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Inventory
import Logging
import NIOCore
import Northbound
import Orchestrator
import Prometheus
import Testing

/// The back ends the REST tests run on (PostgreSQL unless `DAY2_SKIP_POSTGRES=1`).
let backends: [StoreBackend] = {
    ProcessInfo.processInfo.environment["DAY2_SKIP_POSTGRES"] == "1"
        ? [.sqliteFile, .sqliteMemory] : StoreBackend.allCases
}()

/// One answer of the API: status and parsed JSON body.
struct Answer {
    let status: HTTPResponse.Status
    let json: JSON
    let text: String

    /// `json[key]` as a string.
    func string(_ key: String) -> String? {
        if case .string(let value) = json[key] { return value }
        return nil
    }

    /// The error message of an error answer.
    var message: String { string("message") ?? "" }

    /// The items of a list answer under `key`.
    func items(_ key: String) -> [JSON] {
        if case .array(let items) = json[key] { return items }
        return []
    }
}

extension JSON {
    /// The string member `key` of an object.
    func string(_ key: String) -> String? {
        if case .string(let value) = self[key] { return value }
        return nil
    }

    /// The keys of an object, in order.
    var keys: [String] {
        if case .object(let members) = self { return members.map(\.0) }
        return []
    }
}

/// A REST API over a fresh store, served in-process through the orchestrator's own router, with tokens at hand.
struct APIWorld {
    static let secret = "northbound-test-secret-0123456789abcdef"
    static let adminPassword = "admin-password-1"

    let store: any InventoryStore
    let client: any TestClientProtocol
    let project: Project
    let verifier: TokenVerifier
    let adminToken: String

    var path: String { "/v1/projects/\(project.name)" }

    /// Runs `body` with an API over a fresh store of `backend`.
    static func run(
        _ backend: StoreBackend,
        _ body: @Sendable @escaping (APIWorld) async throws -> Void
    ) async throws {
        try await backend.withStore { store in
            try await Self.run(store: store, body)
        }
    }

    static func run<Store: InventoryStore>(
        store: Store,
        _ body: @Sendable @escaping (APIWorld) async throws -> Void
    ) async throws {
        let project = try await store.createProject(name: "default", id: nil)
        let verifier = try await TokenVerifier(hmacSecret: secret, jwksURL: nil)
        let users = UserDirectory([
            .init(name: "admin", password: PasswordHash(password: adminPassword, iterations: 10), isAdmin: true),
            .init(
                name: "viewer",
                password: PasswordHash(password: "viewer-password", iterations: 10),
                projects: ["default": "r"]
            ),
        ])
        var logger = Logger(label: "test.northbound")
        logger.logLevel = .warning
        let api = NorthboundAPI(store: store, verifier: verifier, users: users, logger: logger)
        let router = HTTPServer.makeRouter(
            store: store,
            registry: PrometheusCollectorRegistry(),
            api: api,
            logger: logger
        )
        let app = Application(router: router)
        let admin = try await verifier.issue(
            Claims(subject: "admin", expires: Date().addingTimeInterval(600), roles: [Roles.admin])
        )
        try await app.test(.router) { client in
            try await body(
                APIWorld(store: store, client: client, project: project, verifier: verifier, adminToken: admin)
            )
        }
    }

    /// A token with exactly `roles`.
    func token(_ roles: [String], lifetime: TimeInterval = 600) async throws -> String {
        try await verifier.issue(Claims(subject: "user", expires: Date().addingTimeInterval(lifetime), roles: roles))
    }

    /// Who a request is sent as.
    enum Caller {
        case admin
        case anonymous
        case bearer(String)
    }

    /// Sends a request as `caller` (the admin by default).
    @discardableResult
    func call(
        _ method: HTTPRequest.Method,
        _ uri: String,
        _ body: String? = nil,
        as caller: Caller = .admin,
        contentType: String = "application/json"
    ) async throws -> Answer {
        var headers = HTTPFields()
        switch caller {
        case .admin: headers[.authorization] = "Bearer \(adminToken)"
        case .anonymous: break
        case .bearer(let token): headers[.authorization] = "Bearer \(token)"
        }
        if body != nil { headers[.contentType] = contentType }
        return try await client.execute(
            uri: uri,
            method: method,
            headers: headers,
            body: body.map { ByteBuffer(string: $0) }
        ) { response in
            let text = String(buffer: response.body)
            let json = text.isEmpty ? JSON.null : (try? JSON.parse(Data(text.utf8))) ?? .null
            return Answer(status: response.status, json: json, text: text)
        }
    }

    /// Creates through the API and returns the created resource (expects 200).
    func create(
        _ collection: String,
        _ body: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) async throws
        -> JSON
    {
        let answer = try await call(.post, "\(path)/\(collection)", body)
        #expect(answer.status == .ok, "\(collection): \(answer.text)", sourceLocation: sourceLocation)
        return answer.json
    }

    /// A small fleet made through the API: region, site, host, two immutable OS resources of one profile, a
    /// mutable OS, and an instance of the host on the older image.
    func fleet() async throws -> (
        region: String, site: String, host: String, old: String, new: String, ubuntu: String, instance: String
    ) {
        let region = try await create("regions", #"{"name":"europe"}"#).string("resourceId")!
        let site = try await create("regions/\(region)/sites", #"{"name":"berlin-1"}"#).string("resourceId")!
        let host = try await create(
            "compute/hosts",
            #"{"name":"edge-1","uuid":"4C4C4544-0000-1111-2222-333344445555","siteId":"\#(site)"}"#
        ).string("resourceId")!
        let old = try await create("compute/os", Self.immutableOS(version: "3.0.20260101.0100")).string("resourceId")!
        let new = try await create("compute/os", Self.immutableOS(version: "3.0.20260202.0100")).string("resourceId")!
        let ubuntu = try await create(
            "compute/os",
            #"{"name":"Ubuntu 22.04.5","sha256":"\#(String(repeating: "b", count: 64))","profileName":"ubuntu-22.04-lts-generic","imageId":"22.04.5","osType":"OS_TYPE_MUTABLE","osProvider":"OS_PROVIDER_KIND_INFRA"}"#
        ).string("resourceId")!
        let instance = try await create(
            "compute/instances",
            #"{"hostID":"\#(host)","osID":"\#(old)","kind":"INSTANCE_KIND_METAL","name":"edge-1"}"#
        ).string("resourceId")!
        return (region, site, host, old, new, ubuntu, instance)
    }

    static func immutableOS(version: String) -> String {
        let sha = String(repeating: version.hasSuffix("0101.0100") ? "a" : "c", count: 64)
        return
            #"{"name":"Edge Microvisor Toolkit \#(version)","sha256":"\#(sha)","profileName":"microvisor-nonrt","imageId":"\#(version)","imageUrl":"files/microvisor/\#(version).raw.gz","osType":"OS_TYPE_IMMUTABLE","osProvider":"OS_PROVIDER_KIND_INFRA"}"#
    }
}
