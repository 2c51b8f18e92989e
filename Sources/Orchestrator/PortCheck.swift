import NIOCore
import NIOPosix

/// Checks, before the servers start, that their ports can be bound, so that a busy port stops the start at once with
/// a message naming the key instead of leaving a half-started process.
public enum PortCheck {
    /// Binds `host:port` (with address reuse, as the servers do) and releases it; port 0 always passes.
    public static func ensureAvailable(host: String, port: Int, key: String) async throws {
        guard port != 0 else { return }
        do {
            let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .bind(host: host, port: port)
                .get()
            try await channel.close()
        } catch {
            throw ConfigurationError(key: key, rule: "cannot listen on \(host):\(port): \(error)")
        }
    }
}
