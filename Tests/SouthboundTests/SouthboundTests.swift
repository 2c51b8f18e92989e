import Authentication
import Day2Model
import Day2Testing
import Foundation
import GRPCCore
import GRPCInProcessTransport
import Inventory
import Logging
import MaintenanceManager
import Southbound
import SouthboundContract
import Testing

/// A southbound server on the in-process transport, over a real store with one provisioned immutable node.
struct SouthboundHarness {
    static let secret = "southbound-test-secret-0123456789abcdef"

    let fleet: Fixtures.Fleet
    let verifier: TokenVerifier

    /// A token for `roles`, expiring in `lifetime` seconds (negative: already expired), signed with `secret`.
    static func token(
        roles: [String],
        lifetime: TimeInterval = 600,
        secret: String = Self.secret
    ) async throws -> String {
        let signer = try await TokenVerifier(hmacSecret: secret, jwksURL: nil)
        return try await signer.issue(
            Claims(subject: "agent", expires: Date().addingTimeInterval(lifetime), roles: roles)
        )
    }

    static func agentToken(project: String, lifetime: TimeInterval = 600) async throws -> String {
        try await token(roles: [Roles.role(project: project, suffix: Roles.agentSuffix)], lifetime: lifetime)
    }

    /// Runs `body` with a client connected to a server over `store`.
    static func run<Store: InventoryStore>(
        store: Store,
        _ body:
            @Sendable (
                SouthboundHarness, Maintmgr_V1_MaintmgrService.Client<InProcessTransport.Client>,
                Grpc_Health_V1_Health.Client<InProcessTransport.Client>
            ) async throws -> Void
    ) async throws {
        var fleet = try await Fixtures.fleet(in: store, hosts: 1)
        var instance = fleet.instances[0]
        instance.provisioningStatus = StatusTriplet(status: "Provisioned", indicator: .idle, timestamp: 1)
        fleet.instances[0] = try await store.updateInstance(tenant: fleet.tenant, instance)
        let verifier = try await TokenVerifier(hmacSecret: secret, jwksURL: nil)
        let manager = MaintenanceManager(store: store, now: { Date() }, logger: Logger(label: "test"))
        let transport = InProcessTransport()
        let server = GRPCServer(
            transport: transport.server,
            services: [MaintenanceService(manager: manager, logger: Logger(label: "test")), HealthService()],
            interceptorPipeline: [
                .apply(AgentAuthInterceptor(verifier: verifier), to: .services([.maintmgr_v1_MaintmgrService]))
            ]
        )
        let harness = SouthboundHarness(fleet: fleet, verifier: verifier)
        try await withThrowingDiscardingTaskGroup { group in
            group.addTask { try await server.serve() }
            try await withGRPCClient(transport: transport.client) { client in
                try await body(
                    harness,
                    Maintmgr_V1_MaintmgrService.Client(wrapping: client),
                    Grpc_Health_V1_Health.Client(wrapping: client)
                )
            }
            server.beginGracefulShutdown()
        }
    }

    static func request(
        guid: String,
        status: Maintmgr_V1_UpdateStatus.StatusType = .upToDate
    )
        -> Maintmgr_V1_PlatformUpdateStatusRequest
    {
        var request = Maintmgr_V1_PlatformUpdateStatusRequest()
        request.hostGuid = guid
        var update = Maintmgr_V1_UpdateStatus()
        update.statusType = status
        request.updateStatus = update
        return request
    }
}

func metadata(token: String?) -> Metadata {
    var metadata = Metadata()
    if let token { metadata.addString("Bearer \(token)", forKey: "authorization") }
    return metadata
}

func expectRPC(
    _ code: RPCError.Code,
    _ body: () async throws -> Void,
    sourceLocation: SourceLocation = #_sourceLocation
) async {
    do {
        try await body()
        Issue.record("expected \(code)", sourceLocation: sourceLocation)
    } catch let error as RPCError {
        #expect(error.code == code, "got \(error)", sourceLocation: sourceLocation)
    } catch {
        Issue.record("unexpected \(error)", sourceLocation: sourceLocation)
    }
}

@Suite("Southbound gRPC service (in-process)")
struct SouthboundTests {
    @Test("a valid agent token gets a complete response")
    func success() async throws {
        let store = try await SQLInventoryStore.sqlite(path: nil, logger: Logger(label: "test"))
        try await SouthboundHarness.run(store: store) { harness, client, _ in
            let token = try await SouthboundHarness.agentToken(project: harness.fleet.tenant)
            let response = try await client.platformUpdateStatus(
                SouthboundHarness.request(guid: Fixtures.uuid(0)),
                metadata: metadata(token: token)
            )
            #expect(response.hasUpdateSource)
            #expect(response.hasUpdateSchedule)
            #expect(response.hasOsProfileUpdateSource)
            #expect(response.osType == .immutable)
            let instance = try await store.instance(
                tenant: harness.fleet.tenant,
                id: harness.fleet.instances[0].resourceId
            )
            #expect(instance.updateStatus.status == "No new updates available")
        }
    }

