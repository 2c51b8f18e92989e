import Authentication
import Day2Model
import Foundation
import Inventory
import Logging
import Orchestrator
import Prometheus
import ServiceLifecycle

/// `day2-orchestrator demo` as one `Service`: the whole control plane (exactly what `serve` runs, on SQLite, with
/// the built-in Release Service) plus a fleet of simulated edge nodes in the same process, talking real gRPC and
/// HTTP to it on loopback. It publishes the OS profiles, waits for the OS Resource Manager to create the OS
/// resources, creates the fleet and its maintenance window, shows the rollout's progress, checks the inventory
/// against the nodes when every node is done, then keeps serving until graceful shutdown.
public struct DemoService: Service {
    /// The orchestrator's configuration, prepared for the demo.
    public let configuration: OrchestratorConfiguration
    /// The fleet and its timings.
    public let settings: DemoSettings
    /// Whether the admin password was generated (and may be printed).
    let passwordGenerated: Bool
    let logger: Logger
    let registry: PrometheusCollectorRegistry
    let terminal: DemoTerminal
    let onRolloutComplete: @Sendable (RolloutReport) async -> Void

    /// Checks the settings and prepares `configuration` (see ``OrchestratorConfiguration/preparedForDemo()``);
    /// every error names the flag. `onRolloutComplete` is called once, after the inventory check.
    public init(
        configuration: OrchestratorConfiguration,
        settings: DemoSettings,
        logger: Logger,
        registry: PrometheusCollectorRegistry,
        terminal: DemoTerminal = .standardOutput,
        onRolloutComplete: @escaping @Sendable (RolloutReport) async -> Void = { _ in }
    ) throws(DemoError) {
        try settings.validate()
        self.configuration = try configuration.preparedForDemo()
        self.settings = settings
        passwordGenerated = configuration.adminPassword.isEmpty
        self.logger = logger
        self.registry = registry
        self.terminal = terminal
        self.onRolloutComplete = onRolloutComplete
    }

    /// The data folder's sub-folder of the simulated nodes.
    public var nodesFolder: String { (configuration.dataDirectory as NSString).appendingPathComponent("nodes") }

