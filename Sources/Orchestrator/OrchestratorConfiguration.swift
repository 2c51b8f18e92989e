import Foundation
import Logging
import OSResourceManager

/// Everything `day2-orchestrator` can be told, with its defaults.
///
/// Each key is resolved in this order: command-line flag, `DAY2_*` environment variable, configuration file
/// (JSON, `--config`), default. `OrchestratorConfiguration.keys` is the single list the README documents.
public struct OrchestratorConfiguration: Sendable, Equatable {
    /// Folder for the SQLite file and other local state.
    public var dataDirectory: String = "./.day2"
    /// `sqlite` (a file in the data folder), `sqlite:/path/file.sqlite`, or a `postgres://…` URL.
    public var database: String = "sqlite"
    /// Address the HTTP (REST, UI, health, metrics) server binds to.
    public var httpHost: String = "127.0.0.1"
    /// HTTP port; 0 picks a free one.
    public var httpPort: Int = 8080
    /// Address the southbound gRPC server binds to.
    public var grpcHost: String = "127.0.0.1"
    /// Southbound gRPC port.
    public var grpcPort: Int = 50002
    /// Log level: trace, debug, info, notice, warning, error, critical.
    public var logLevel: Logger.Level = .info
    /// Project created at first start when no project exists; empty to create none.
    public var defaultProject: String = "default"
    /// HS256 secret for bearer tokens; empty: read (or create) `jwt-secret` in the data folder.
    public var jwtSecret: String = ""
    /// JWKS URL of an external token issuer (RS256/ES256 keys).
    public var jwtJWKSURL: String = ""
    /// PEM certificate chain for TLS on the gRPC port (with `grpcTLSKey`); plaintext when empty.
    public var grpcTLSCert: String = ""
    /// PEM private key for TLS on the gRPC port.
    public var grpcTLSKey: String = ""
    /// Seconds an update run may go without a report before it is closed as failed.
    public var commitDeadlineSeconds: Int = 7200
    /// Most agent polls served at once; past it a poll is answered UNAVAILABLE at once (the agent tries again).
    public var maxConcurrentPolls: Int = 5000
    /// Seconds between two passes of the rollout controller (waves opening, hosts followed, thresholds checked).
    public var rolloutIntervalSeconds: Int = 5
    /// Password of the `admin` user of the embedded token endpoint; empty: generated at first start, printed once,
    /// and kept (hashed) in the data folder.
    public var adminPassword: String = ""
    /// JSON file of further users of the embedded token endpoint (see the README).
    public var usersFile: String = ""
    /// Lifetime of the tokens the embedded endpoint issues, in seconds.
    public var tokenLifetimeSeconds: Int = 3600
    /// PEM certificate chain for HTTPS on the HTTP port (with `httpTLSKey`); plain HTTP when empty.
    public var httpTLSCert: String = ""
    /// PEM private key for HTTPS.
    public var httpTLSKey: String = ""
    /// Release Service(s) the OS Resource Manager reads: a URL, and `PROJECT=URL` / `PROJECT=off` overrides (see
    /// ``ReleaseSourceMap``); empty: the built-in one when `releaseDirectory` is set, otherwise none.
    public var releaseServiceURL: String = ""
    /// OCI repository prefix of the OS profiles, ending in `/`.
    public var osProfileRepo: String = "edge-orch/en/files/os-profile/"
    /// Profile tag to read: an exact tag or `~X.Y.Z`.
    public var osProfileRevision: String = ""
    /// Profile names to read.
    public var enabledProfiles: [String] = []
    /// Seconds between full OS resource reconciles.
    public var osrmPeriodSeconds: Int = 12 * 3600
    /// Link immutable instances without a policy to a project-wide LATEST policy.
    public var osrmAutoLink: Bool = false
    /// Folder of the built-in Release Service; empty: not served.
    public var releaseDirectory: String = ""

    /// The defaults.
    public init() {}

    /// Where the embedded SQLite file lives, or nil when the database is PostgreSQL.
    public var sqlitePath: String? {
        if database == "sqlite" { return (dataDirectory as NSString).appendingPathComponent("day2.sqlite") }
        if database.hasPrefix("sqlite:") { return String(database.dropFirst("sqlite:".count)) }
        return nil
    }

    /// Whether the database is PostgreSQL.
    public var usesPostgres: Bool { database.hasPrefix("postgres://") || database.hasPrefix("postgresql://") }

