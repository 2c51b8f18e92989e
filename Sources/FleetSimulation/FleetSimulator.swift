import AgentCore
import AgentLinux
import AgentSimulation
import Foundation
import GRPCNIOTransportHTTP2
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle

/// `day2-fleetsim` as a `Service`: signs in, registers the fleet (optionally), opens a window (optionally), then
/// runs `nodes` real agents (`UpdateAgent`) on in-memory simulated nodes, each in its own task, over a few shared
/// HTTP/2 connections, printing progress and, at the end, a summary.
public struct FleetSimulator: Service {
    /// The configuration.
    public let configuration: FleetConfiguration
    /// Where progress and the summary go.
    public let console: FleetConsole
    /// The simulator's logger.
    public let logger: Logger
    /// The simulated agents' logger.
    public let agentLogger: Logger

    /// Creates the simulator.
    public init(configuration: FleetConfiguration, console: FleetConsole, logger: Logger, agentLogger: Logger) {
        self.configuration = configuration
        self.console = console
        self.logger = logger
        self.agentLogger = agentLogger
    }

    public func run() async throws {
        let summary = try await cancelWhenGracefulShutdown { try await simulate() }
        for line in summary.lines { console.line(line) }
        if !configuration.summaryFile.isEmpty {
            do {
                try summary.json().write(to: URL(fileURLWithPath: configuration.summaryFile))
            } catch {
                throw FleetError(.localFile, "--summary-file: cannot write \(configuration.summaryFile): \(error)")
            }
        }
    }

    /// Runs the fleet until `duration`, settlement (`exitWhenSettled`) or cancellation, and returns the summary.
    /// Cancellation during the agents' run still returns a summary; during registration it throws.
    public func simulate() async throws -> FleetSummary {
        let identity = FleetIdentity(prefix: configuration.namePrefix)
        let rest = configuration.needsREST ? try FleetREST(configuration: configuration) : nil
        do {
            let summary = try await simulate(identity: identity, rest: rest)
            try await rest?.shutdown()
            return summary
        } catch {
            try? await rest?.shutdown()
            throw error
        }
    }

