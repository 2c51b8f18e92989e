import AgentCore
import AgentLinux
import AgentSimulation
import Authentication
import Crypto
import Day2Model
import Foundation
import Inventory
import Logging
import Orchestrator
import Prometheus
import ServiceLifecycle
import Testing

/// The orchestrator (in process, SQLite store, real gRPC socket), an image server on loopback HTTP (the built-in
/// Release Service does not exist yet), and three `day2-agent` services in simulated mode over real sockets.
@Suite("Agent end to end (orchestrator + image server + simulated agents)", .serialized)
struct AgentEndToEndTests {
    static let secret = "end-to-end-test-secret-0123456789abcdef"
    static let profile = "microvisor-nonrt"

    static func os(_ version: String, sha: String) -> OSResource {
        OSResource(
            name: "EMT \(version)",
            architecture: "x86_64",
            imageUrl: "images/good.raw",
            imageId: version,
            sha256: sha,
            profileName: profile,
            profileVersion: version,
            securityFeature: .none,
            osType: .immutable,
            osProvider: .infra
        )
    }

    struct Node {
        var host: HostResource
        var instance: Instance
        var folder: String
    }

    @Test("window opens: download, verify, write, boot, commit; a corrupted image and a failed boot end FAILED")
    func update() async throws {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent(
            "day2-e2e-\(UUID().uuidString.prefix(8))"
        ).path
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: work) }
        var logger = Logger(label: "e2e")
        logger.logLevel = .warning

        // The image, served over loopback HTTP.
        let good = SimulatedNode.makeImage(label: "emt-3.0.20260201.0100", size: 3 << 20)
        try Data(good).write(to: URL(fileURLWithPath: work + "/good.raw"))
        let server = try await LoopbackImageServer.start(files: ["/images/good.raw": work + "/good.raw"])

        // The inventory: one site, three provisioned immutable hosts, a window that opens in a few seconds.
        let databasePath = work + "/day2.sqlite"
        let store = try await SQLInventoryStore.sqlite(path: databasePath, logger: logger)
        let project = try await store.createProject(name: "e2e", id: nil)
        let tenant = project.id
        let region = try await store.createRegion(tenant: tenant, Region(name: "europe"))
        let site = try await store.createSite(tenant: tenant, Site(name: "berlin", regionId: region.resourceId))
        let current = try await store.createOSResource(
            tenant: tenant,
            Self.os("3.0.20260101.0100", sha: String(repeating: "1", count: 64))
        )
        let newOS = try await store.createOSResource(
            tenant: tenant,
            Self.os("3.0.20260201.0100", sha: CryptoDigestFactory.hex(good))
        )
        let corrupt = try await store.createOSResource(
            tenant: tenant,
            Self.os("3.0.20260201.0200", sha: String(repeating: "ab", count: 32))
        )
        let toNew = try await store.createPolicy(
            tenant: tenant,
            OSUpdatePolicy(name: "to-new", targetOsId: newOS.resourceId, updatePolicy: .target)
        )
        let toCorrupt = try await store.createPolicy(
            tenant: tenant,
            OSUpdatePolicy(name: "to-corrupt", targetOsId: corrupt.resourceId, updatePolicy: .target)
        )
        var nodes: [Node] = []
        for (index, policy) in [toNew, toCorrupt, toNew].enumerated() {
            let uuid = String(format: "%08x-1111-4222-8333-%012x", index + 1, index + 1)
            let host = try await store.createHost(
                tenant: tenant,
                HostResource(name: "edge-\(index)", uuid: uuid, siteId: site.resourceId)
            )
            let instance = try await store.createInstance(
                tenant: tenant,
                Instance(
                    name: "edge-\(index)",
                    hostId: host.resourceId,
                    osId: current.resourceId,
                    provisioningStatus: StatusTriplet(status: "Provisioned", indicator: .idle, timestamp: 1),
                    osUpdatePolicyId: policy.resourceId
                )
            )
            nodes.append(Node(host: host, instance: instance, folder: work + "/node-\(index)"))
        }
        let opens = Int64(Date().timeIntervalSince1970) + 4
        _ = try await store.createSingleSchedule(
            tenant: tenant,
            SingleSchedule(
                name: "tonight",
                target: .site(site.resourceId),
                startSeconds: opens,
                endSeconds: opens + 600
            )
        )
        // The third node's new slot will not boot.
        try FileManager.default.createDirectory(atPath: nodes[2].folder, withIntermediateDirectories: true)
        _ = FileManager.default.createFile(
            atPath: nodes[2].folder + SimulatedBootloader.failNextBootPath,
            contents: Data()
        )

        // The orchestrator, in process, on free ports.
        var configuration = OrchestratorConfiguration()
        configuration.database = "sqlite:" + databasePath
        configuration.dataDirectory = work
        configuration.grpcPort = 0
        configuration.httpPort = 0
        configuration.jwtSecret = Self.secret
        configuration.defaultProject = ""
        let (readyStream, readyContinuation) = AsyncStream<OrchestratorEndpoints>.makeStream()
        let orchestrator = OrchestratorService(
            configuration: configuration,
            logger: logger,
            registry: PrometheusCollectorRegistry(),
            onReady: { readyContinuation.yield($0) }
        )
        let token = try await TokenVerifier(hmacSecret: Self.secret, jwksURL: nil).issue(
            Claims(
                subject: "agent",
                expires: Date().addingTimeInterval(3600),
                roles: [Roles.role(project: tenant, suffix: Roles.agentSuffix)]
            )
        )
        try token.write(toFile: work + "/token", atomically: true, encoding: .utf8)

        let finished = try await withThrowingTaskGroup(of: Void.self, returning: [Instance].self) { group in
            let orchestratorGroup = ServiceGroup(configuration: .init(services: [orchestrator], logger: logger))
            group.addTask { try await orchestratorGroup.run() }
            var endpoints: OrchestratorEndpoints?
            for await value in readyStream {
                endpoints = value
                break
            }
            guard let grpcPort = endpoints?.grpcPort else { throw CancellationError() }

            // Three agents, exactly as `day2-agent run --config FILE --simulate DIR --os emt` runs them.
            for node in nodes {
                let service = try Self.agent(
                    node: node,
                    grpcPort: grpcPort,
                    imageServer: server.baseURL,
                    work: work,
                    logger: logger
                )
                group.addTask { try await service.runUntilCancelled() }
            }
            let finished = try await Self.waitForFinalStates(
                store: store,
                tenant: tenant,
                nodes: nodes,
                updatedOS: newOS.resourceId
            )
            group.cancelAll()
            return finished
        }
        // Node 0: updated; the inventory shows the new current OS and a completed run.
        #expect(finished[0].osId == newOS.resourceId, "\(finished[0].updateStatus)")
        let runs = try await store.runs(tenant: tenant, ListQuery()).items
        let run0 = runs.filter { $0.instanceId == nodes[0].instance.resourceId }
        #expect(run0.contains { $0.status.hasPrefix("Update completed") && !$0.isOpen }, "\(run0.map(\.status))")
        let node0 = SimulatedNode(root: nodes[0].folder)
        #expect(node0.slots.contents(.b) == good)
        let boot0 = try await node0.bootloader.state()
        #expect(boot0.bootedSlot == .b && boot0.defaultSlot == .b)

        // Node 1: corrupted image: FAILED (signaturecheck), OS unchanged, never booted.
        #expect(finished[1].osId == current.resourceId)
        #expect(finished[1].updateStatus.status.hasPrefix("Update failed"))
        let run1 = runs.filter { $0.instanceId == nodes[1].instance.resourceId }
        #expect(
            run1.contains { $0.status.hasPrefix("Update failed") && $0.statusDetails.contains("signaturecheck") },
            "\(run1.map(\.statusDetails))"
        )
        #expect(try await SimulatedNode(root: nodes[1].folder).bootloader.state().boots == 0)

        // Node 2: the new slot failed to boot: FAILED (bootloader, rolled back), OS unchanged, on slot A.
        #expect(finished[2].osId == current.resourceId)
        #expect(finished[2].updateStatus.status.hasPrefix("Update failed"))
        let run2 = runs.filter { $0.instanceId == nodes[2].instance.resourceId }
        #expect(
            run2.contains { $0.statusDetails.contains("bootloader") && $0.statusDetails.contains("rolledback") },
            "\(run2.map(\.statusDetails))"
        )
        let boot2 = try await SimulatedNode(root: nodes[2].folder).bootloader.state()
        #expect(boot2.bootedSlot == .a && boot2.defaultSlot == .a)
        try await server.stop()
    }

    static func agent(
        node: Node,
        grpcPort: Int,
        imageServer: String,
        work: String,
        logger: Logger
    ) throws -> AgentService {
        let yaml = """
            GUID: \(node.host.uuid ?? "")
            updateServiceURL: http://127.0.0.1:\(grpcPort)
            metadataPath: /var/edge-node/pua/metadata.json
            tickerInterval: 500ms
            pollTimeout: 5s
            immediateDownloadWindow: 1s
            downloadWindow: 1s
            releaseServiceFQDN: \(imageServer)
            logLevel: error
            bootBackend: simulated
            healthChecks:
              - ["systemctl", "is-system-running"]
            jwt:
              accessTokenPath: \(work)/token
            """
        let path = node.folder + ".yaml"
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        let configuration = try YAMLConfigurationLoader.load(path: path)
        return AgentService(
            configuration: configuration,
            simulateDirectory: node.folder,
            forcedOS: .emt,
            logger: logger
        )
    }

    /// Polls the inventory until node 0 runs the new OS and the others failed (at most 60 s).
    static func waitForFinalStates(
        store: some InventoryStore,
        tenant: String,
        nodes: [Node],
        updatedOS: String
    ) async throws -> [Instance] {
        var finished: [Instance] = []
        for _ in 0..<240 {
            try await Task.sleep(for: .milliseconds(250))
            finished = []
            for node in nodes {
                finished.append(try await store.instance(tenant: tenant, id: node.instance.resourceId))
            }
            let updated = finished[0].osId == updatedOS && finished[0].updateStatus.indicator == .idle
            let failed = finished.dropFirst().allSatisfy { $0.updateStatus.status.hasPrefix("Update failed") }
            if updated && failed { break }
        }
        return finished
    }
}