    /// One configuration key: its flag, environment variable, file key, default and meaning.
    public struct Key: Sendable {
        /// The command-line flag, e.g. `--http-port`.
        public let flag: String
        /// The environment variable, e.g. `DAY2_HTTP_PORT`.
        public let environment: String
        /// The key in the JSON configuration file, e.g. `httpPort`.
        public let fileKey: String
        /// The default, as text.
        public let defaultValue: String
        /// What it does.
        public let help: String
        fileprivate let apply: @Sendable (inout OrchestratorConfiguration, String) throws(ConfigurationError) -> Void
    }

    /// Every key, in the order the README lists them.
    public static var allKeys: [Key] { keys + securityKeys + releaseKeys }

    private static let keys: [Key] = [
        Key(
            flag: "--data-dir",
            environment: "DAY2_DATA_DIR",
            fileKey: "dataDir",
            defaultValue: "./.day2",
            help: "folder for the SQLite file and local state"
        ) { config, value throws(ConfigurationError) in config.dataDirectory = value },
        Key(
            flag: "--database",
            environment: "DAY2_DATABASE",
            fileKey: "database",
            defaultValue: "sqlite",
            help: "`sqlite` (file in the data folder), `sqlite:/path/file.sqlite`, or `postgres://user:pw@host:5432/db`"
        ) { config, value throws(ConfigurationError) in
            let ok =
                value == "sqlite" || value.hasPrefix("sqlite:") || value.hasPrefix("postgres://")
                || value.hasPrefix("postgresql://")
            guard ok else {
                throw ConfigurationError(key: "database", rule: "must be sqlite, sqlite:/path or a postgres:// URL")
            }
            config.database = value
        },
        Key(
            flag: "--http-host",
            environment: "DAY2_HTTP_HOST",
            fileKey: "httpHost",
            defaultValue: "127.0.0.1",
            help: "address of the REST/UI/health/metrics server"
        ) { config, value throws(ConfigurationError) in config.httpHost = value },
        Key(
            flag: "--http-port",
            environment: "DAY2_HTTP_PORT",
            fileKey: "httpPort",
            defaultValue: "8080",
            help: "port of the REST/UI/health/metrics server (0 = any free port)"
        ) { config, value throws(ConfigurationError) in config.httpPort = try port(value, key: "httpPort") },
        Key(
            flag: "--grpc-host",
            environment: "DAY2_GRPC_HOST",
            fileKey: "grpcHost",
            defaultValue: "127.0.0.1",
            help: "address of the southbound gRPC server"
        ) { config, value throws(ConfigurationError) in config.grpcHost = value },
        Key(
            flag: "--grpc-port",
            environment: "DAY2_GRPC_PORT",
            fileKey: "grpcPort",
            defaultValue: "50002",
            help: "port of the southbound gRPC server (Maintenance Manager)"
        ) { config, value throws(ConfigurationError) in config.grpcPort = try port(value, key: "grpcPort") },
        Key(
            flag: "--log-level",
            environment: "DAY2_LOG_LEVEL",
            fileKey: "logLevel",
            defaultValue: "info",
            help: "trace, debug, info, notice, warning, error or critical"
        ) { config, value throws(ConfigurationError) in
            guard let level = Logger.Level(rawValue: value.lowercased()) else {
                throw ConfigurationError(
                    key: "logLevel",
                    rule: "must be trace, debug, info, notice, warning, error or critical"
                )
            }
            config.logLevel = level
        },
        Key(
            flag: "--default-project",
            environment: "DAY2_DEFAULT_PROJECT",
            fileKey: "defaultProject",
            defaultValue: "default",
            help: "project created at first start when none exists (empty: none)"
        ) { config, value throws(ConfigurationError) in config.defaultProject = value },
    ]

