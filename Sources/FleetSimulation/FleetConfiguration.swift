import Logging

/// Everything `day2-fleetsim` is told: the orchestrator, the credentials, the fleet, its timing and its output. A
/// plain struct with the defaults; `FleetOption` fills it from flags, then `DAY2_FLEETSIM_…` variables. Its
/// description leaves the password and the secret out.
public struct FleetConfiguration: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible {
    /// Simulated nodes.
    public var nodes = 100
    /// The Maintenance Manager: `host:port` or `http://host:port` (plaintext gRPC), `https://host:port` (TLS).
    public var grpcAddress = "127.0.0.1:50002"
    /// The REST API's base URL (token endpoint, registration, the window).
    public var url = "http://127.0.0.1:8080"
    /// PEM file of the CA that signed the orchestrator's certificates (HTTPS and gRPC over TLS); empty: system store.
    public var caFile = ""
    /// Project name.
    public var project = "default"
    /// User of the token endpoint.
    public var username = "admin"
    /// Its password (from `--password-file` or `DAY2_FLEETSIM_PASSWORD`); empty: no REST calls are possible.
    public var password = ""
    /// Realm of the token endpoint.
    public var realm = "master"
    /// A file holding the agents' bearer token (`<projectUUID>_en-agent-rw`), re-read every minute.
    public var agentTokenFile = ""
    /// The orchestrator's HS256 secret, to sign the agents' tokens here (from `--jwt-secret-file`).
    public var jwtSecret = ""
    /// Register the region, sites, OS resources, a policy, hosts and instances through the REST API first.
    public var register = false
    /// Region of the simulated hosts (created by `register`; the window's target).
    public var region = "fleetsim"
    /// Hosts per site.
    public var hostsPerSite = 1000
    /// Prefix of host names (`<prefix>-000001`) and of the derived host UUIDs.
    public var namePrefix = "sim"
    /// REST calls in flight while registering.
    public var registerConcurrency = 16
    /// Open a region-wide maintenance window this many seconds after the agents start (nil: none).
    public var windowIn: Double?
    /// Length of that window in seconds.
    public var windowLength: Double = 3600
    /// Seconds between two polls of one agent (the agent's `tickerInterval`).
    public var pollInterval: Double = 20
    /// Seconds over which the agents' first polls are spread (nil: one poll interval).
    public var rampUp: Double?
    /// The ramp-up used.
    public var effectiveRampUp: Double { rampUp ?? pollInterval }
    /// Random spread of every wait (poll interval, download, reboot), as a fraction: 0.1 = ±10 %.
    public var jitter: Double = 0.1
    /// Deadline of one poll in seconds (the agent's `pollTimeout`).
    public var pollTimeout: Double = 10
    /// Seconds an image download takes (simulated, see `SyntheticImageFetcher`).
    public var downloadTime: Double = 30
    /// The agents' `immediateDownloadWindow` in seconds: a window that opens sooner is downloaded for at once.
    public var immediateDownloadWindow: Double = 600
    /// The agents' `downloadWindow` in seconds: before the immediate span, downloads start at a random moment in it.
    public var downloadWindow: Double = 6 * 3600
    /// Seconds a reboot takes.
    public var rebootTime: Double = 30
    /// Bytes of the synthetic OS images (each downloaded image is hashed with SHA-256 by the agent).
    public var imageSize = 64 << 10
    /// Fraction of nodes whose new slot fails to boot (they roll back and report FAILED).
    public var failureRate: Double = 0
    /// HTTP/2 connections to the Maintenance Manager shared by all agents (nil: one per 100 nodes, 4 to 1,000).
    ///
    /// Real agents each have a connection of their own. Sharing one among too many agents concentrates what the
    /// server counts per connection: when a burst of polls times out, their stream resets exceed HTTP/2's
    /// rapid-reset limit (200 per 30 s in swift-nio-http2) and the server closes the connection under all of them.
    public var connections: Int?
    /// Seconds to run the agents (0: until interrupted, or settled with `exitWhenSettled`).
    public var duration: Double = 0
    /// Stop once every node has reported UPDATED or FAILED.
    public var exitWhenSettled = false
    /// Seconds between progress lines.
    public var progressInterval: Double = 5
    /// Write the summary as JSON to this file as well (empty: no file).
    public var summaryFile = ""
    /// Log level of the simulator.
    public var logLevel: Logger.Level = .error
    /// Log level of the simulated agents (`error` logs every failed update).
    public var agentLogLevel: Logger.Level = .critical

    /// The defaults.
    public init() {}

    public var description: String {
        "FleetConfiguration(nodes: \(nodes), grpcAddress: \(grpcAddress), url: \(url), project: \(project), "
            + "username: \(username), password: \(password.isEmpty ? "none" : "<redacted>"), "
            + "jwtSecret: \(jwtSecret.isEmpty ? "none" : "<redacted>"), agentTokenFile: \(agentTokenFile), "
            + "register: \(register), pollInterval: \(pollInterval))"
    }

    public var debugDescription: String { description }

    /// The connections used: `connections`, or one per 100 nodes (4 to 1,000).
    public var effectiveConnections: Int { connections ?? min(1000, max(4, nodes / 100)) }

    /// Whether REST calls are needed (registration, the window, or a project UUID to sign agent tokens for).
    public var needsREST: Bool { register || windowIn != nil || agentTokenFile.isEmpty }
}