    private func simulate(identity: FleetIdentity, rest: FleetREST?) async throws -> FleetSummary {
        var projectID = ""
        var registered: FleetRegistrar.Fleet?
        var registrar: FleetRegistrar?
        if let rest {
            try await rest.signIn()
            projectID = try await rest.projectID()
            let made = FleetRegistrar(
                rest: rest,
                configuration: configuration,
                identity: identity,
                report: console.progress
            )
            registrar = made
            if configuration.register {
                console.line(
                    "registering \(configuration.nodes) hosts in project \(configuration.project) through \(configuration.url)"
                )
                let fleet = try await made.register()
                registered = fleet
                console.line(
                    String(
                        format: "registered: %d hosts created, %d found, in %.1f s",
                        fleet.hostsCreated,
                        fleet.hostsFound,
                        fleet.seconds
                    )
                )
            }
        }
        let tokens = AgentTokenSource(
            origin: configuration.agentTokenFile.isEmpty
                ? .signed(secret: configuration.jwtSecret, projectID: projectID) : .file(configuration.agentTokenFile)
        )
        try await tokens.refresh()

        let agentsStart = Date().timeIntervalSince1970
        var windowOpensAt: Double?
        if let windowIn = configuration.windowIn, let registrar {
            var regionID = registered?.regionID ?? ""
            if regionID.isEmpty { regionID = try await registrar.region(create: false) }
            let start = Int64((agentsStart + windowIn).rounded(.up))
            let name = try await registrar.createWindow(
                regionID: regionID,
                start: start,
                end: start + Int64(configuration.windowLength)
            )
            windowOpensAt = Double(start)
            console.line(
                "maintenance window \(name) on region \(configuration.region) opens in "
                    + DurationWording.text(Double(start) - agentsStart)
            )
        }

        let telemetry = FleetTelemetry(nodes: configuration.nodes)
        let eventLoops = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let target = try GRPCTarget(configuration.grpcAddress, label: "--grpc-address")
        let pool = try FleetChannelPool(
            target: target,
            connections: configuration.connections,
            caFile: configuration.caFile,
            eventLoopGroup: eventLoops
        )
        let clients = pool.clients.map { client in
            GRPCMaintenanceClient(grpc: client, token: { tokens.current })
        }
        let clock = JitteredClock(jitter: configuration.jitter)
        let fetcher = SyntheticImageFetcher(
            size: configuration.imageSize,
            downloadTime: configuration.downloadTime,
            clock: clock,
            telemetry: telemetry
        )
        let template = try agentConfiguration(target: target)
        let before = ProcessUsage.now()
        console.line(
            "starting \(configuration.nodes) agents against \(configuration.grpcAddress) over "
                + "\(configuration.connections) HTTP/2 connections (first polls spread over "
                + "\(DurationWording.text(configuration.pollInterval)))"
        )
        let runStart = ContinuousClock.now
        let samples = await withTaskGroup(of: Void.self, returning: [(Double, Int)].self) { group in
            group.addTask {
                do { try await pool.run() } catch {
                    logger.error("gRPC connections failed", metadata: ["error": "\(error)"])
                }
            }
            group.addTask {
                while !Task.isCancelled {
                    do {
                        try await Task.sleep(for: tokens.refreshPeriod)
                        try await tokens.refresh()
                    } catch is CancellationError {
                        return
                    } catch {
                        logger.error("agent token refresh failed", metadata: ["error": "\(error)"])
                    }
                }
            }
            group.addTask {
                await withDiscardingTaskGroup { nodes in
                    for index in 0..<configuration.nodes {
                        let client = NodeReporter(
                            index: index,
                            telemetry: telemetry,
                            base: clients[index % clients.count]
                        )
                        nodes.addTask {
                            await runNode(
                                index,
                                identity: identity,
                                template: template,
                                client: client,
                                fetcher: fetcher,
                                clock: clock,
                                telemetry: telemetry
                            )
                        }
                    }
                }
            }
            let samples = await monitor(
                telemetry: telemetry,
                start: runStart,
                agentsStart: agentsStart,
                window: windowOpensAt
            )
            group.cancelAll()
            pool.shutdown()
            return samples
        }
        try? await eventLoops.shutdownGracefully()
        let agentSeconds = (ContinuousClock.now - runStart).seconds
        let after = ProcessUsage.now()
        return summary(
            telemetry.snapshot(),
            samples: samples,
            agentsStart: agentsStart,
            agentSeconds: agentSeconds,
            windowOpensAt: windowOpensAt,
            registered: registered,
            before: before,
            after: after
        )
    }

    /// The agent configuration every node shares (each gets its own GUID).
    func agentConfiguration(target: GRPCTarget) throws -> AgentConfiguration {
        var raw = RawAgentConfiguration()
        raw.GUID = FleetIdentity(prefix: configuration.namePrefix).uuid(0)
        raw.updateServiceURL = (target.tls ? "https://" : "http://") + "\(target.host):\(target.port)"
        raw.metadataPath = "/var/edge-node/pua/metadata.json"
        raw.tickerInterval = "\(configuration.pollInterval)s"
        raw.pollTimeout = "\(configuration.pollTimeout)s"
        raw.releaseServiceFQDN = configuration.url + "/release/files"
        raw.bootBackend = "simulated"
        raw.healthChecks = [["systemctl", "is-system-running"]]
        raw.jwt = .init(accessTokenPath: "/run/day2-fleetsim/token-in-memory")
        raw.logLevel = "error"
        return try AgentConfiguration(raw: raw)
    }