    public func run() async throws {
        let started = Date()
        // Busy ports stop the demo before its folder is emptied (another demo may be running on it).
        try await PortCheck.ensureAvailable(host: configuration.httpHost, port: configuration.httpPort, key: "httpPort")
        try await PortCheck.ensureAvailable(host: configuration.grpcHost, port: configuration.grpcPort, key: "grpcPort")
        try DemoFolder.prepare(configuration.dataDirectory)
        let images = try DemoRelease.publish(
            to: configuration.releaseDirectory,
            repositoryPrefix: configuration.osProfileRepo,
            imageBytes: settings.imageBytes,
            scratch: (configuration.dataDirectory as NSString).appendingPathComponent("images")
        )
        let (ready, readyContinuation) = AsyncStream.makeStream(of: OrchestratorEndpoints.self)
        let orchestrator = OrchestratorService(
            configuration: configuration,
            logger: logger,
            registry: registry,
            onReady: { endpoints in
                readyContinuation.yield(endpoints)
                readyContinuation.finish()
            }
        )
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                defer { readyContinuation.finish() }
                try await orchestrator.run()
            }
            var iterator = ready.makeAsyncIterator()
            if let endpoints = await iterator.next() {
                group.addTask {
                    try await cancelWhenGracefulShutdown {
                        try await runFleet(endpoints: endpoints, olderImage: images.older, started: started)
                    }
                }
            }
            try await group.waitForAll()
        }
    }

    /// Seeds the fleet, runs the nodes, and watches the rollout; returns when cancelled.
    private func runFleet(endpoints: OrchestratorEndpoints, olderImage: [UInt8], started: Date) async throws {
        let store = endpoints.store
        guard let project = try await store.project(named: configuration.defaultProject) else {
            throw DemoError(.setup, "project \(configuration.defaultProject) does not exist")
        }
        let operatingSystems = try await waitForOperatingSystems(store: store, tenant: project.id)
        let fleet = try await DemoFleet.create(
            store: store,
            tenant: project.id,
            settings: settings,
            operatingSystems: operatingSystems
        )
        let tokenPath = try await writeAgentToken(tenant: project.id)
        let nodes = SimulatedFleet(
            nodes: fleet.nodes,
            folder: nodesFolder,
            pollIntervalSeconds: settings.pollIntervalSeconds
        )
        try await nodes.prepare(olderImage: olderImage)
        let baseURL = DemoText.baseURL(configuration: configuration, httpPort: endpoints.httpPort)
        terminal.write(
            DemoText.banner(
                fleet: fleet,
                settings: settings,
                baseURL: baseURL,
                signIn: DemoText.signIn(password: configuration.adminPassword, generated: passwordGenerated),
                dataDirectory: configuration.dataDirectory,
                now: Date()
            )
        )
        let progress = RolloutProgress(guids: fleet.nodes.map(\.uuid))
        // The agents show their own logs only when the operator asked for info or more.
        let nodeLogLevel: Logger.Level = configuration.logLevel <= .info ? configuration.logLevel : .critical
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                try await nodes.run(
                    grpcHost: DemoText.dialHost(configuration.grpcHost),
                    grpcPort: endpoints.grpcPort,
                    releaseService: baseURL + "/release/files",
                    tokenPath: tokenPath,
                    progress: progress,
                    logger: logger,
                    nodeLogLevel: nodeLogLevel
                )
            }
            group.addTask {
                let report = try await watch(
                    fleet: fleet,
                    progress: progress,
                    store: store,
                    started: started,
                    baseURL: baseURL
                )
                terminal.write(DemoText.summary(report))
                terminal.write(
                    DemoText.whereToLook(
                        baseURL: baseURL,
                        password: configuration.adminPassword,
                        generated: passwordGenerated,
                        dataDirectory: configuration.dataDirectory,
                        project: configuration.defaultProject,
                        exampleHost: (report.outcomes.first { $0.phase == .failed } ?? report.outcomes.first)?.node.name
                            ?? "emt-berlin-001"
                    )
                )
                await onRolloutComplete(report)
            }
            try await group.waitForAll()
        }
    }

    /// The demo's OS resources, once the OS Resource Manager created them (it reads the Release Service at start).
    private func waitForOperatingSystems(
        store: any InventoryStore,
        tenant: String
    ) async throws -> (older: OSResource, newer: OSResource, ubuntu: OSResource) {
        let deadline = Date().addingTimeInterval(60)
        while true {
            if let found = try await DemoFleet.operatingSystems(store: store, tenant: tenant) { return found }
            guard Date() < deadline else {
                throw DemoError(
                    .setup,
                    "the OS Resource Manager did not create the demo's OS resources within 60 s; see its log lines"
                )
            }
            try await Task.sleep(for: .milliseconds(200))
        }
    }

    /// Writes the simulated nodes' bearer token (role `<project>_en-agent-rw`, valid 30 days) and returns its path.
    private func writeAgentToken(tenant: String) async throws -> String {
        let verifier = try await TokenVerifier(hmacSecret: configuration.jwtSecret, jwksURL: nil)
        let token = try await verifier.issue(
            Claims(
                subject: "day2-demo-nodes",
                expires: Date().addingTimeInterval(30 * 86400),
                roles: [Roles.role(project: tenant, suffix: Roles.agentSuffix)]
            )
        )
        let path = (configuration.dataDirectory as NSString).appendingPathComponent("agent-token")
        guard
            FileManager.default.createFile(
                atPath: path,
                contents: Data(token.utf8),
                attributes: [.posixPermissions: 0o600]
            )
        else { throw DemoError(.setup, "cannot write \(path)") }
        return path
    }

    /// Shows progress until every node is done, then checks the inventory (a few times, in case the last
    /// report is still being written) and returns the report.
    private func watch(
        fleet: DemoFleet,
        progress: RolloutProgress,
        store: any InventoryStore,
        started: Date,
        baseURL: String
    ) async throws -> RolloutReport {
        var lastShown = ""
        var lastRollout = fleet.rollout.map { "\($0.state)-\($0.currentWave)" } ?? ""
        var rolloutEnded = fleet.rollout == nil
        while true {
            if let id = fleet.rollout?.resourceId,
                let rollout = try? await store.rollout(tenant: fleet.tenant, id: id)
            {
                let key = "\(rollout.state)-\(rollout.currentWave)"
                if key != lastRollout {
                    if terminal.isInteractive { terminal.write("\r\u{1B}[2K") }
                    terminal.line(DemoText.rolloutLine(rollout))
                    if rollout.state == .paused { terminal.write(DemoText.paused(rollout, baseURL: baseURL)) }
                    lastRollout = key
                }
                rolloutEnded = rollout.state.isFinished
            }
            let nodes = progress.snapshot()
            let counts = RolloutProgress.counts(nodes)
            let ahead = RolloutProgress.downloadedAhead(nodes)
            let now = Date()
            let line = DemoText.progressLine(
                counts: counts,
                downloadedAhead: ahead,
                total: fleet.nodes.count,
                elapsed: now.timeIntervalSince(started),
                windowOpensIn: Double(fleet.windowStart) - now.timeIntervalSince1970,
                width: terminal.isInteractive ? terminal.width() : nil
            )
            if terminal.isInteractive {
                terminal.write("\r\u{1B}[2K" + line)
            } else {
                // A pipe or a file gets a line only when the counts change.
                let key =
                    NodePhase.allCases.map { "\(counts[$0] ?? 0)" }.joined(separator: ",")
                    + ",\(ahead)"
                if key != lastShown { terminal.line(line) }
                lastShown = key
            }
            if counts[.upToDate] == 0 && counts[.updating] == 0 && rolloutEnded { break }
            try await Task.sleep(for: .milliseconds(Int(settings.progressIntervalSeconds * 1000)))
        }
        if terminal.isInteractive { terminal.line() }
        var report = try await RolloutReport.check(
            fleet: fleet,
            progress: progress.snapshot(),
            store: store,
            started: started
        )
        for _ in 0..<20 where !report.inventoryAgrees {
            try await Task.sleep(for: .milliseconds(250))
            report = try await RolloutReport.check(
                fleet: fleet,
                progress: progress.snapshot(),
                store: store,
                started: started
            )
        }
        return report
    }
}