    @Test("missing, malformed, forged and expired tokens are UNAUTHENTICATED and change nothing")
    func authentication() async throws {
        let store = try await SQLInventoryStore.sqlite(path: nil, logger: Logger(label: "test"))
        try await SouthboundHarness.run(store: store) { harness, client, _ in
            let request = SouthboundHarness.request(guid: Fixtures.uuid(0))
            let role = Roles.role(project: harness.fleet.tenant, suffix: Roles.agentSuffix)
            let forged = try await SouthboundHarness.token(
                roles: [role],
                secret: "another-secret-of-enough-length-0123456789"
            )
            let expired = try await SouthboundHarness.agentToken(project: harness.fleet.tenant, lifetime: -120)
            let noRole = try await SouthboundHarness.token(roles: ["\(harness.fleet.tenant)_im-rw"])
            let twoProjects = try await SouthboundHarness.token(roles: [
                role, Roles.role(project: UUID().uuidString.lowercased(), suffix: Roles.agentSuffix),
            ])
            for token in [nil, "not-a-jwt", forged, expired, noRole, twoProjects] {
                await expectRPC(.unauthenticated) {
                    _ = try await client.platformUpdateStatus(request, metadata: metadata(token: token))
                }
            }
            // A client cannot smuggle a project in through the metadata the interceptor uses.
            var smuggled = metadata(token: noRole)
            smuggled.addString(harness.fleet.tenant, forKey: AgentAuthInterceptor.projectKey)
            await expectRPC(.unauthenticated) { _ = try await client.platformUpdateStatus(request, metadata: smuggled) }
            let instance = try await store.instance(
                tenant: harness.fleet.tenant,
                id: harness.fleet.instances[0].resourceId
            )
            #expect(instance.updateStatus == .empty)
        }
    }

    @Test("another project's token never reveals the host; bad requests are INVALID_ARGUMENT")
    func isolationAndValidation() async throws {
        let store = try await SQLInventoryStore.sqlite(path: nil, logger: Logger(label: "test"))
        try await SouthboundHarness.run(store: store) { harness, client, _ in
            let other = try await store.createProject(name: "other", id: nil)
            let otherToken = try await SouthboundHarness.agentToken(project: other.id)
            await expectRPC(.notFound) {
                _ = try await client.platformUpdateStatus(
                    SouthboundHarness.request(guid: Fixtures.uuid(0)),
                    metadata: metadata(token: otherToken)
                )
            }
            let token = try await SouthboundHarness.agentToken(project: harness.fleet.tenant)
            await expectRPC(.notFound) {
                _ = try await client.platformUpdateStatus(
                    SouthboundHarness.request(guid: Fixtures.uuid(42)),
                    metadata: metadata(token: token)
                )
            }
            var missingStatus = Maintmgr_V1_PlatformUpdateStatusRequest()
            missingStatus.hostGuid = Fixtures.uuid(0)
            for bad in [SouthboundHarness.request(guid: ""), SouthboundHarness.request(guid: "xyz"), missingStatus] {
                await expectRPC(.invalidArgument) {
                    _ = try await client.platformUpdateStatus(bad, metadata: metadata(token: token))
                }
            }
            var oversized = SouthboundHarness.request(guid: Fixtures.uuid(0))
            oversized.updateStatus.osUpdateAvailable = String(repeating: "p", count: 500_001)
            await expectRPC(.invalidArgument) {
                _ = try await client.platformUpdateStatus(oversized, metadata: metadata(token: token))
            }
            var unknownEnum = SouthboundHarness.request(guid: Fixtures.uuid(0))
            unknownEnum.updateStatus.statusType = .UNRECOGNIZED(42)
            _ = try await client.platformUpdateStatus(unknownEnum, metadata: metadata(token: token))
            let instance = try await store.instance(
                tenant: harness.fleet.tenant,
                id: harness.fleet.instances[0].resourceId
            )
            #expect(instance.updateStatus.status == "Unknown")
        }
    }

    @Test("health: SERVING for the server and the Maintenance Manager, NOT_FOUND for others, no token needed")
    func health() async throws {
        let store = try await SQLInventoryStore.sqlite(path: nil, logger: Logger(label: "test"))
        try await SouthboundHarness.run(store: store) { _, _, health in
            for service in ["", "maintmgr.v1.MaintmgrService"] {
                var request = Grpc_Health_V1_HealthCheckRequest()
                request.service = service
                let answer = try await health.check(request)
                #expect(answer.status == .serving)
            }
            var unknown = Grpc_Health_V1_HealthCheckRequest()
            unknown.service = "nope"
            await expectRPC(.notFound) { _ = try await health.check(unknown) }
        }
    }
}