    private static let securityKeys: [Key] = [
        Key(
            flag: "--jwt-secret",
            environment: "DAY2_JWT_SECRET",
            fileKey: "jwtSecret",
            defaultValue: "(generated)",
            help:
                "HS256 secret that signs and verifies bearer tokens; default: `jwt-secret` in the data folder, created at first start (replicas must share one)"
        ) { config, value throws(ConfigurationError) in config.jwtSecret = value },
        Key(
            flag: "--jwt-jwks-url",
            environment: "DAY2_JWT_JWKS_URL",
            fileKey: "jwtJwksUrl",
            defaultValue: "",
            help: "JWKS URL of an external issuer whose RS256/ES256 tokens are accepted"
        ) { config, value throws(ConfigurationError) in
            guard value.isEmpty || value.hasPrefix("http://") || value.hasPrefix("https://") else {
                throw ConfigurationError(key: "jwtJwksUrl", rule: "must be an http:// or https:// URL")
            }
            config.jwtJWKSURL = value
        },
        Key(
            flag: "--grpc-tls-cert",
            environment: "DAY2_GRPC_TLS_CERT",
            fileKey: "grpcTlsCert",
            defaultValue: "",
            help: "PEM certificate chain: serve gRPC over TLS (with --grpc-tls-key)"
        ) { config, value throws(ConfigurationError) in config.grpcTLSCert = value },
        Key(
            flag: "--grpc-tls-key",
            environment: "DAY2_GRPC_TLS_KEY",
            fileKey: "grpcTlsKey",
            defaultValue: "",
            help: "PEM private key for --grpc-tls-cert"
        ) { config, value throws(ConfigurationError) in config.grpcTLSKey = value },
        Key(
            flag: "--commit-deadline",
            environment: "DAY2_COMMIT_DEADLINE",
            fileKey: "commitDeadline",
            defaultValue: "7200",
            help: "seconds an update run may go without a report before it is closed as failed"
        ) { config, value throws(ConfigurationError) in
            guard let seconds = Int(value), seconds >= 60 else {
                throw ConfigurationError(key: "commitDeadline", rule: "must be a whole number of seconds, at least 60")
            }
            config.commitDeadlineSeconds = seconds
        },
        Key(
            flag: "--rollout-interval",
            environment: "DAY2_ROLLOUT_INTERVAL",
            fileKey: "rolloutInterval",
            defaultValue: "5",
            help: "seconds between two passes of the rollout controller"
        ) { config, value throws(ConfigurationError) in
            guard let seconds = Int(value), (1...3600).contains(seconds) else {
                throw ConfigurationError(key: "rolloutInterval", rule: "must be a whole number of seconds from 1 to 3600")
            }
            config.rolloutIntervalSeconds = seconds
        },
        Key(
            flag: "--max-concurrent-polls",
            environment: "DAY2_MAX_CONCURRENT_POLLS",
            fileKey: "maxConcurrentPolls",
            defaultValue: "5000",
            help:
                "agent polls served at once; past it a poll is answered UNAVAILABLE at once and the agent tries again, instead of waiting past its deadline"
        ) { config, value throws(ConfigurationError) in
            guard let count = Int(value), (1...1_000_000).contains(count) else {
                throw ConfigurationError(key: "maxConcurrentPolls", rule: "must be a whole number from 1 to 1000000")
            }
            config.maxConcurrentPolls = count
        },
        Key(
            flag: "--admin-password",
            environment: "DAY2_ADMIN_PASSWORD",
            fileKey: "adminPassword",
            defaultValue: "(generated)",
            help:
                "password of the `admin` user of the token endpoint; default: generated at first start, printed once, kept hashed in the data folder"
        ) { config, value throws(ConfigurationError) in
            guard value.isEmpty || value.count >= 8 else {
                throw ConfigurationError(key: "adminPassword", rule: "must be at least 8 characters")
            }
            config.adminPassword = value
        },
        Key(
            flag: "--users-file",
            environment: "DAY2_USERS_FILE",
            fileKey: "usersFile",
            defaultValue: "",
            help: "JSON file of further users of the token endpoint (name, password hash, projects and access)"
        ) { config, value throws(ConfigurationError) in config.usersFile = value },
        Key(
            flag: "--token-lifetime",
            environment: "DAY2_TOKEN_LIFETIME",
            fileKey: "tokenLifetime",
            defaultValue: "3600",
            help: "seconds the tokens of the embedded token endpoint are valid"
        ) { config, value throws(ConfigurationError) in
            guard let seconds = Int(value), (60...86400 * 30).contains(seconds) else {
                throw ConfigurationError(key: "tokenLifetime", rule: "must be 60..2592000 seconds")
            }
            config.tokenLifetimeSeconds = seconds
        },
        Key(
            flag: "--http-tls-cert",
            environment: "DAY2_HTTP_TLS_CERT",
            fileKey: "httpTlsCert",
            defaultValue: "",
            help: "PEM certificate chain: serve HTTPS on the HTTP port (with --http-tls-key)"
        ) { config, value throws(ConfigurationError) in config.httpTLSCert = value },
        Key(
            flag: "--http-tls-key",
            environment: "DAY2_HTTP_TLS_KEY",
            fileKey: "httpTlsKey",
            defaultValue: "",
            help: "PEM private key for --http-tls-cert"
        ) { config, value throws(ConfigurationError) in config.httpTLSKey = value },
    ]

