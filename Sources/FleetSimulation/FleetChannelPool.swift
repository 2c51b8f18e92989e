import GRPCCore
import GRPCNIOTransportHTTP2
import NIOCore
import NIOPosix

/// A few HTTP/2 connections to the Maintenance Manager, shared by every simulated agent: node `i` uses connection
/// `i % count`, and its polls are multiplexed as streams on it, as many agents behind one proxy would be. No
/// connection (and no thread) per agent.
final class FleetChannelPool: Sendable {
    let clients: [GRPCClient<HTTP2ClientTransport.Posix>]

    init(target: GRPCTarget, connections: Int, caFile: String, eventLoopGroup: MultiThreadedEventLoopGroup) throws {
        let security: HTTP2ClientTransport.Posix.TransportSecurity =
            target.tls
            ? .tls { tls in
                if !caFile.isEmpty { tls.trustRoots = .certificates([.file(path: caFile, format: .pem)]) }
            }
            : .plaintext
        clients = try (0..<connections).map { _ in
            GRPCClient(
                transport: try HTTP2ClientTransport.Posix(
                    target: .dns(host: target.host, port: target.port),
                    transportSecurity: security,
                    eventLoopGroup: eventLoopGroup
                )
            )
        }
    }

    /// The connection node `index` uses.
    func client(for index: Int) -> GRPCClient<HTTP2ClientTransport.Posix> { clients[index % clients.count] }

    /// Runs every connection until `shutdown`.
    func run() async throws {
        try await withThrowingDiscardingTaskGroup { group in
            for client in clients { group.addTask { try await client.runConnections() } }
        }
    }

    /// Closes the connections once their calls are done.
    func shutdown() { for client in clients { client.beginGracefulShutdown() } }
}
