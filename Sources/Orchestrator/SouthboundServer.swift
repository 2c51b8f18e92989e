import Authentication
import GRPCCore
import GRPCNIOTransportHTTP2
import Inventory
import Logging
import MaintenanceManager
import NIOCore
import NIOPosix
import Southbound
import SouthboundContract

/// Builds the southbound gRPC server: Maintenance Manager behind agent authentication, plus the health service.
enum SouthboundServer {
    /// The event loops of the southbound listener: half the cores, at least one.
    ///
    /// The handlers run on the Swift task pool, which already has a thread per core; giving the listener every core
    /// as well made the threads hand work back and forth. Measured on 2 cores (h2load, 100,000 hosts): one event
    /// loop carried about 5,500 polls/s against 4,900 with two, at less CPU per poll.
    static func makeEventLoopGroup() -> MultiThreadedEventLoopGroup {
        MultiThreadedEventLoopGroup(numberOfThreads: max(1, System.coreCount / 2))
    }

    /// The server and its health service (the caller marks it not serving at shutdown).
    static func make<Store: InventoryStore>(
        configuration: OrchestratorConfiguration,
        eventLoopGroup: MultiThreadedEventLoopGroup,
        manager: MaintenanceManager<Store>,
        verifier: TokenVerifier,
        metrics: PollMetrics? = nil,
        logger: Logger
    ) -> (server: GRPCServer<HTTP2ServerTransport.Posix>, health: HealthService) {
        let address: GRPCNIOTransportHTTP2.SocketAddress =
            configuration.grpcHost.contains(":")
            ? .ipv6(host: configuration.grpcHost, port: configuration.grpcPort)
            : .ipv4(host: configuration.grpcHost, port: configuration.grpcPort)
        let security: HTTP2ServerTransport.Posix.TransportSecurity =
            configuration.grpcTLSCert.isEmpty
            ? .plaintext
            : .tls(
                .defaults(
                    certificateChain: [.file(path: configuration.grpcTLSCert, format: .pem)],
                    privateKey: .file(path: configuration.grpcTLSKey, format: .pem)
                )
            )
        let health = HealthService()
        let server = GRPCServer(
            transport: .http2NIOPosix(address: address, transportSecurity: security, eventLoopGroup: eventLoopGroup),
            services: [MaintenanceService(
                    manager: manager,
                    logger: logger,
                    metrics: metrics,
                    maxConcurrentPolls: configuration.maxConcurrentPolls
                ), health],
            interceptorPipeline: [
                .apply(AgentAuthInterceptor(verifier: verifier), to: .services([.maintmgr_v1_MaintmgrService]))
            ]
        )
        return (server, health)
    }

    /// The port the server bound (waits until it is bound).
    static func listeningPort(_ server: GRPCServer<HTTP2ServerTransport.Posix>) async throws -> Int {
        let address = try await server.listeningAddress
        return address?.ipv4?.port ?? address?.ipv6?.port ?? 0
    }
}
