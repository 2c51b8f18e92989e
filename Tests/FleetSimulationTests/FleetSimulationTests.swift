import AgentCore
import ArgumentParser
import Day2Model
import FleetSimulation
import Foundation
import Inventory
import Logging
import Orchestrator
import Prometheus
import ServiceLifecycle
import Testing

/// `day2-fleetsim` against an in-process orchestrator (SQLite, real HTTP and gRPC sockets on loopback): the fleet
/// is registered through the REST API, a region-wide window is opened, and the real agents update.
@Suite("Fleet simulation against an in-process orchestrator", .serialized)
struct FleetSimulationTests {
    static let password = "fleetsim-test-password"
    static let secret = "fleetsim-test-secret-0123456789abcdef"

    /// Runs an orchestrator on free ports with a throw-away store, and `body` against it.
    static func withOrchestrator<T: Sendable>(
        _ body: @Sendable (_ http: Int, _ grpc: Int, _ databasePath: String) async throws -> T
    ) async throws -> T {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent(
            "day2-fleetsim-\(UUID().uuidString.prefix(8))"
        ).path
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: work) }
        var logger = Logger(label: "fleetsim-test")
        logger.logLevel = .critical
        var configuration = OrchestratorConfiguration()
        configuration.database = "sqlite:" + work + "/day2.sqlite"
        configuration.dataDirectory = work
        configuration.grpcPort = 0
        configuration.httpPort = 0
        configuration.jwtSecret = secret
        configuration.adminPassword = password
        let (ready, readyContinuation) = AsyncStream<OrchestratorEndpoints>.makeStream()
        let orchestrator = OrchestratorService(
            configuration: configuration,
            logger: logger,
            registry: PrometheusCollectorRegistry(),
            onReady: { readyContinuation.yield($0) }
        )
        return try await withThrowingTaskGroup(of: Void.self, returning: T.self) { group in
            let services = ServiceGroup(configuration: .init(services: [orchestrator], logger: logger))
            group.addTask { try await services.run() }
            var endpoints: OrchestratorEndpoints?
            for await value in ready {
                endpoints = value
                break
            }
            guard let endpoints else { throw CancellationError() }
            let result = try await body(endpoints.httpPort, endpoints.grpcPort, work + "/day2.sqlite")
            await services.triggerGracefulShutdown()
            try await group.waitForAll()
            return result
        }
    }

    /// A quick fleet: 1 s polls, short downloads and reboots, a window 2 s after the agents start.
    static func fleet(nodes: Int, http: Int, grpc: Int, prefix: String) -> FleetConfiguration {
        var configuration = FleetConfiguration()
        configuration.nodes = nodes
        configuration.url = "http://127.0.0.1:\(http)"
        configuration.grpcAddress = "127.0.0.1:\(grpc)"
        configuration.password = password
        configuration.jwtSecret = secret
        configuration.register = true
        configuration.region = "region-\(prefix)"
        configuration.namePrefix = prefix
        configuration.hostsPerSite = 64
        configuration.windowIn = 2
        configuration.pollInterval = 1
        configuration.downloadTime = 0.3
        configuration.rebootTime = 0.3
        configuration.imageSize = 8 << 10
        configuration.exitWhenSettled = true
        configuration.duration = 60
        configuration.progressInterval = 1
        return configuration
    }

    static func simulate(_ configuration: FleetConfiguration) async throws -> FleetSummary {
        var logger = Logger(label: "fleetsim-test")
        logger.logLevel = .critical
        return try await FleetSimulator(
            configuration: configuration,
            console: .silent,
            logger: logger,
            agentLogger: logger
        ).simulate()
    }

    /// The instances of the default project, and the IDs of the fleet's two OS resources.
    static func inventory(
        databasePath: String
    ) async throws -> (instances: [Instance], runs: [OSUpdateRun], target: String) {
        var logger = Logger(label: "fleetsim-test")
        logger.logLevel = .critical
        let store = try await SQLInventoryStore.sqlite(path: databasePath, logger: logger)
        let tenant = try #require(try await store.projects().first { $0.name == "default" }).id
        let os = try await store.osResources(tenant: tenant, ListQuery()).items
        let target = try #require(os.first { $0.name == "fleetsim EMT \(FleetIdentity.targetVersion)" }).resourceId
        return (
            try await store.instances(tenant: tenant, ListQuery()).items,
            try await store.runs(tenant: tenant, ListQuery()).items,
            target
        )
    }

    @Test("200 nodes registered through REST, one region-wide window: every node UPDATED, the inventory agrees")
    func everyNodeUpdates() async throws {
        try await Self.withOrchestrator { http, grpc, databasePath in
            let summary = try await Self.simulate(Self.fleet(nodes: 200, http: http, grpc: grpc, prefix: "ok"))
            #expect(summary.hostsCreated == 200)
            #expect(summary.updatedNodes == 200, "\(summary.lines.joined(separator: "\n"))")
            #expect(summary.failedNodes == 0)
            #expect(summary.settledNodes == 200)
            #expect(summary.reboots == 200)
            #expect(summary.imageDownloads == 200)
            #expect(summary.failedPolls == 0)
            #expect(summary.settledAfterWindow != nil)
            #expect(summary.latencyP99Milliseconds > 0)
            let (instances, runs, target) = try await Self.inventory(databasePath: databasePath)
            #expect(instances.count == 200)
            #expect(instances.allSatisfy { $0.osId == target }, "\(instances.map(\.updateStatus.status))")
            let completed = runs.filter { $0.status.hasPrefix("Update completed") && !$0.isOpen }
            #expect(completed.count == 200, "\(Set(runs.map(\.status)))")

            // A second run with the same prefix finds the fleet registered and has nothing left to update.
            var again = Self.fleet(nodes: 200, http: http, grpc: grpc, prefix: "ok")
            again.windowIn = nil
            again.exitWhenSettled = false
            again.duration = 1.5
            let second = try await Self.simulate(again)
            #expect(second.hostsFound == 200 && second.hostsCreated == 0)
            #expect(second.polls > 0 && second.failedPolls == 0)
        }
    }

    @Test("a failure rate of 10 %: exactly that many nodes roll back and report FAILED, the rest UPDATED")
    func failureRate() async throws {
        try await Self.withOrchestrator { http, grpc, databasePath in
            var configuration = Self.fleet(nodes: 100, http: http, grpc: grpc, prefix: "flaky")
            configuration.failureRate = 0.1
            let summary = try await Self.simulate(configuration)
            #expect(summary.failedNodes == 10, "\(summary.lines.joined(separator: "\n"))")
            #expect(summary.updatedNodes == 90)
            #expect(summary.statusNow["FAILED"] == 10)
            let (instances, _, target) = try await Self.inventory(databasePath: databasePath)
            #expect(instances.filter { $0.osId == target }.count == 90)
            let failed = instances.filter { $0.updateStatus.status.hasPrefix("Update failed") }
            #expect(failed.count == 10, "\(Set(instances.map(\.updateStatus.status)))")
        }
    }

    @Test(
        "a bad flag is refused by the command line, naming the flag",
        arguments: [
            (["--nodes", "0"], "--nodes"),
            (["--poll-interval", "soon"], "--poll-interval"),
            (["--failure-rate", "1.5"], "--failure-rate"),
            (["--grpc-address", "nowhere"], "--grpc-address"),
            (["--image-size", "12GiB"], "--image-size"),
            (["--url", "ftp://x"], "--url"),
            (["--jwt-secret-file", "/no/such/secret"], "--jwt-secret-file"),
        ]
    )
    func flagErrors(arguments: [String], named: String) {
        do {
            _ = try FleetSimCommand.parse(arguments)
            Issue.record("accepted \(arguments)")
        } catch {
            let message = FleetSimCommand.message(for: error)
            #expect(message.hasPrefix(named), "\(message)")
        }
    }

    @Test(
        "a bad variable or a missing combination is refused, naming the variable or the options",
        arguments: [
            ([String](), ["DAY2_FLEETSIM_NODES": "many"], "DAY2_FLEETSIM_NODES"),
            ([], ["DAY2_FLEETSIM_JITTER": "2"], "DAY2_FLEETSIM_JITTER"),
            ([], ["DAY2_FLEETSIM_LOG_LEVEL": "loud"], "DAY2_FLEETSIM_LOG_LEVEL"),
            ([], [:], "--agent-token-file or --jwt-secret-file"),
            (["--register"], ["DAY2_FLEETSIM_AGENT_TOKEN_FILE": "/etc/hostname"], "--password-file"),
        ]
    )
    func environmentErrors(arguments: [String], environment: [String: String], named: String) throws {
        let command = try FleetSimCommand.parse(arguments)
        do {
            _ = try command.resolved(environment: environment)
            Issue.record("accepted \(arguments) \(environment)")
        } catch {
            #expect(error.code == .option)
            #expect(error.message.hasPrefix(named), "\(error.message)")
        }
    }

    @Test("flags win over DAY2_FLEETSIM_ variables, which win over the defaults")
    func precedence() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("fleetsim-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try (Self.secret + "\n").write(toFile: folder + "/secret", atomically: true, encoding: .utf8)
        let environment = [
            "DAY2_FLEETSIM_NODES": "5", "DAY2_FLEETSIM_POLL_INTERVAL": "30s", "DAY2_FLEETSIM_PASSWORD": "pw",
            "DAY2_FLEETSIM_JWT_SECRET_FILE": folder + "/secret", "DAY2_FLEETSIM_REGISTER": "yes",
        ]
        let command = try FleetSimCommand.parse(["--nodes", "7", "--no-register", "--image-size", "1MiB"])
        let configuration = try command.resolved(environment: environment)
        #expect(configuration.nodes == 7)
        #expect(configuration.pollInterval == 30)
        #expect(configuration.register == false)
        #expect(configuration.imageSize == 1 << 20)
        #expect(configuration.jwtSecret == Self.secret)
        #expect(configuration.password == "pw")
        #expect(configuration.connections == FleetConfiguration().connections)
        // Every option appears in --help with its variable and default.
        let help = FleetSimCommand.helpMessage(columns: 1000)
        for option in FleetOption.all {
            #expect(help.contains(option.flag) && help.contains(option.environmentVariable), "\(option.name)")
        }
    }
}
