import Foundation

/// Where an OCI registry answers and how to talk to it: base URL, optional CA file and credentials.
public struct RegistryEndpoint: Sendable, Hashable, CustomStringConvertible {
    /// `http://host:port` or `https://host:port`, without a trailing slash; the API is below `/v2/`.
    public var baseURL: String
    /// PEM file of the CA certificates to trust for HTTPS (instead of the system's), if any.
    public var caFile: String?
    /// User name for the registry or its token endpoint, if any.
    public var username: String?
    /// Password or token for `username`.
    public var password: String?
    /// Whether the server certificate is checked at all. Off only for the built-in Release Service, which the
    /// orchestrator reaches on its own listener.
    public var verifiesCertificate: Bool

    /// Creates an endpoint; `baseURL` must be an `http://` or `https://` URL with a host.
    public init(
        baseURL: String,
        caFile: String? = nil,
        username: String? = nil,
        password: String? = nil,
        verifiesCertificate: Bool = true
    ) throws {
        var trimmed = baseURL
        while trimmed.hasSuffix("/") { trimmed.removeLast() }
        guard let components = URLComponents(string: trimmed),
            components.scheme == "http" || components.scheme == "https",
            let host = components.host, !host.isEmpty
        else {
            throw OSResourceManagerError(
                .configuration,
                "releaseServiceUrl: \"\(baseURL.prefix(200))\" must be an http:// or https:// URL with a host"
            )
        }
        self.baseURL = trimmed
        self.caFile = caFile.flatMap { $0.isEmpty ? nil : $0 }
        self.username = username
        self.password = password
        self.verifiesCertificate = verifiesCertificate
    }

    /// Whether the endpoint uses TLS.
    public var usesTLS: Bool { baseURL.hasPrefix("https://") }

    /// The base URL (credentials are never part of it).
    public var description: String { baseURL }
}