    private static let releaseKeys: [Key] = [
        Key(
            flag: "--release-service-url",
            environment: "DAY2_RELEASE_SERVICE_URL",
            fileKey: "releaseServiceUrl",
            defaultValue: "",
            help:
                "OCI registry the OS Resource Manager reads profiles from (`http(s)://[user:pw@]host:port[?ca=FILE&files=URL]`), plus `PROJECT=URL` or `PROJECT=off` per project; default: the built-in Release Service when --release-dir is set"
        ) { config, value throws(ConfigurationError) in
            config.releaseServiceURL = value.trimmingCharacters(in: .whitespaces)
        },
        Key(
            flag: "--os-profile-repo",
            environment: "DAY2_OS_PROFILE_REPO",
            fileKey: "osProfileRepo",
            defaultValue: "edge-orch/en/files/os-profile/",
            help: "repository prefix of the OS profiles (one repository per profile below it)"
        ) { config, value throws(ConfigurationError) in config.osProfileRepo = value },
        Key(
            flag: "--os-profile-revision",
            environment: "DAY2_OS_PROFILE_REVISION",
            fileKey: "osProfileRevision",
            defaultValue: "",
            help: "profile tag to read: an exact tag (`0.11.5`, `main`) or `~X.Y.Z` (same major and minor, patch ≥ Z)"
        ) { config, value throws(ConfigurationError) in
            config.osProfileRevision = value.trimmingCharacters(in: .whitespaces)
        },
        Key(
            flag: "--enabled-profiles",
            environment: "DAY2_ENABLED_PROFILES",
            fileKey: "enabledProfiles",
            defaultValue: "",
            help: "comma-separated OS profile names to read, e.g. `microvisor-nonrt,ubuntu-22.04-lts-generic`"
        ) { config, value throws(ConfigurationError) in
            config.enabledProfiles = value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
                .filter { !$0.isEmpty }
        },
        Key(
            flag: "--osrm-period",
            environment: "DAY2_OSRM_PERIOD",
            fileKey: "osrmPeriod",
            defaultValue: "12h",
            help:
                "time between full OS resource reconciles (`12h`, `30m`, `90s`, `1h30m` or seconds); new projects are reconciled within a minute"
        ) { config, value throws(ConfigurationError) in
            guard let seconds = durationSeconds(value), seconds >= 1 else {
                throw ConfigurationError(key: "osrmPeriod", rule: "must be a duration such as 12h, 30m, 90s or 1h30m")
            }
            config.osrmPeriodSeconds = seconds
        },
        Key(
            flag: "--osrm-auto-link",
            environment: "DAY2_OSRM_AUTO_LINK",
            fileKey: "osrmAutoLink",
            defaultValue: "false",
            help: "automatic mode: link immutable instances without a policy to a project-wide LATEST policy"
        ) { config, value throws(ConfigurationError) in
            switch value.lowercased() {
            case "true", "1", "yes": config.osrmAutoLink = true
            case "false", "0", "no", "": config.osrmAutoLink = false
            default: throw ConfigurationError(key: "osrmAutoLink", rule: "must be true or false")
            }
        },
        Key(
            flag: "--release-dir",
            environment: "DAY2_RELEASE_DIR",
            fileKey: "releaseDir",
            defaultValue: "",
            help: "folder of the built-in Release Service: served at /release/files/, its OS profiles at /v2/"
        ) { config, value throws(ConfigurationError) in config.releaseDirectory = value },
    ]

    /// Seconds in `12h`, `30m`, `90s`, `1h30m`, `90d` or a plain number of seconds.
    public static func durationSeconds(_ text: String) -> Int? {
        if let plain = Int(text) { return plain }
        var total = 0
        var number = ""
        for character in text {
            if character.isASCII, character.isNumber {
                number.append(character)
                continue
            }
            guard let value = Int(number) else { return nil }
            switch character {
            case "d": total += value * 86400
            case "h": total += value * 3600
            case "m": total += value * 60
            case "s": total += value
            default: return nil
            }
            number = ""
        }
        return number.isEmpty && total > 0 ? total : nil
    }

    private static func port(_ text: String, key: String) throws(ConfigurationError) -> Int {
        guard let number = Int(text), (0...65535).contains(number) else {
            throw ConfigurationError(key: key, rule: "must be a port number 0..65535, got \"\(text)\"")
        }
        return number
    }