    /// One simulated node: waits for its turn in the start spread, then runs agents across reboots until cancelled.
    private func runNode(
        _ index: Int,
        identity: FleetIdentity,
        template: AgentConfiguration,
        client: some MaintenanceClient,
        fetcher: SyntheticImageFetcher,
        clock: JitteredClock,
        telemetry: FleetTelemetry
    ) async {
        let offset = configuration.pollInterval * Double(index) / Double(configuration.nodes)
        do {
            try await Task.sleep(for: .seconds(offset))
        } catch {
            return
        }
        let node = InMemoryNode(
            os: .emt,
            initialImage: (FleetIdentity.imageLabel(FleetIdentity.currentVersion), Int64(configuration.imageSize)),
            failNextBoot: FleetIdentity.fails(index, rate: configuration.failureRate)
        )
        var agentConfiguration = template
        agentConfiguration.guid = identity.uuid(index)
        var nodeLogger = agentLogger
        if agentLogger.logLevel <= .info { nodeLogger[metadataKey: "host.guid"] = "\(agentConfiguration.guid)" }
        let rebootTime = configuration.rebootTime
        do {
            try await node.runAgents(
                configuration: agentConfiguration,
                environment: node.environment(client: client, fetcher: fetcher, clock: clock),
                logger: nodeLogger,
                forcedOS: .emt,
                rebootDelay: { try await Task.sleep(for: .seconds(clock.jittered(rebootTime))) },
                onBoot: { _ in telemetry.rebooted() }
            )
        } catch {
            logger.error(
                "simulated node stopped",
                metadata: ["host.guid": "\(agentConfiguration.guid)", "error": "\(error)"]
            )
        }
    }

    /// Prints progress until the run should stop; returns (seconds since start, polls) samples.
    private func monitor(
        telemetry: FleetTelemetry,
        start: ContinuousClock.Instant,
        agentsStart: Double,
        window: Double?
    ) async -> [(Double, Int)] {
        var samples: [(Double, Int)] = [(0, 0)]
        var lastProgress = ContinuousClock.now
        let progressEvery = Duration.milliseconds(Int64(configuration.progressInterval * 1000))
        while !Task.isCancelled {
            do {
                try await Task.sleep(for: .milliseconds(100))
            } catch {
                break
            }
            let elapsed = (ContinuousClock.now - start).seconds
            let settled = configuration.exitWhenSettled && telemetry.snapshot().settledNodes == configuration.nodes
            let expired = configuration.duration > 0 && elapsed >= configuration.duration
            if ContinuousClock.now - lastProgress >= progressEvery || settled || expired {
                let interval = (ContinuousClock.now - lastProgress).seconds
                lastProgress = ContinuousClock.now
                let snapshot = telemetry.snapshot(resetInterval: true)
                samples.append((elapsed, snapshot.polls))
                console.progress(progressLine(snapshot, elapsed: elapsed, interval: interval, window: window))
            }
            if settled || expired { break }
        }
        return samples
    }

    func progressLine(_ snapshot: FleetSnapshot, elapsed: Double, interval: Double, window: Double?) -> String {
        let usage = ProcessUsage.now()
        var parts = [
            String(format: "[%5.0fs]", elapsed),
            String(
                format: "polls %5.0f/s p50 %.1fms p99 %.1fms",
                Double(snapshot.intervalPolls) / max(interval, 0.001),
                snapshot.intervalLatency.quantile(0.5) * 1000,
                snapshot.intervalLatency.quantile(0.99) * 1000
            ),
        ]
        if snapshot.intervalFailedPolls > 0 { parts.append("failed \(snapshot.intervalFailedPolls)") }
        let statuses = UpdateStatusType.allCases.compactMap { status -> String? in
            let count = snapshot.statusCounts[status] ?? 0
            return count > 0 ? "\(FleetSummary.name(status)) \(count)" : nil
        }
        parts.append("| " + (statuses.isEmpty ? "no poll yet" : statuses.joined(separator: " ")))
        if window != nil {
            let fraction = Double(snapshot.settledNodes) / Double(max(snapshot.nodes, 1))
            let filled = Int((fraction * 20).rounded(.down))
            parts.append(
                "| updated \(snapshot.updatedNodes) failed \(snapshot.failedNodes) ["
                    + String(repeating: "#", count: filled) + String(repeating: ".", count: 20 - filled)
                    + String(format: "] %3.0f%%", fraction * 100)
            )
        }
        parts.append(
            String(
                format: "| RSS %.0f MiB (%.1f KiB/node)",
                Double(usage.residentBytes) / 1_048_576,
                Double(usage.residentBytes) / 1024 / Double(max(snapshot.nodes, 1))
            )
        )
        return parts.joined(separator: " ")
    }

