import Authentication
import Day2Model
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import Inventory
import Logging
import ProcessResources
import MaintenanceManager
import NIOCore
import Southbound
import SouthboundContract
import Synchronization

/// `day2-orchestrator bench southbound`: agents polling the Maintenance Manager over real gRPC connections.
///
/// Seeds the store benchmark's fleet (every instance provisioned, half with a LATEST policy, schedules inherited
/// from sites and regions), lets every host report once (the first report of a node writes its status), then
/// measures steady-state polls from `connections` HTTP/2 connections with `concurrency` calls in flight each. The
/// baseline is the same server stack (transport, agent authentication) with a handler that answers an empty
/// response, measured in the same run.
public struct SouthboundBenchmark: Sendable {
    /// Hosts in the fleet.
    public var hosts = 100_000
    /// Seconds to measure each handler.
    public var seconds = 10
    /// HTTP/2 connections from the load client.
    public var connections = 4
    /// Calls in flight per connection.
    public var concurrency = 16
    /// Whether every host polls once before measuring (steady state, no first-report writes).
    public var warmUp = true
    /// Whether to measure a third case: every poll reports a new status (a write per poll, as when a window opens).
    public var statusChanges = true
    /// Whether to measure the poll again with every host owned by one running rollout whose single wave is open
    /// (the rollout gate on the hot path), and to time the rollout's creation and preview over the whole fleet.
    public var rollout = true

    /// The statuses a host steps through in the status-change case, each poll the next: every step changes the
    /// instance's update status, and the run is opened, advanced and closed (FAILED) along the way.
    static let statusCycle: [Maintmgr_V1_UpdateStatus.StatusType] = [
        .downloading, .downloaded, .started, .failed, .upToDate,
    ]

    /// Creates a benchmark with the defaults.
    public init() {}

    /// An answer with the three always-present parts and nothing in them.
    struct EmptyService: Maintmgr_V1_MaintmgrService.ServiceProtocol {
        func platformUpdateStatus(
            request: ServerRequest<Maintmgr_V1_PlatformUpdateStatusRequest>,
            context: ServerContext
        ) async throws -> ServerResponse<Maintmgr_V1_PlatformUpdateStatusResponse> {
            var response = Maintmgr_V1_PlatformUpdateStatusResponse()
            response.updateSource = Maintmgr_V1_UpdateSource()
            response.updateSchedule = Maintmgr_V1_UpdateSchedule()
            response.osProfileUpdateSource = Maintmgr_V1_OSProfileUpdateSource()
            return ServerResponse(message: response)
        }
    }

    /// Runs on `store`, printing through `report`.
    public func run(
        store: some InventoryStore,
        label: String,
        logger: Logger,
        report: @Sendable (String) -> Void
    )
        async throws
    {
        var seeding = StoreBenchmark()
        seeding.hosts = hosts
        let fleet = try await seeding.seed(store: store, report: report)
        let secret = String(repeating: "b", count: 48)
        let verifier = try await TokenVerifier(hmacSecret: secret, jwksURL: nil)
        let token = try await verifier.issue(
            Claims(
                subject: "bench",
                expires: Date().addingTimeInterval(86_400),
                roles: [Roles.role(project: fleet.tenant, suffix: Roles.agentSuffix)]
            )
        )
        var quiet = logger
        quiet.logLevel = .error
        if rollout {
            // A newer image of the fleet's profile, so that a LATEST rollout has something to offer every host; made
            // before any measurement so that the plain poll answers the same offer.
            try await StoreBenchmark.publishNewerImage(store: store, tenant: fleet.tenant)
        }
        let manager = MaintenanceManager(store: store, now: { Date() }, logger: quiet)

        let empty = try await measure(
            name: "empty handler (same stack)",
            service: EmptyService(),
            verifier: verifier,
            token: token,
            hostCount: fleet.hostCount,
            warmUp: false
        )
        let real = try await measure(
            name: "Maintenance Manager poll",
            service: MaintenanceService(manager: manager, logger: quiet),
            verifier: verifier,
            token: token,
            hostCount: fleet.hostCount,
            warmUp: warmUp,
            report: report
        )
        var measured = [empty, real]
        var rolloutLines: [String] = []
        if rollout {
            let policy = try await store.createPolicy(
                tenant: fleet.tenant,
                OSUpdatePolicy(name: "bench-rollout", updatePolicy: .latest)
            )
            let draft = Rollout(
                name: "bench",
                osUpdatePolicyId: policy.resourceId,
                target: .filter("name!=\"\""),
                waves: [RolloutWave(size: .percent(100))]
            )
            let previewStart = ContinuousClock.now
            let preview = try await store.previewRollout(tenant: fleet.tenant, draft)
            let previewTime = (ContinuousClock.now - previewStart).seconds
            let createStart = ContinuousClock.now
            let created = try await store.createRollout(tenant: fleet.tenant, draft)
            let createTime = (ContinuousClock.now - createStart).seconds
            rolloutLines.append(
                String(
                    format: "rollout over %d hosts: preview %.2f s, create %.2f s",
                    preview.hosts.count,
                    previewTime,
                    createTime
                ) + " (\(created.state.rawValue))"
            )
            // Warmed up like the plain poll: the rollout's policy is new, so the poll cache starts over (on
            // PostgreSQL every miss is a round trip, and without this the case measured the refill, not the gate).
            let gated = try await measure(
                name: "poll, host in a running rollout (wave open)",
                service: MaintenanceService(manager: manager, logger: quiet),
                verifier: verifier,
                token: token,
                hostCount: fleet.hostCount,
                warmUp: warmUp,
                report: report
            )
            measured.append(gated)
            rolloutLines.append(
                String(
                    format: "rollout poll / poll ratio: %.2f (the gate's cost: %.1f %% of the poll rate)",
                    gated.0.throughput / max(real.0.throughput, 1),
                    (1 - gated.0.throughput / max(real.0.throughput, 1)) * 100
                )
            )
        }
        if rollout, let id = try await store.rollouts(tenant: fleet.tenant, ListQuery()).items.first?.resourceId {
            // Released again, so that the status-change case measures what it measured before rollouts existed.
            let work = try await store.rolloutWork(tenant: fleet.tenant, id: id)
            let now = Int64(Date().timeIntervalSince1970)
            let cancelled = try RolloutMachine.cancel(work.rollout, by: "bench", now: now)
            _ = try await store.applyRolloutAdvance(tenant: fleet.tenant, cancelled, version: work.version, now: now)
        }
        if statusChanges {
            measured.append(
                try await measure(
                    name: "poll with a status change (a write)",
                    service: MaintenanceService(manager: manager, logger: quiet),
                    verifier: verifier,
                    token: token,
                    hostCount: fleet.hostCount,
                    warmUp: false,
                    cycle: Self.statusCycle
                )
            )
        }
        report("")
        report(
            "store: \(label)   hosts: \(hosts)   connections: \(connections) x \(concurrency) in flight   \(seconds) s each"
        )
        for (stats, cpu) in measured {
            report(stats.line + String(format: "   CPU %.2f cores", cpu))
        }
        report(String(format: "poll / empty handler ratio: %.2f", real.0.throughput / max(empty.0.throughput, 1)))
        if statusChanges, let writes = measured.last {
            report(
                String(
                    format: "status change / empty handler ratio: %.2f",
                    writes.0.throughput / max(empty.0.throughput, 1)
                )
            )
        }
        for line in rolloutLines { report(line) }
        let memory = ProcessUsage.now().residentMiB
        report(
            String(
                format: "memory: RSS %.0f MiB, peak %.0f MiB (server, client and store in one process)",
                memory.current,
                memory.peak
            )
        )
    }

