import Foundation

/// Where the Maintenance Manager listens, from `--grpc-address`: `host:port` and `http://host:port` are plaintext
/// gRPC (what `day2-orchestrator serve` speaks by default), `https://host:port` is gRPC over TLS.
public struct GRPCTarget: Sendable, Equatable {
    /// Host name or address.
    public var host: String
    /// Port.
    public var port: Int
    /// Whether to use TLS.
    public var tls: Bool

    /// Parses `text`; errors start with `label`.
    public init(_ text: String, label: String) throws(FleetError) {
        var rest = Substring(text.trimmingCharacters(in: .whitespaces))
        tls = false
        if rest.hasPrefix("https://") {
            tls = true
            rest = rest.dropFirst("https://".count)
        } else if rest.hasPrefix("http://") {
            rest = rest.dropFirst("http://".count)
        }
        if rest.hasSuffix("/") { rest = rest.dropLast() }
        guard let colon = rest.lastIndex(of: ":"), colon > rest.startIndex,
            let port = Int(rest[rest.index(after: colon)...]), (1...65535).contains(port),
            !rest[..<colon].contains("/")
        else {
            throw .option(
                label,
                "must be host:port, http://host:port (plaintext) or https://host:port (TLS), got \"\(text)\""
            )
        }
        var host = String(rest[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        self.host = host
        self.port = port
    }
}