    private func summary(
        _ snapshot: FleetSnapshot,
        samples: [(Double, Int)],
        agentsStart: Double,
        agentSeconds: Double,
        windowOpensAt: Double?,
        registered: FleetRegistrar.Fleet?,
        before: ProcessUsage,
        after: ProcessUsage
    ) -> FleetSummary {
        let firstPoll = snapshot.firstPollAt.map { $0 - agentsStart } ?? 0
        let pollsPerSecond = Double(snapshot.polls) / max(agentSeconds - firstPoll, 0.001)
        // Steady state: from the end of the start spread (every agent polling) to the end.
        let spreadEnd = configuration.pollInterval * 1.5
        var steady: Double?
        var lowest: Double?
        if let from = samples.first(where: { $0.0 >= spreadEnd }), let last = samples.last, last.0 - from.0 >= 1 {
            steady = Double(last.1 - from.1) / (last.0 - from.0)
            for (previous, next) in zip(samples, samples.dropFirst()) where previous.0 >= spreadEnd {
                let rate = Double(next.1 - previous.1) / max(next.0 - previous.0, 0.001)
                lowest = min(lowest ?? rate, rate)
            }
        }
        let formatter = ISO8601DateFormatter()
        return FleetSummary(
            nodes: configuration.nodes,
            pollInterval: configuration.pollInterval,
            connections: configuration.connections,
            agentSeconds: agentSeconds,
            registrationSeconds: registered?.seconds,
            hostsCreated: registered?.hostsCreated ?? 0,
            hostsFound: registered?.hostsFound ?? 0,
            windowOpensAfter: windowOpensAt.map { $0 - agentsStart },
            statusNow: Dictionary(
                uniqueKeysWithValues: snapshot.statusCounts.map { (FleetSummary.name($0.key), $0.value) }
            ),
            neverPolled: snapshot.neverPolled,
            startedNodes: snapshot.startedNodes,
            downloadedNodes: snapshot.downloadedNodes,
            updatedNodes: snapshot.updatedNodes,
            failedNodes: snapshot.failedNodes,
            settledNodes: snapshot.settledNodes,
            firstStartedAfterWindow: windowOpensAt.flatMap { window in snapshot.firstStartedAt.map { $0 - window } },
            lastUpdatedAfterWindow: windowOpensAt.flatMap { window in snapshot.lastUpdatedAt.map { $0 - window } },
            settledAfterWindow: windowOpensAt.flatMap { window in snapshot.settledAt.map { $0 - window } },
            polls: snapshot.polls,
            failedPolls: snapshot.failedPolls,
            pollsPerSecond: pollsPerSecond,
            steadyPollsPerSecond: steady,
            lowestIntervalPollsPerSecond: lowest,
            offeredPollsPerSecond: Double(configuration.nodes) / configuration.pollInterval,
            latencyP50Milliseconds: snapshot.latency.quantile(0.5) * 1000,
            latencyP90Milliseconds: snapshot.latency.quantile(0.9) * 1000,
            latencyP99Milliseconds: snapshot.latency.quantile(0.99) * 1000,
            latencyMaxMilliseconds: snapshot.latency.maximum * 1000,
            imageDownloads: snapshot.imageDownloads,
            reboots: snapshot.reboots,
            cpuSeconds: after.cpuSeconds - before.cpuSeconds,
            residentBytes: after.residentBytes,
            residentBytesBeforeNodes: before.residentBytes,
            peakResidentBytes: after.peakResidentBytes,
            finishedAt: formatter.string(from: Date())
        )
    }
}
