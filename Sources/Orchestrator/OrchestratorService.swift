import Authentication
import Day2Model
import Foundation
import GRPCCore
import Hummingbird
import Inventory
import Logging
import MaintenanceManager
import NIOCore
import Northbound
import OSResourceManager
import Prometheus
import ProcessResources
import ReleaseService
import ServiceLifecycle
import Southbound

/// What a running orchestrator tells whoever started it (tests, the demo): where it listens, and its store.
public struct OrchestratorEndpoints: Sendable {
    /// The HTTP port actually bound (useful with port 0).
    public var httpPort: Int
    /// The southbound gRPC port actually bound.
    public var grpcPort: Int
    /// The inventory the servers use (open until the service stops), for a caller that seeds it in process.
    public var store: any InventoryStore
}

/// The whole control plane as one `Service`: opens and migrates the store, then serves until shutdown.
///
/// The database's background work (PostgreSQL's connection pool) runs beside the servers and is stopped last.
public struct OrchestratorService: Service {
    let configuration: OrchestratorConfiguration
    let logger: Logger
    let registry: PrometheusCollectorRegistry
    let onReady: @Sendable (OrchestratorEndpoints) async -> Void

    /// Creates the service; `onReady` is called once every listener is bound.
    public init(
        configuration: OrchestratorConfiguration,
        logger: Logger,
        registry: PrometheusCollectorRegistry,
        onReady: @escaping @Sendable (OrchestratorEndpoints) async -> Void = { _ in }
    ) {
        self.configuration = configuration
        self.logger = logger
        self.registry = registry
        self.onReady = onReady
    }

    public func run() async throws {
        if let path = configuration.sqlitePath {
            try StoreOpener.makePrivateFolder((path as NSString).deletingLastPathComponent)
            logger.info("opening embedded store", metadata: ["store.path": "\(path)"])
            try await serve(database: try SQLiteDatabase(path: path))
        } else {
            logger.info("opening PostgreSQL store", metadata: ["store.url": "\(Self.redacted(configuration.database))"])
            try await serve(database: try PostgresDatabase(url: configuration.database, logger: logger))
        }
    }

