import AgentCore
import AgentLinux
import AgentSimulation
import AsyncHTTPClient
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import Logging

/// The demo's edge nodes: one disk-rooted `SimulatedNode` per node (slots, boot loader, packages in
/// `<folder>/<host name>/`), each running the real agent core exactly as `day2-agent run --simulate DIR` does, over
/// one shared gRPC connection to the Maintenance Manager and one HTTP client for the Release Service.
public struct SimulatedFleet: Sendable {
    /// The nodes.
    public let nodes: [DemoNode]
    /// The folder holding one sub-folder per node.
    public let folder: String
    /// The agents' poll interval in seconds.
    public let pollIntervalSeconds: Double

    /// The node's metadata file, inside its folder.
    public static let metadataPath = "/var/edge-node/pua/metadata.json"

    /// A fleet of `nodes` below `folder`.
    public init(nodes: [DemoNode], folder: String, pollIntervalSeconds: Double) {
        self.nodes = nodes
        self.folder = folder
        self.pollIntervalSeconds = pollIntervalSeconds
    }

    /// The simulated node of `node`.
    public func simulated(_ node: DemoNode) -> SimulatedNode {
        SimulatedNode(root: (folder as NSString).appendingPathComponent(node.name))
    }

    /// The packages of a fresh Ubuntu node: some with newer versions in the repositories, and the policy's
    /// packages available but not installed.
    public static let ubuntuPackages = PackageDatabase(
        installed: [
            "openssl": "3.0.2-0ubuntu1.15", "curl": "7.81.0-1ubuntu1.16", "systemd": "249.11-0ubuntu3.12",
            "tzdata": "2024a-0ubuntu0.22.04",
        ],
        available: [
            "openssl": "3.0.2-0ubuntu1.19", "curl": "7.81.0-1ubuntu1.20", "systemd": "249.11-0ubuntu3.12",
            "tzdata": "2025b-0ubuntu0.22.04", "tree": "2.0.2-1", "htop": "3.0.5-7build2",
        ]
    )

    /// Creates every node's folder: immutable nodes run the older image from slot A (and the failing ones get
    /// `fail-next-boot`), Ubuntu nodes get their package database.
    public func prepare(olderImage: [UInt8]) async throws {
        for node in nodes {
            let simulated = simulated(node)
            switch node.kind {
            case .immutable:
                try await simulated.prepare(os: .emt, initialImage: olderImage)
                if node.failsFirstBoot {
                    let path = simulated.root + SimulatedBootloader.failNextBootPath
                    guard FileManager.default.createFile(atPath: path, contents: Data()) else {
                        throw DemoError(.setup, "cannot create \(path)")
                    }
                }
            case .mutable:
                try await simulated.prepare(os: .ubuntu, packages: Self.ubuntuPackages)
            }
        }
    }

    /// The agent configuration of `node`, as its YAML file would say it.
    public func configuration(
        _ node: DemoNode,
        maintenanceManager: String,
        releaseService: String,
        tokenPath: String
    ) throws -> AgentConfiguration {
        var raw = RawAgentConfiguration()
        raw.GUID = node.uuid
        raw.updateServiceURL = maintenanceManager
        raw.metadataPath = Self.metadataPath
        raw.tickerInterval = "\(Int((pollIntervalSeconds * 1000).rounded()))ms"
        raw.pollTimeout = "10s"
        // Download as soon as a window is known (the demo's window opens within the hour).
        raw.immediateDownloadWindow = "1h"
        raw.downloadWindow = "1s"
        raw.releaseServiceFQDN = releaseService
        raw.bootBackend = "simulated"
        raw.healthChecks = [["systemctl", "is-system-running"]]
        raw.jwt = .init(accessTokenPath: tokenPath)
        return try AgentConfiguration(raw: raw)
    }

    /// Runs every node's agent until the task is cancelled: polls go to `grpcHost:grpcPort` (plaintext), images
    /// come from `releaseService` (the built-in Release Service's `/release/files` URL), each report that the
    /// Maintenance Manager accepts is told to `progress`. The agents log at `nodeLogLevel`; a node that stops
    /// with an error is logged to `logger` and the others go on.
    public func run(
        grpcHost: String,
        grpcPort: Int,
        releaseService: String,
        tokenPath: String,
        progress: RolloutProgress,
        logger: Logger,
        nodeLogLevel: Logger.Level
    ) async throws {
        let maintenanceManager = "http://\(grpcHost.contains(":") ? "[\(grpcHost)]" : grpcHost):\(grpcPort)"
        let configurations = try nodes.map {
            try configuration(
                $0,
                maintenanceManager: maintenanceManager,
                releaseService: releaseService,
                tokenPath: tokenPath
            )
        }
        let http = try HTTPImageFetcher.makeClient(caFile: "")
        var failure: (any Error)?
        do {
            let transport = try HTTP2ClientTransport.Posix(
                target: .dns(host: grpcHost, port: grpcPort),
                transportSecurity: .plaintext
            )
            try await withGRPCClient(transport: transport) { grpc in
                let client = ObservedMaintenanceClient(
                    base: GRPCMaintenanceClient(grpc: grpc, tokenPath: tokenPath),
                    progress: progress
                )
                let fetcher = HTTPImageFetcher(client: http)
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for (node, configuration) in zip(nodes, configurations) {
                        let simulated = simulated(node)
                        var nodeLogger = logger
                        nodeLogger.logLevel = nodeLogLevel
                        nodeLogger[metadataKey: "node"] = "\(node.name)"
                        let environment = simulated.environment(
                            client: client,
                            fetcher: fetcher,
                            clock: SystemWallClock()
                        )
                        let os: NodeOS = node.kind == .immutable ? .emt : .ubuntu
                        group.addTask {
                            do {
                                try await simulated.runAgents(
                                    configuration: configuration,
                                    environment: environment,
                                    logger: nodeLogger,
                                    forcedOS: os
                                )
                            } catch  where !Task.isCancelled {
                                // One node's failure is that node's: the others go on.
                                logger.error(
                                    "simulated node stopped",
                                    metadata: ["node": "\(node.name)", "error": "\(error)"]
                                )
                            }
                        }
                    }
                    try await group.waitForAll()
                }
            }
        } catch is CancellationError {
        } catch let error as RPCError where error.code == .cancelled {
        } catch {
            failure = error
        }
        try await http.shutdown()
        if let failure { throw failure }
    }
}