    private func measure(
        name: String,
        service: some Maintmgr_V1_MaintmgrService.ServiceProtocol,
        verifier: TokenVerifier,
        token: String,
        hostCount: Int,
        warmUp: Bool,
        cycle: [Maintmgr_V1_UpdateStatus.StatusType] = [.upToDate],
        report: @Sendable (String) -> Void = { _ in }
    ) async throws -> (BenchmarkStats, Double) {
        // Each host's position in `cycle`: a host's next poll reports the status after the one it last reported.
        let steps = Mutex([UInt8](repeating: 0, count: hostCount))
        let eventLoops = SouthboundServer.makeEventLoopGroup()
        defer { eventLoops.shutdownGracefully { _ in } }
        let server = GRPCServer(
            transport: .http2NIOPosix(
                address: .ipv4(host: "127.0.0.1", port: 0),
                transportSecurity: .plaintext,
                eventLoopGroup: eventLoops
            ),
            services: [service],
            interceptorPipeline: [
                .apply(AgentAuthInterceptor(verifier: verifier), to: .services([.maintmgr_v1_MaintmgrService]))
            ]
        )
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await server.serve() }
            defer { server.beginGracefulShutdown() }
            let port = try await SouthboundServer.listeningPort(server)
            var headers = Metadata()
            headers.addString("Bearer \(token)", forKey: "authorization")
            let metadata = headers
            let clients = try (0..<connections).map { _ in
                GRPCClient(
                    transport: try HTTP2ClientTransport.Posix(
                        target: .ipv4(address: "127.0.0.1", port: port),
                        transportSecurity: .plaintext
                    )
                )
            }
            return try await withThrowingTaskGroup(of: Void.self) { clientGroup in
                for client in clients { clientGroup.addTask { try await client.runConnections() } }
                defer { for client in clients { client.beginGracefulShutdown() } }
                let stubs = clients.map { Maintmgr_V1_MaintmgrService.Client(wrapping: $0) }
                let call: @Sendable (Int) async throws -> Void = { index in
                    var request = Maintmgr_V1_PlatformUpdateStatusRequest()
                    let host = index % hostCount
                    request.hostGuid = StoreBenchmark.uuid(host)
                    var status = Maintmgr_V1_UpdateStatus()
                    if cycle.count == 1 {
                        status.statusType = cycle[0]
                    } else {
                        let step = steps.withLock { steps -> Int in
                            let step = Int(steps[host])
                            steps[host] = UInt8((step + 1) % cycle.count)
                            return step
                        }
                        status.statusType = cycle[step]
                        if cycle[step] == .failed { status.statusDetail = "benchmark: a failed update" }
                    }
                    request.updateStatus = status
                    _ = try await stubs[index % stubs.count].platformUpdateStatus(request, metadata: metadata)
                }
                if warmUp {
                    let start = ContinuousClock.now
                    try await withThrowingTaskGroup(of: Void.self) { warm in
                        let workers = connections * concurrency
                        for worker in 0..<workers {
                            warm.addTask {
                                for index in stride(from: worker, to: hostCount, by: workers) { try await call(index) }
                            }
                        }
                        try await warm.waitForAll()
                    }
                    report(
                        String(
                            format: "warm-up: every host polled once in %.1f s",
                            (ContinuousClock.now - start).seconds
                        )
                    )
                }
                let cpuBefore = ProcessUsage.now().cpuSeconds
                let stats = try await BenchmarkStats.measure(
                    name,
                    workers: connections * concurrency,
                    duration: .seconds(seconds)
                ) { iteration in
                    try await call((iteration &* 7919) % hostCount)
                }
                let cores = (ProcessUsage.now().cpuSeconds - cpuBefore) / stats.seconds
                return (stats, cores)
            }
        }
    }
}
