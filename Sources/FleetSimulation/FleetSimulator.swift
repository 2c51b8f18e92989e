import AgentCore
import AgentLinux
import AgentSimulation
import Foundation
import ProcessResources
import GRPCNIOTransportHTTP2
import Logging
import NIOCore
import NIOPosix
import ServiceLifecycle

/// `day2-fleetsim` as a `Service`: signs in, registers the fleet (optionally), opens a window (optionally), then
/// runs `nodes` real agents (`UpdateAgent`) on in-memory simulated nodes, each in its own task, over a few shared
/// HTTP/2 connections, printing progress and, at the end, a summary.
public struct FleetSimulator: Service, CustomStringConvertible {
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

    /// Names the service in ServiceLifecycle's logs without the configuration's secrets.
    public var description: String { "FleetSimulator(\(configuration))" }

    public func run() async throws {
        let console = console
        let file = configuration.summaryFile
        let logger = logger
        _ = try await cancelWhenGracefulShutdown {
            try await simulate { summary in
                for line in summary.lines { console.line(line) }
                guard !file.isEmpty else { return }
                do {
                    try summary.json().write(to: URL(fileURLWithPath: file))
                } catch {
                    logger.error(
                        "--summary-file: cannot write the summary",
                        metadata: ["file": "\(file)", "error": "\(error)"]
                    )
                }
            }
        }
    }

    /// Runs the fleet until `duration`, settlement (`exitWhenSettled`) or cancellation, and returns the summary.
    /// Cancellation during the agents' run still returns a summary; during registration it throws. `onSummary` gets
    /// the summary as soon as the agents stop being measured, before the connections are closed.
    public func simulate(onSummary: @Sendable (FleetSummary) -> Void = { _ in }) async throws -> FleetSummary {
        let identity = FleetIdentity(prefix: configuration.namePrefix)
        let rest = configuration.needsREST ? try FleetREST(configuration: configuration) : nil
        do {
            let summary = try await simulate(identity: identity, rest: rest, onSummary: onSummary)
            try await rest?.shutdown()
            return summary
        } catch {
            try? await rest?.shutdown()
            throw error
        }
    }

