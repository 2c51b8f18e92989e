import Foundation

/// The agent's validated configuration: the upstream keys plus Day2's own (CA file, slots, boot backend, checks).
///
/// Built from a `RawAgentConfiguration` (what the YAML file says); every error names the key and the rule.
public struct AgentConfiguration: Sendable, Equatable {
    /// How the agent reaches the Maintenance Manager.
    public enum Transport: Sendable, Equatable {
        /// Plaintext gRPC (`updateServiceURL` starts with `http://`).
        case plaintext
        /// gRPC over TLS (anything else), verified against `caFile` or the system trust store.
        case tls
    }

    /// Which boot loader the immutable chain drives.
    public enum BootBackend: String, Sendable, Equatable, CaseIterable {
        /// GRUB: `grub-reboot` for the one-time boot, `grub-set-default` to commit.
        case grub
        /// systemd-boot: `bootctl set-oneshot` and `bootctl set-default`.
        case systemdBoot = "systemd-boot"
        /// The file-backed simulator (used by `--simulate`).
        case simulated
    }

    /// The node's SMBIOS UUID, sent as `host_guid`.
    public var guid: String
    /// Where the Maintenance Manager listens, as given (`host:port`, `https://host:port` or `http://host:port`).
    /// `updateServiceURL`: where the Maintenance Manager listens.
    public var updateServiceURL: String
    /// Host of the Maintenance Manager.
    public var serviceHost: String
    /// Port of the Maintenance Manager.
    public var servicePort: Int
    /// Plaintext or TLS.
    public var transport: Transport
    /// PEM bundle of the CA that signs the Maintenance Manager's and the Release Service's certificates (empty:
    /// the system trust store).
    /// `caFile`: PEM bundle to trust.
    public var caFile: String
    /// The metadata file.
    /// `metadataPath`: the metadata file.
    public var metadataPath: String
    /// Seconds between polls.
    /// `tickerInterval`: time between polls (duration text).
    public var tickerInterval: Double
    /// Seconds a poll may take before it is abandoned.
    /// `pollTimeout`: deadline of one poll (duration text).
    public var pollTimeout: Double
    /// The file holding the bearer token, re-read for every poll.
    public var accessTokenPath: String
    /// Seconds before a window in which the image is downloaded at once.
    /// `immediateDownloadWindow` (duration text).
    public var immediateDownloadWindow: Double
    /// Seconds before `immediateDownloadWindow` in which the download starts at a random moment.
    /// `downloadWindow` (duration text).
    public var downloadWindow: Double
    /// Base URL of the Release Service; image paths are resolved against it and must stay below it.
    /// `releaseServiceFQDN`: base URL of the Release Service.
    public var releaseServiceFQDN: String
    /// `debug`, `info` or `error` (anything else reads as `info`, as upstream).
    /// `logLevel`: `debug`, `info` or `error`.
    public var logLevel: String
    /// The two A/B slots (block devices or files), `[A, B]`.
    /// `slots`: slot A and slot B devices.
    public var slots: [String]
    /// The boot loader to drive.
    /// `bootBackend`: `grub`, `systemd-boot` or `simulated`.
    public var bootBackend: BootBackend
    /// GRUB menu entries (or systemd-boot entry ids) that boot slot A and slot B.
    /// `bootEntries`: boot entries of slot A and slot B.
    public var bootEntries: [String]
    /// Commands (argument lists) that must all exit 0 on a newly booted slot before it is committed.
    /// `healthChecks`: commands that must exit 0 before a commit.
    public var healthChecks: [[String]]
    /// The package name of the agent itself, upgraded by the mutable chain's self-update step.
    /// `agentPackage`: the package the self-update upgrades.
    public var agentPackage: String

