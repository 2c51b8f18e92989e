import AgentCore
import AgentSimulation
import AsyncHTTPClient
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import Logging
import ServiceLifecycle

/// The agent process as a `Service`: connects to the Maintenance Manager, builds the environment (real adapters,
/// or simulated OS backends rooted in a folder) and runs the agent until graceful shutdown.
public struct AgentService: Service {
    /// The validated configuration.
    public let configuration: AgentConfiguration
    /// `--simulate DIR`: simulated OS backends rooted there.
    public let simulateDirectory: String?
    /// `--os`: skip OS detection (and pick the simulated node's OS).
    public let forcedOS: NodeOS?
    /// The logger.
    public let logger: Logger

    /// Creates the service.
    public init(configuration: AgentConfiguration, simulateDirectory: String?, forcedOS: NodeOS?, logger: Logger) {
        self.configuration = configuration
        self.simulateDirectory = simulateDirectory
        self.forcedOS = forcedOS
        self.logger = logger
    }

    public func run() async throws {
        try await cancelWhenGracefulShutdown {
            try await runUntilCancelled()
        }
    }

    /// Runs until the task is cancelled.
    public func runUntilCancelled() async throws {
        let http = try HTTPImageFetcher.makeClient(caFile: configuration.caFile)
        do {
            try await withGRPCClient(transport: try Self.transport(configuration)) { grpc in
                let client = GRPCMaintenanceClient(grpc: grpc, tokenPath: configuration.accessTokenPath)
                let fetcher = HTTPImageFetcher(client: http)
                if let simulateDirectory {
                    try await runSimulated(root: simulateDirectory, client: client, fetcher: fetcher)
                } else {
                    try await runOnNode(client: client, fetcher: fetcher)
                }
            }
        } catch is CancellationError {
        } catch let error as RPCError where error.code == .cancelled {
        }
        try await http.shutdown()
    }

    /// The gRPC transport: plaintext for `http://`, otherwise TLS trusting `caFile` (or the system store).
    static func transport(_ configuration: AgentConfiguration) throws -> HTTP2ClientTransport.Posix {
        let security: HTTP2ClientTransport.Posix.TransportSecurity
        switch configuration.transport {
        case .plaintext:
            security = .plaintext
        case .tls:
            security = .tls { tls in
                if !configuration.caFile.isEmpty {
                    tls.trustRoots = .certificates([.file(path: configuration.caFile, format: .pem)])
                }
            }
        }
        return try HTTP2ClientTransport.Posix(target: target(configuration), transportSecurity: security)
    }

    /// An IP literal is connected to as such: a DNS target would send it as the TLS server name (SNI), which TLS
    /// forbids for addresses, and the handshake would fail; with an address the certificate is checked against it.
    static func target(_ configuration: AgentConfiguration) -> any ResolvableTarget {
        let host = configuration.serviceHost.trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        var v4 = in_addr()
        var v6 = in6_addr()
        if inet_pton(AF_INET, host, &v4) == 1 { return .ipv4(host: host, port: configuration.servicePort) }
        if inet_pton(AF_INET6, host, &v6) == 1 { return .ipv6(host: host, port: configuration.servicePort) }
        return .dns(host: host, port: configuration.servicePort)
    }

    private func runSimulated(root: String, client: any MaintenanceClient, fetcher: any ImageFetcher) async throws {
        let node = SimulatedNode(root: root)
        let hasOSRelease = FileManager.default.fileExists(atPath: root + "/etc/os-release")
        try await node.prepare(os: forcedOS ?? (hasOSRelease ? .ubuntu : .emt))
        logger.info("simulated node", metadata: ["simulate.dir": "\(root)"])
        let environment = node.environment(client: client, fetcher: fetcher, clock: SystemWallClock())
        try await node.runAgents(
            configuration: configuration,
            environment: environment,
            logger: logger,
            forcedOS: forcedOS
        )
    }

    private func runOnNode(client: any MaintenanceClient, fetcher: any ImageFetcher) async throws {
        let commands = SubprocessCommandRunner()
        var boot: (any BootControl)?
        var slots: (any SlotStore)?
        if configuration.hasSlots {
            slots = DeviceSlotStore(devices: configuration.slots)
            switch configuration.bootBackend {
            case .grub:
                boot = GrubBootControl(
                    slotDevices: configuration.slots,
                    entries: configuration.bootEntries,
                    commands: commands
                )
            case .systemdBoot:
                boot = SystemdBootControl(
                    slotDevices: configuration.slots,
                    entries: configuration.bootEntries,
                    commands: commands
                )
            case .simulated:
                throw AgentError(.configuration, "bootBackend: simulated needs --simulate DIR")
            }
        }
        let environment = AgentEnvironment(
            fileSystem: PosixFileSystem(),
            commands: commands,
            bootControl: boot,
            slots: slots,
            fetcher: fetcher,
            digests: CryptoDigestFactory(),
            rebooter: SystemdRebooter(commands: commands),
            client: client,
            clock: SystemWallClock()
        )
        let agent = UpdateAgent(
            configuration: configuration,
            environment: environment,
            logger: logger,
            forcedOS: forcedOS
        )
        if try await agent.run() == .rebootRequested {
            logger.info("waiting for the reboot")
            while !Task.isCancelled { try await Task.sleep(for: .seconds(3600)) }
        }
    }
}