    /// Resolves every key: `flags` (by flag name, only those given) over `environment` over the JSON file over
    /// `defaults` (a command such as `demo` may start from other defaults than `serve`).
    ///
    /// The file is named by `configFile`, or else by `DAY2_CONFIG` in `environment`.
    public static func resolve(
        flags: [String: String],
        environment: [String: String],
        configFile: String? = nil,
        defaults: OrchestratorConfiguration = OrchestratorConfiguration()
    ) throws(ConfigurationError) -> OrchestratorConfiguration {
        var file: [String: String] = [:]
        if let path = configFile ?? environment["DAY2_CONFIG"] {
            file = try readFile(path)
            let known = Set(allKeys.map(\.fileKey))
            if let unknown = file.keys.sorted().first(where: { !known.contains($0) }) {
                throw ConfigurationError(key: unknown, rule: "is not a configuration key (\(path))")
            }
        }
        var configuration = defaults
        for key in allKeys {
            if let value = flags[key.flag] ?? environment[key.environment] ?? file[key.fileKey] {
                try key.apply(&configuration, value)
            }
        }
        if configuration.grpcTLSCert.isEmpty != configuration.grpcTLSKey.isEmpty {
            throw ConfigurationError(key: "grpcTlsCert", rule: "--grpc-tls-cert and --grpc-tls-key go together")
        }
        if configuration.httpTLSCert.isEmpty != configuration.httpTLSKey.isEmpty {
            throw ConfigurationError(key: "httpTlsCert", rule: "--http-tls-cert and --http-tls-key go together")
        }
        // Check the OS Resource Manager settings now (with a stand-in port for the built-in Release Service).
        _ = try configuration.releaseSources(builtInPort: 1)
        return configuration
    }

    private static func readFile(_ path: String) throws(ConfigurationError) -> [String: String] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigurationError(key: "config", rule: "cannot read \(path)")
        }
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw ConfigurationError(key: "config", rule: "\(path) must hold a JSON object")
        }
        var result: [String: String] = [:]
        for (key, value) in object {
            switch value {
            case let string as String: result[key] = string
            case let number as NSNumber: result[key] = number.stringValue
            default: throw ConfigurationError(key: key, rule: "must be a string or a number in \(path)")
            }
        }
        return result
    }
}

/// A configuration value that breaks its rule, naming the key.
public struct ConfigurationError: Error, Sendable, CustomStringConvertible {
    /// The key (file spelling).
    public var key: String
    /// What is wrong.
    public var rule: String

    /// Creates the error.
    public init(key: String, rule: String) {
        self.key = key
        self.rule = rule
    }

    /// `configuration key: rule`.
    public var description: String { "configuration \(key): \(rule)" }
}

extension OrchestratorConfiguration {
    /// Whether the OS Resource Manager runs: a Release Service is named (or built in) and, for the built-in one, a
    /// revision and profiles are given.
    public var runsOSResourceManager: Bool {
        !releaseServiceURL.isEmpty
            || (!releaseDirectory.isEmpty && !osProfileRevision.isEmpty && !enabledProfiles.isEmpty)
    }

    /// The built-in Release Service as the OS Resource Manager reaches it, on the HTTP port actually bound.
    public func builtInReleaseEndpoint(port: Int) throws -> RegistryEndpoint {
        let wildcard = ["", "0.0.0.0", "::", "[::]"].contains(httpHost)
        let host =
            wildcard ? "127.0.0.1" : (httpHost.contains(":") && !httpHost.hasPrefix("[") ? "[\(httpHost)]" : httpHost)
        let scheme = httpTLSCert.isEmpty ? "http" : "https"
        // The orchestrator's own listener: its certificate (often for a public name, signed by a CA the process need
        // not trust) is not checked on this loopback connection.
        return try RegistryEndpoint(baseURL: "\(scheme)://\(host):\(port)", verifiesCertificate: false)
    }

    /// Where each project's OS profiles come from, or nil when the OS Resource Manager does not run.
    public func releaseSources(builtInPort: Int) throws(ConfigurationError) -> ReleaseSourceMap? {
        guard runsOSResourceManager else { return nil }
        do {
            let sources = try ReleaseSourceMap.parse(
                releaseServiceURL,
                repositoryPrefix: osProfileRepo,
                revision: osProfileRevision,
                profiles: enabledProfiles,
                builtIn: releaseDirectory.isEmpty ? nil : try builtInReleaseEndpoint(port: builtInPort)
            )
            return sources.isEmpty ? nil : sources
        } catch let error as OSResourceManagerError {
            let keys = ["releaseServiceUrl", "osProfileRepo", "osProfileRevision", "enabledProfiles"]
            if let colon = error.message.range(of: ": "), keys.contains(String(error.message[..<colon.lowerBound])) {
                throw ConfigurationError(
                    key: String(error.message[..<colon.lowerBound]),
                    rule: String(error.message[colon.upperBound...])
                )
            }
            throw ConfigurationError(key: "releaseServiceUrl", rule: error.message)
        } catch {
            throw ConfigurationError(key: "releaseServiceUrl", rule: "\(error)")
        }
    }
}