    /// Validates `raw`, naming the key and the rule of the first problem.
    public init(raw: RawAgentConfiguration) throws(AgentError) {
        func fail(_ key: String, _ rule: String) -> AgentError {
            AgentError(.configuration, "\(key): \(rule)")
        }
        guard let guid = raw.GUID?.trimmingCharacters(in: .whitespaces), !guid.isEmpty else {
            throw fail("GUID", "is required (the node's SMBIOS UUID, /sys/class/dmi/id/product_uuid)")
        }
        guard Self.isUUID(guid) else {
            throw fail("GUID", "must be a UUID such as 4c4c4544-0042-3510-8052-b4c04f4e4d32")
        }
        self.guid = guid
        guard let url = raw.updateServiceURL?.trimmingCharacters(in: .whitespaces), !url.isEmpty else {
            throw fail("updateServiceURL", "is required (host:port of the Maintenance Manager)")
        }
        updateServiceURL = url
        var rest = Substring(url)
        if rest.hasPrefix("http://") {
            transport = .plaintext
            rest = rest.dropFirst("http://".count)
        } else {
            transport = .tls
            if rest.hasPrefix("https://") { rest = rest.dropFirst("https://".count) }
        }
        if rest.hasSuffix("/") { rest = rest.dropLast() }
        guard let colon = rest.lastIndex(of: ":"), let port = Int(rest[rest.index(after: colon)...]),
            (1...65535).contains(port), colon > rest.startIndex, !rest[..<colon].contains("/")
        else {
            throw fail("updateServiceURL", "must be host:port, https://host:port or http://host:port (plaintext)")
        }
        var host = String(rest[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        serviceHost = host
        servicePort = port
        caFile = raw.caFile ?? ""
        guard let metadataPath = raw.metadataPath, !metadataPath.isEmpty else {
            throw fail("metadataPath", "is required (for example /var/edge-node/pua/metadata.json)")
        }
        guard metadataPath.hasPrefix("/") else { throw fail("metadataPath", "must be an absolute path") }
        self.metadataPath = metadataPath
        tickerInterval = try Self.duration(raw.tickerInterval, key: "tickerInterval", default: 20)
        pollTimeout = try Self.duration(raw.pollTimeout, key: "pollTimeout", default: 10)
        guard let tokenPath = raw.jwt?.accessTokenPath, !tokenPath.isEmpty else {
            throw fail("jwt.accessTokenPath", "is required (the file holding the agent's bearer token)")
        }
        accessTokenPath = tokenPath
        immediateDownloadWindow = try Self.duration(
            raw.immediateDownloadWindow,
            key: "immediateDownloadWindow",
            default: 600
        )
        downloadWindow = try Self.duration(raw.downloadWindow, key: "downloadWindow", default: 6 * 3600)
        let fqdn = (raw.releaseServiceFQDN ?? "").trimmingCharacters(in: .whitespaces)
        if !fqdn.isEmpty {
            guard let parsed = URLComponents(string: fqdn), let scheme = parsed.scheme,
                ["http", "https"].contains(scheme), parsed.host?.isEmpty == false, parsed.query == nil
            else {
                throw fail(
                    "releaseServiceFQDN",
                    "must be an http:// or https:// URL such as https://files-rs.example.com"
                )
            }
        }
        releaseServiceFQDN = fqdn.hasSuffix("/") ? String(fqdn.dropLast()) : fqdn
        logLevel = raw.logLevel ?? "info"
        slots = raw.slots ?? []
        guard slots.isEmpty || slots.count == 2 else {
            throw fail("slots", "must list exactly two devices or files (slot A, slot B)")
        }
        for slot in slots where !slot.hasPrefix("/") {
            throw fail("slots", "must be absolute paths, got \"\(slot)\"")
        }
        let backendText = raw.bootBackend ?? "grub"
        guard let backend = BootBackend(rawValue: backendText) else {
            let allowed = BootBackend.allCases.map(\.rawValue).joined(separator: ", ")
            throw fail("bootBackend", "must be one of \(allowed), got \"\(backendText)\"")
        }
        bootBackend = backend
        bootEntries = raw.bootEntries ?? []
        guard bootEntries.isEmpty || bootEntries.count == 2 else {
            throw fail("bootEntries", "must list exactly two boot entries (slot A, slot B)")
        }
        if backend != .simulated && !slots.isEmpty && bootEntries.isEmpty {
            throw fail("bootEntries", "is required with bootBackend \(backend.rawValue) when slots are set")
        }
        healthChecks = raw.healthChecks ?? []
        for (index, check) in healthChecks.enumerated() where check.isEmpty || check[0].isEmpty {
            throw fail("healthChecks[\(index)]", "must be a non-empty command (a list: program and arguments)")
        }
        agentPackage = raw.agentPackage ?? "day2-agent"
        guard PackageName.isValid(agentPackage) else {
            throw fail("agentPackage", "must be a Debian package name (a-z, 0-9, +, -, .)")
        }
    }

    /// Whether the node has A/B slots configured.
    public var hasSlots: Bool { slots.count == 2 }

    private static func duration(
        _ text: String?,
        key: String,
        default defaultValue: Double
    ) throws(AgentError) -> Double {
        guard let text, !text.isEmpty else { return defaultValue }
        guard let value = DurationText.seconds(text) else {
            throw AgentError(.configuration, "\(key): must be a duration such as 20s, 10m or 6h, got \"\(text)\"")
        }
        guard value >= 0 else { throw AgentError(.configuration, "\(key): must not be negative") }
        if value == 0 { return defaultValue }
        return value
    }

    private static func isUUID(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count == 36 else { return false }
        for (index, byte) in bytes.enumerated() {
            if [8, 13, 18, 23].contains(index) {
                guard byte == UInt8(ascii: "-") else { return false }
            } else {
                guard (48...57).contains(byte) || (65...70).contains(byte) || (97...102).contains(byte) else {
                    return false
                }
            }
        }
        return true
    }
}

/// The configuration file as written: every key optional, names exactly as in the upstream YAML file.
public struct RawAgentConfiguration: Codable, Sendable, Equatable {
    /// `jwt:` block.
    public struct JWT: Codable, Sendable, Equatable {
        /// `jwt.accessTokenPath`.
        public var accessTokenPath: String?
        /// Creates the block.
        public init(accessTokenPath: String? = nil) { self.accessTokenPath = accessTokenPath }
    }

    /// Upstream `version` (not used).
    public var version: String?
    public var logLevel: String?
    /// `GUID`: the node's SMBIOS UUID.
    public var GUID: String?
    public var updateServiceURL: String?
    public var metadataPath: String?
    public var tickerInterval: String?
    /// `jwt:` block.
    public var jwt: JWT?
    public var immediateDownloadWindow: String?
    public var downloadWindow: String?
    public var releaseServiceFQDN: String?
    /// Upstream INBM status log (not used).
    public var INBCLogsPath: String?
    /// Upstream INBM granular log (not used).
    public var INBCGranularLogsPath: String?
    /// Upstream metrics endpoint (not used).
    public var metricsEndpoint: String?
    /// Upstream metrics interval (not used).
    public var metricsInterval: String?
    /// Upstream node-agent status endpoint (not used).
    public var statusEndpoint: String?
    public var pollTimeout: String?
    public var caFile: String?
    public var slots: [String]?
    public var bootBackend: String?
    public var bootEntries: [String]?
    public var healthChecks: [[String]]?
    public var agentPackage: String?

    /// Creates an empty configuration (every key unset).
    public init() {}
}