    private func serve<Database: SQLDatabase>(database: Database) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await database.run() }
            defer { group.cancelAll() }
            let store = try await SQLInventoryStore.open(database: database, logger: logger)
            try await Self.ensureDefaultProject(configuration.defaultProject, store: store, logger: logger)
            try await serveAll(store: store)
            logger.info("orchestrator stopped serving; closing the store")
        }
        await database.close()
    }

    /// Runs the HTTP server, the southbound gRPC server and the background sweeper until graceful shutdown.
    private func serveAll<Store: InventoryStore>(store: Store) async throws {
        try await PortCheck.ensureAvailable(host: configuration.httpHost, port: configuration.httpPort, key: "httpPort")
        try await PortCheck.ensureAvailable(host: configuration.grpcHost, port: configuration.grpcPort, key: "grpcPort")
        let verifier = try await TokenVerifier(
            hmacSecret: try JWTSecret.resolve(configuration: configuration, logger: logger),
            jwksURL: configuration.jwtJWKSURL.isEmpty ? nil : URL(string: configuration.jwtJWKSURL)
        )
        var managerConfiguration = MaintenanceManager<Store>.Configuration()
        managerConfiguration.commitDeadlineSeconds = Int64(configuration.commitDeadlineSeconds)
        let manager = MaintenanceManager(
            store: store,
            configuration: managerConfiguration,
            now: { Date() },
            logger: logger
        )
        let eventLoops = SouthboundServer.makeEventLoopGroup()
        defer { eventLoops.shutdownGracefully { _ in } }
        let (grpc, health) = SouthboundServer.make(
            configuration: configuration,
            eventLoopGroup: eventLoops,
            manager: manager,
            verifier: verifier,
            metrics: PollMetrics(factory: PrometheusMetricsFactory(registry: registry)),
            logger: logger
        )
        let sweeper = RunDeadlineSweeper(
            manager: manager,
            store: store,
            holder: UUID().uuidString,
            interval: .seconds(60),
            logger: logger
        )
        var rolloutLogger = logger
        rolloutLogger[metadataKey: "service"] = "rollouts"
        let rollouts = RolloutController(
            store: store,
            holder: UUID().uuidString,
            interval: .seconds(configuration.rolloutIntervalSeconds),
            logger: rolloutLogger,
            metrics: RolloutMetrics(factory: PrometheusMetricsFactory(registry: registry))
        )
        let release =
            try configuration.releaseDirectory.isEmpty
            ? nil : ReleaseServiceRoutes(folder: ReleaseFolder(path: configuration.releaseDirectory))
        if let release {
            logger.info("built-in Release Service", metadata: ["release.dir": "\(release.folder.root)"])
        }
        let (httpPorts, httpPortContinuation) = AsyncStream.makeStream(of: Int.self)
        defer { httpPortContinuation.finish() }
        try await withThrowingTaskGroup(of: Void.self) { group in
            if configuration.runsOSResourceManager {
                group.addTask { try await runOSResourceManager(store: store, httpPorts: httpPorts) }
            }
            group.addTask {
                try await withGracefulShutdownHandler {
                    try await grpc.serve()
                } onGracefulShutdown: {
                    health.markNotServing()
                    grpc.beginGracefulShutdown()
                }
            }
            group.addTask { await cancelWhenGracefulShutdown { await sweeper.run() } }
            group.addTask { await cancelWhenGracefulShutdown { await rollouts.run() } }
            group.addTask { await cancelWhenGracefulShutdown { await ProcessUsage.returnFreedMemory(every: .seconds(30)) } }
            let grpcPort: Int
            do {
                grpcPort = try await SouthboundServer.listeningPort(grpc)
            } catch {
                throw ConfigurationError(
                    key: "grpcPort",
                    rule:
                        "the gRPC server did not start on \(configuration.grpcHost):\(configuration.grpcPort): \(error)"
                )
            }
            logger.info("southbound gRPC server listening", metadata: ["grpc.port": "\(grpcPort)"])
            let api = NorthboundAPI(
                store: store,
                verifier: verifier,
                users: try UserDirectoryLoader.load(configuration: configuration, logger: logger),
                tokenLifetime: TimeInterval(configuration.tokenLifetimeSeconds),
                logger: logger
            )
            let router = HTTPServer.makeRouter(
                store: store,
                registry: registry,
                api: api,
                release: release,
                logger: logger
            )
            let onReady = self.onReady
            let logger = self.logger
            let app = Application(
                router: router,
                server: try HTTPServer.serverBuilder(configuration: configuration),
                configuration: .init(
                    address: .hostname(configuration.httpHost, port: configuration.httpPort),
                    serverName: "day2-orchestrator"
                ),
                onServerRunning: { channel in
                    let port = channel.localAddress?.port ?? 0
                    logger.info("HTTP server listening", metadata: ["http.port": "\(port)"])
                    httpPortContinuation.yield(port)
                    await onReady(OrchestratorEndpoints(httpPort: port, grpcPort: grpcPort, store: store))
                },
                logger: logger
            )
            group.addTask { try await app.run() }
            try await group.waitForAll()
        }
    }

    /// Runs the OS Resource Manager once the HTTP server is listening (the built-in Release Service is on its port).
    private func runOSResourceManager<Store: InventoryStore>(store: Store, httpPorts: AsyncStream<Int>) async throws {
        let port = await cancelWhenGracefulShutdown {
            var ports = httpPorts.makeAsyncIterator()
            return await ports.next()
        }
        guard let port, let sources = try configuration.releaseSources(builtInPort: port) else { return }
        let metrics = PrometheusMetricsFactory(registry: registry)
        var osrmLogger = logger
        osrmLogger[metadataKey: "service"] = "osrm"
        let reconciler = OSResourceReconciler(
            store: store,
            configuration: .init(sources: sources, autoLink: configuration.osrmAutoLink),
            logger: osrmLogger,
            metrics: metrics
        )
        let service = OSResourceManagerService(
            reconciler: reconciler,
            store: store,
            schedule: .init(
                period: .seconds(configuration.osrmPeriodSeconds),
                watchInterval: .seconds(min(60, configuration.osrmPeriodSeconds))
            ),
            holder: UUID().uuidString,
            logger: osrmLogger,
            metrics: metrics
        )
        osrmLogger.info(
            "OS Resource Manager started",
            metadata: [
                "osrm.default_source": "\(sources.defaultSource.map { "\($0)" } ?? "none")",
                "osrm.project_overrides": "\(sources.projectSources.keys.sorted().joined(separator: ","))",
                "osrm.auto_link": "\(configuration.osrmAutoLink)",
            ]
        )
        try await service.run()
    }

    /// Creates the default project when the store has no project at all.
    static func ensureDefaultProject(_ name: String, store: some InventoryStore, logger: Logger) async throws {
        guard !name.isEmpty, try await store.projects().isEmpty else { return }
        let project = try await store.createProject(name: name, id: nil)
        logger.info(
            "created default project",
            metadata: ["project.name": "\(project.name)", "project.id": "\(project.id)"]
        )
    }

    /// A database URL without its password, for logs.
    static func redacted(_ url: String) -> String {
        guard var components = URLComponents(string: url), components.password != nil else { return url }
        components.password = "***"
        return components.string ?? "postgres://***"
    }
}