    private func simulate(
        identity: FleetIdentity,
        rest: FleetREST?,
        onSummary: @Sendable (FleetSummary) -> Void
    ) async throws -> FleetSummary {
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
            connections: configuration.effectiveConnections,
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
                + "\(configuration.effectiveConnections) HTTP/2 connections (first polls spread over "
                + "\(DurationWording.text(configuration.effectiveRampUp)))"
        )
        let runStart = ContinuousClock.now
        if let windowOpensAt { telemetry.windowOpens(at: windowOpensAt) }
        let result = await withTaskGroup(of: Void.self, returning: FleetSummary.self) { group in
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
            let scheduler = FleetScheduler()
            let shared = SimulatedAgent.Shared(
                template: template,
                identity: identity,
                client: { index in
                    NodeReporter(index: index, telemetry: telemetry, base: clients[index % clients.count])
                },
                fetcher: fetcher,
                clock: clock,
                telemetry: telemetry,
                logger: agentLogger
            )
            let imageLabel = FleetIdentity.imageLabel(FleetIdentity.currentVersion)
            let agents = (0..<configuration.nodes).map { index in
                SimulatedAgent(
                    index: index,
                    node: InMemoryNode(
                        os: .emt,
                        initialImage: (imageLabel, Int64(configuration.imageSize)),
                        failNextBoot: FleetIdentity.fails(index, rate: configuration.failureRate)
                    ),
                    shared: shared
                )
            }
            // First passes spread evenly over the ramp-up (by default one poll interval, as in a fleet that has been
            // running a while).
            let rampUp = configuration.effectiveRampUp
            for index in agents.indices {
                scheduler.schedule(index, in: rampUp * Double(index) / Double(agents.count))
            }
            let pollInterval = configuration.pollInterval
            let rebootTime = configuration.rebootTime
            group.addTask {
                await scheduler.run { index in
                    switch await agents[index].pass() {
                    case .tick: scheduler.schedule(index, in: clock.jittered(pollInterval))
                    case .reboot: scheduler.schedule(index, in: clock.jittered(rebootTime))
                    case .stop: break
                    }
                }
            }
            let samples = await monitor(
                telemetry: telemetry,
                start: runStart,
                agentsStart: agentsStart,
                window: windowOpensAt
            )
            // The summary is taken when the agents stop being measured, and handed over before the clean-up, which
            // can take a while when many polls are stuck in an overloaded server.
            let result = summary(
                telemetry.snapshot(),
                samples: samples,
                agentsStart: agentsStart,
                agentSeconds: (ContinuousClock.now - runStart).seconds,
                windowOpensAt: windowOpensAt,
                registered: registered,
                before: before,
                after: ProcessUsage.now()
            )
            onSummary(result)
            group.cancelAll()
            pool.shutdown()
            return result
        }
        try? await eventLoops.shutdownGracefully()
        return result
    }

    /// The agent configuration every node shares (each gets its own GUID).
    func agentConfiguration(target: GRPCTarget) throws -> AgentConfiguration {
        var raw = RawAgentConfiguration()
        raw.GUID = FleetIdentity(prefix: configuration.namePrefix).uuid(0)
        raw.updateServiceURL = (target.tls ? "https://" : "http://") + "\(target.host):\(target.port)"
        raw.metadataPath = "/var/edge-node/pua/metadata.json"
        raw.tickerInterval = "\(configuration.pollInterval)s"
        raw.pollTimeout = "\(configuration.pollTimeout)s"
        raw.immediateDownloadWindow = "\(configuration.immediateDownloadWindow)s"
        raw.downloadWindow = "\(configuration.downloadWindow)s"
        raw.releaseServiceFQDN = configuration.url + "/release/files"
        raw.bootBackend = "simulated"
        raw.healthChecks = [["systemctl", "is-system-running"]]
        raw.jwt = .init(accessTokenPath: "/run/day2-fleetsim/token-in-memory")
        raw.logLevel = "error"
        return try AgentConfiguration(raw: raw)
    }

    /// Prints progress until the run should stop; returns one sample per progress interval.
    private func monitor(
        telemetry: FleetTelemetry,
        start: ContinuousClock.Instant,
        agentsStart: Double,
        window: Double?
    ) async -> [FleetInterval] {
        var samples: [FleetInterval] = []
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
                ProcessUsage.returnFreedMemory()
                let usage = ProcessUsage.now()
                let sample = FleetInterval(
                    seconds: elapsed,
                    polls: snapshot.polls,
                    pollsPerSecond: Double(snapshot.intervalPolls) / max(interval, 0.001),
                    p50Milliseconds: snapshot.intervalLatency.quantile(0.5) * 1000,
                    p99Milliseconds: snapshot.intervalLatency.quantile(0.99) * 1000,
                    failedPolls: snapshot.intervalFailedPolls,
                    updatedNodes: snapshot.updatedNodes,
                    failedNodes: snapshot.failedNodes,
                    residentBytes: usage.residentBytes,
                    cpuSeconds: usage.cpuSeconds
                )
                samples.append(sample)
                console.progress(progressLine(snapshot, sample: sample, window: window))
            }
            if settled || expired { break }
        }
        return samples
    }

    func progressLine(_ snapshot: FleetSnapshot, sample: FleetInterval, window: Double?) -> String {
        var parts = [
            String(format: "[%5.0fs]", sample.seconds),
            String(
                format: "polls %5.0f/s p50 %.1fms p99 %.1fms",
                sample.pollsPerSecond,
                sample.p50Milliseconds,
                sample.p99Milliseconds
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
                Double(sample.residentBytes) / 1_048_576,
                Double(sample.residentBytes) / 1024 / Double(max(snapshot.nodes, 1))
            )
        )
        return parts.joined(separator: " ")
    }

    private func summary(
        _ snapshot: FleetSnapshot,
        samples: [FleetInterval],
        agentsStart: Double,
        agentSeconds: Double,
        windowOpensAt: Double?,
        registered: FleetRegistrar.Fleet?,
        before: ProcessUsage,
        after: ProcessUsage
    ) -> FleetSummary {
        let firstPoll = snapshot.firstPollAt.map { $0 - agentsStart } ?? 0
        let pollsPerSecond = Double(snapshot.polls) / max(agentSeconds - firstPoll, 0.001)
        // Steady state: from the end of the ramp-up (every agent polling) to the window (or the end).
        let spreadEnd = configuration.effectiveRampUp + configuration.pollInterval / 2
        let steadyEnd = windowOpensAt.map { $0 - agentsStart } ?? .infinity
        let steadySamples = samples.filter { $0.seconds >= spreadEnd && $0.seconds <= steadyEnd }
        var steady: Double?
        var lowest: Double?
        if let from = steadySamples.first, let last = steadySamples.last, last.seconds - from.seconds >= 1 {
            steady = Double(last.polls - from.polls) / (last.seconds - from.seconds)
            lowest = steadySamples.dropFirst().map(\.pollsPerSecond).min()
        }
        let formatter = ISO8601DateFormatter()
        return FleetSummary(
            nodes: configuration.nodes,
            pollInterval: configuration.pollInterval,
            rampUpSeconds: configuration.effectiveRampUp,
            connections: configuration.effectiveConnections,
            agentsStartedAt: agentsStart,
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
            beforeWindow: FleetPhase(snapshot.latencyBeforeWindow),
            afterWindow: windowOpensAt == nil ? nil : FleetPhase(snapshot.latencyAfterWindow),
            intervals: samples,
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
