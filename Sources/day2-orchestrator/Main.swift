import ArgumentParser
import Demo
import Foundation
import Logging
import Metrics
import OSResourceManager
import Orchestrator
import Prometheus
import ReleaseService
import ServiceLifecycle
import UnixSignals

/// `day2-orchestrator`: the Day2 control plane in one binary.
@main
struct Day2Orchestrator: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "day2-orchestrator",
        abstract: "The Day2 control plane: Inventory, Maintenance Manager, REST API and Web UI in one process.",
        subcommands: [
            Serve.self, DemoCommand.self, Seed.self, Bench.self, HashPassword.self, OpenAPI.self, Release.self,
            AgentToken.self,
        ],
        defaultSubcommand: Serve.self
    )
}

/// The options every subcommand that starts the control plane accepts (flags > DAY2_* > config file > defaults).
struct ServerOptions: ParsableArguments {
    @Option(name: .customLong("config"), help: "JSON configuration file (or DAY2_CONFIG)")
    var configFile: String?
    @Option(
        name: .customLong("data-dir"),
        help: "Folder for the SQLite file and local state (DAY2_DATA_DIR, default ./.day2)"
    )
    var dataDir: String?
    @Option(help: "sqlite, sqlite:/path/file.sqlite or postgres://user:pw@host:5432/db (DAY2_DATABASE, default sqlite)")
    var database: String?
    @Option(name: .customLong("http-host"), help: "HTTP bind address (DAY2_HTTP_HOST, default 127.0.0.1)")
    var httpHost: String?
    @Option(name: .customLong("http-port"), help: "HTTP port, 0 = any free port (DAY2_HTTP_PORT, default 8080)")
    var httpPort: String?
    @Option(name: .customLong("grpc-host"), help: "gRPC bind address (DAY2_GRPC_HOST, default 127.0.0.1)")
    var grpcHost: String?
    @Option(name: .customLong("grpc-port"), help: "Southbound gRPC port (DAY2_GRPC_PORT, default 50002)")
    var grpcPort: String?
    @Option(
        name: .customLong("log-level"),
        help: "trace|debug|info|notice|warning|error|critical (DAY2_LOG_LEVEL, default info)"
    )
    var logLevel: String?
    @Option(
        name: .customLong("default-project"),
        help: "Project created when none exists (DAY2_DEFAULT_PROJECT, default default)"
    )
    var defaultProject: String?
    @Option(
        name: .customLong("jwt-secret"),
        help: "HS256 token secret, 32+ bytes (DAY2_JWT_SECRET, default: generated into the data folder)"
    )
    var jwtSecret: String?
    @Option(name: .customLong("jwt-jwks-url"), help: "JWKS URL of an external token issuer (DAY2_JWT_JWKS_URL)")
    var jwtJWKSURL: String?
    @Option(name: .customLong("grpc-tls-cert"), help: "PEM certificate chain for gRPC TLS (DAY2_GRPC_TLS_CERT)")
    var grpcTLSCert: String?
    @Option(name: .customLong("grpc-tls-key"), help: "PEM private key for gRPC TLS (DAY2_GRPC_TLS_KEY)")
    var grpcTLSKey: String?
    @Option(
        name: .customLong("commit-deadline"),
        help: "Seconds an update run may go without a report (DAY2_COMMIT_DEADLINE, default 7200)"
    )
    var commitDeadline: String?
    @Option(
        name: .customLong("max-concurrent-polls"),
        help: "Agent polls served at once, more are refused UNAVAILABLE (DAY2_MAX_CONCURRENT_POLLS, default 5000)"
    )
    var maxConcurrentPolls: String?
    @Option(
        name: .customLong("rollout-interval"),
        help: "Seconds between two passes of the rollout controller (DAY2_ROLLOUT_INTERVAL, default 5)"
    )
    var rolloutInterval: String?
    @Option(
        name: .customLong("admin-password"),
        help: "Password of the token endpoint's admin user (DAY2_ADMIN_PASSWORD, default: generated, printed once)"
    )
    var adminPassword: String?
    @Option(name: .customLong("users-file"), help: "JSON file of further token-endpoint users (DAY2_USERS_FILE)")
    var usersFile: String?
    @Option(
        name: .customLong("token-lifetime"),
        help: "Seconds issued tokens are valid (DAY2_TOKEN_LIFETIME, default 3600)"
    )
    var tokenLifetime: String?
    @Option(name: .customLong("http-tls-cert"), help: "PEM certificate chain for HTTPS (DAY2_HTTP_TLS_CERT)")
    var httpTLSCert: String?
    @Option(name: .customLong("http-tls-key"), help: "PEM private key for HTTPS (DAY2_HTTP_TLS_KEY)")
    var httpTLSKey: String?
    @Option(
        name: .customLong("release-service-url"),
        help: "OCI registry of the OS profiles, plus PROJECT=URL overrides (DAY2_RELEASE_SERVICE_URL)"
    )
    var releaseServiceURL: String?
    @Option(
        name: .customLong("os-profile-repo"),
        help: "Repository prefix of the OS profiles (DAY2_OS_PROFILE_REPO, default edge-orch/en/files/os-profile/)"
    )
    var osProfileRepo: String?
    @Option(
        name: .customLong("os-profile-revision"),
        help: "Profile tag to read, exact or ~X.Y.Z (DAY2_OS_PROFILE_REVISION)"
    )
    var osProfileRevision: String?
    @Option(name: .customLong("enabled-profiles"), help: "Comma-separated OS profile names (DAY2_ENABLED_PROFILES)")
    var enabledProfiles: String?
    @Option(
        name: .customLong("osrm-period"),
        help: "Time between full OS resource reconciles, e.g. 12h, 30m (DAY2_OSRM_PERIOD, default 12h)"
    )
    var osrmPeriod: String?
    @Flag(
        name: .customLong("osrm-auto-link"),
        inversion: .prefixedNo,
        help: "Link immutable instances without a policy to a LATEST policy (DAY2_OSRM_AUTO_LINK, default off)"
    )
    var osrmAutoLink: Bool?
    @Option(
        name: .customLong("release-dir"),
        help: "Folder of the built-in Release Service, served at /release/files/ and /v2/ (DAY2_RELEASE_DIR)"
    )
    var releaseDir: String?

    /// The flags that were given, by flag name.
    var givenFlags: [String: String] {
        let pairs: [(String, String?)] = [
            ("--data-dir", dataDir), ("--database", database), ("--http-host", httpHost), ("--http-port", httpPort),
            ("--grpc-host", grpcHost), ("--grpc-port", grpcPort), ("--log-level", logLevel),
            ("--default-project", defaultProject), ("--jwt-secret", jwtSecret), ("--jwt-jwks-url", jwtJWKSURL),
            ("--grpc-tls-cert", grpcTLSCert), ("--grpc-tls-key", grpcTLSKey), ("--commit-deadline", commitDeadline),
            ("--max-concurrent-polls", maxConcurrentPolls), ("--rollout-interval", rolloutInterval),
            ("--admin-password", adminPassword), ("--users-file", usersFile), ("--token-lifetime", tokenLifetime),
            ("--http-tls-cert", httpTLSCert), ("--http-tls-key", httpTLSKey),
            ("--release-service-url", releaseServiceURL), ("--os-profile-repo", osProfileRepo),
            ("--os-profile-revision", osProfileRevision), ("--enabled-profiles", enabledProfiles),
            ("--osrm-period", osrmPeriod), ("--osrm-auto-link", osrmAutoLink.map { $0 ? "true" : "false" }),
            ("--release-dir", releaseDir),
        ]
        return Dictionary(uniqueKeysWithValues: pairs.compactMap { name, value in value.map { (name, $0) } })
    }

    /// The resolved configuration (starting from `defaults`), or a validation error naming the flag when the value
    /// came from a flag, otherwise the key.
    func resolve(defaults: OrchestratorConfiguration = OrchestratorConfiguration()) throws -> OrchestratorConfiguration
    {
        do {
            return try OrchestratorConfiguration.resolve(
                flags: givenFlags,
                environment: ProcessInfo.processInfo.environment,
                configFile: configFile,
                defaults: defaults
            )
        } catch {
            if let key = OrchestratorConfiguration.allKeys.first(where: { $0.fileKey == error.key }),
                givenFlags[key.flag] != nil
            {
                throw ValidationError("\(key.flag) (\(key.fileKey)): \(error.rule)")
            }
            throw ValidationError(error.description)
        }
    }
}

/// Starts the logging system once, at the configured level.
func bootstrapLogging(level: Logger.Level) -> Logger {
    LoggingSystem.bootstrap { label in
        var handler = StreamLogHandler.standardError(label: label)
        handler.logLevel = level
        return handler
    }
    var logger = Logger(label: "day2.orchestrator")
    logger.logLevel = level
    return logger
}

/// `day2-orchestrator serve`: run the control plane until SIGTERM/SIGINT.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the control plane until SIGTERM or SIGINT.")

    @OptionGroup var options: ServerOptions

    func run() async throws {
        let configuration = try options.resolve()
        let logger = bootstrapLogging(level: configuration.logLevel)
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        let service = OrchestratorService(configuration: configuration, logger: logger, registry: registry)
        let group = ServiceGroup(
            configuration: .init(services: [service], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        )
        try await group.run()
    }
}

/// `day2-orchestrator demo`: the control plane and a fleet of simulated edge nodes in one process, an OS update
/// rolled out to them, then serving until SIGTERM/SIGINT.
struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run the control plane with simulated edge nodes in one process and watch an OS update roll out.",
        discussion: """
            Publishes two versions of an immutable OS profile and an Ubuntu profile to the built-in Release Service, \
            creates regions, sites, hosts, policies and a maintenance window, starts the simulated nodes (the real \
            agent core over gRPC and HTTP on loopback), shows the rollout, then prints where to look and serves \
            until Ctrl-C. Every flag of `serve` is accepted, with two other defaults: --data-dir is ./day2-demo \
            (emptied at every start, only when an earlier demo made it) and --log-level is warning (info or more \
            verbose also shows the nodes' logs). --database, --release-service-url, --os-profile-revision, \
            --enabled-profiles and the TLS flags are the demo's own and are refused.
            """
    )

    @OptionGroup var options: ServerOptions
    @Option(
        name: .customLong("nodes"),
        help: "Simulated edge nodes, two thirds immutable and one third Ubuntu (default 50, at most 1000)"
    )
    var nodes: String?
    @Option(
        name: .customLong("fail-nodes"),
        help: "Immutable nodes that fail their first boot of the new image and roll back (default 0)"
    )
    var failNodes: String?
    @Option(
        name: .customLong("window-in"),
        help: "Time until the maintenance window opens, e.g. 10s or 2m (default 30s)"
    )
    var windowIn: String?
    @Option(
        name: .customLong("poll-interval"),
        help: "How often each simulated agent polls, e.g. 5s or 500ms (default 5s)"
    )
    var pollInterval: String?

    func run() async throws {
        let configuration = try options.resolve(defaults: .demoDefaults)
        let pairs: [(String, String?)] = [
            ("--nodes", nodes), ("--fail-nodes", failNodes), ("--window-in", windowIn),
            ("--poll-interval", pollInterval),
        ]
        let flags = Dictionary(uniqueKeysWithValues: pairs.compactMap { name, value in value.map { (name, $0) } })
        let service: DemoService
        let logger: Logger
        let registry = PrometheusCollectorRegistry()
        do {
            let settings = try DemoSettings(flags: flags)
            // Checked before logging starts, so a bad flag is the only thing printed.
            _ = try configuration.preparedForDemo()
            logger = bootstrapLogging(level: configuration.logLevel)
            service = try DemoService(
                configuration: configuration,
                settings: settings,
                logger: logger,
                registry: registry
            )
        } catch {
            throw ValidationError(error.description)
        }
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        let group = ServiceGroup(
            configuration: .init(services: [service], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        )
        try await group.run()
    }
}

/// `day2-orchestrator bench …`: reproducible benchmarks that print ratios against a baseline of the same run.
struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a benchmark and print throughput, p50/p99, memory and the ratio to a baseline.",
        subcommands: [BenchStore.self, BenchSouthbound.self, BenchRollout.self]
    )
}

/// `day2-orchestrator bench store`.
struct BenchStore: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "store",
        abstract: "Inventory hot path and filtered pages on a synthetic fleet, against SELECT 1."
    )

    @Option(help: "sqlite (a fresh temporary file), sqlite:/path/file.sqlite, or a postgres:// URL")
    var database: String = "sqlite"
    @Option(help: "Hosts (each with an instance)")
    var hosts: Int = 100_000
    @Option(help: "Schedules on sites and regions")
    var schedules: Int = 1_000
    @Option(help: "Seconds to measure each operation")
    var seconds: Int = 5
    @Option(help: "Concurrent workers")
    var workers: Int = 2

    func run() async throws {
        var benchmark = StoreBenchmark()
        benchmark.hosts = hosts
        benchmark.schedules = schedules
        benchmark.seconds = seconds
        benchmark.workers = workers
        try await StoreBenchmarkRunner.run(benchmark, database: database, logger: Logger(label: "day2.bench"))
    }
}

/// `day2-orchestrator seed …`: put sample data in the store.
struct Seed: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Put sample data into the store (for trying Day2 out and for tests).",
        subcommands: [SeedExample.self]
    )
}

/// `day2-orchestrator seed example`: a two-node fleet with policies, a newer image and a window; prints JSON.
struct SeedExample: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "example",
        abstract:
            "Create an immutable and a mutable node with policies, a newer image and a window; print what was made as JSON."
    )

    @OptionGroup var options: ServerOptions

    func run() async throws {
        let configuration = try options.resolve()
        var logger = Logger(label: "day2.seed")
        logger.logLevel = .warning
        print(try await ExampleFleet.seed(configuration: configuration, logger: logger))
    }
}

/// `day2-orchestrator bench southbound`.
struct BenchSouthbound: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "southbound",
        abstract: "Agents polling the Maintenance Manager over real gRPC connections, against an empty handler."
    )

    @Option(help: "sqlite (a fresh temporary file), sqlite:/path/file.sqlite, or a postgres:// URL")
    var database: String = "sqlite"
    @Option(help: "Hosts in the fleet")
    var hosts: Int = 100_000
    @Option(help: "Seconds to measure each handler")
    var seconds: Int = 10
    @Option(help: "HTTP/2 connections from the load client")
    var connections: Int = 4
    @Option(help: "Calls in flight per connection")
    var concurrency: Int = 16
    @Flag(inversion: .prefixedNo, help: "Also measure polls that each report a new status (a write per poll)")
    var statusChanges = true
    @Flag(
        inversion: .prefixedNo,
        help: "Also measure polls of hosts owned by a running rollout, and time the rollout's preview and creation"
    )
    var rollout = true

    func run() async throws {
        var benchmark = SouthboundBenchmark()
        benchmark.statusChanges = statusChanges
        benchmark.rollout = rollout
        benchmark.hosts = hosts
        benchmark.seconds = seconds
        benchmark.connections = connections
        benchmark.concurrency = concurrency
        let configured = benchmark
        try await StoreBenchmarkRunner.withStore(database: database, logger: Logger(label: "day2.bench")) {
            store,
            label in
            try await configured.run(store: store, label: label, logger: Logger(label: "day2.bench")) { print($0) }
        }
    }
}

/// `day2-orchestrator bench rollout`.
struct BenchRollout: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rollout",
        abstract: "Preview, create and cancel a rollout over the whole fleet, against reading every host."
    )

    @Option(help: "sqlite (a fresh temporary file), sqlite:/path/file.sqlite, or a postgres:// URL")
    var database: String = "sqlite"
    @Option(help: "Hosts in the fleet")
    var hosts: Int = 100_000
    @Option(help: "Times each operation is measured")
    var repetitions: Int = 3

    func run() async throws {
        var benchmark = RolloutBenchmark()
        benchmark.hosts = hosts
        benchmark.repetitions = max(1, repetitions)
        let configured = benchmark
        try await StoreBenchmarkRunner.withStore(database: database, logger: Logger(label: "day2.bench")) {
            store,
            label in
            try await configured.run(store: store, label: label) { print($0) }
        }
    }
}

/// `day2-orchestrator hash-password`: prints the stored form of a password for a users file.
struct HashPassword: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "hash-password",
        abstract: "Print the hash of a password (read from standard input) for the users file."
    )

    func run() throws {
        guard let password = readLine(strippingNewline: true), !password.isEmpty else {
            throw ValidationError("give the password on standard input")
        }
        print(UserDirectoryLoader.hash(password))
    }
}

/// `day2-orchestrator openapi`: prints the OpenAPI document the server serves at `/openapi.yaml`.
struct OpenAPI: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "openapi",
        abstract: "Print the OpenAPI 3.1 document of the REST API (YAML), as served at /openapi.yaml."
    )

    func run() throws {
        print(OrchestratorDocuments.openAPIYAML, terminator: "")
    }
}

/// `day2-orchestrator release …`: manage the built-in Release Service's folder.
struct Release: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Manage the folder of the built-in Release Service.",
        subcommands: [ReleasePublish.self]
    )
}

/// `day2-orchestrator release publish PROFILE.yaml [IMAGE]`: add a profile (and its image) to the release folder.
struct ReleasePublish: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "publish",
        abstract:
            "Check an OS profile, copy its image (and package manifest, CVE lists) into the release folder, and publish the profile as an OCI artifact tagged with the revision."
    )

    @Argument(help: "The profile YAML (its file name, e.g. microvisor-nonrt.yaml, becomes the layer title)")
    var profile: String
    @Argument(help: "The image file; copied to the profile's osImageUrl path and checked against osImageSha256")
    var image: String?
    @Option(name: .customLong("release-dir"), help: "The release folder (DAY2_RELEASE_DIR)")
    var releaseDir: String?
    @Option(help: "The tag (revision), default: the profile's metadata.release")
    var tag: String?
    @Option(
        name: .customLong("os-profile-repo"),
        help: "Repository prefix (DAY2_OS_PROFILE_REPO, default edge-orch/en/files/os-profile/)"
    )
    var osProfileRepo: String?
    @Option(name: .customLong("package-manifest"), help: "File to copy to the profile's osPackageManifestURL path")
    var packageManifest: String?
    @Option(name: .customLong("existing-cves"), help: "File to copy to the profile's osExistingCvesURL path")
    var existingCVEs: String?
    @Option(name: .customLong("fixed-cves"), help: "File to copy to the profile's osFixedCvesURL path")
    var fixedCVEs: String?

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        guard let directory = releaseDir ?? environment["DAY2_RELEASE_DIR"], !directory.isEmpty else {
            throw ValidationError("give the release folder with --release-dir (or DAY2_RELEASE_DIR)")
        }
        let prefix = osProfileRepo ?? environment["DAY2_OS_PROFILE_REPO"] ?? "edge-orch/en/files/os-profile/"
        guard let data = FileManager.default.contents(atPath: profile) else {
            throw ValidationError("cannot read \(profile)")
        }
        let title = (profile as NSString).lastPathComponent
        let parsed: OSProfile
        do {
            parsed = try OSProfile.parse(String(decoding: data, as: UTF8.self), file: title)
        } catch {
            throw ValidationError("\(error)")
        }
        guard title == parsed.profileName + ".yaml" else {
            throw ValidationError(
                "\(title): spec.profileName: is \(parsed.profileName); name the file \(parsed.profileName).yaml"
            )
        }
        guard let revision = tag ?? parsed.metadata["release"], !revision.isEmpty else {
            throw ValidationError("give the tag with --tag (the profile has no metadata.release)")
        }
        var copies: [ReleaseFolder.FileCopy] = []
        if let image {
            copies.append(
                .init(source: image, destination: parsed.imageURL, sha256: parsed.imageSHA256, field: "spec.osImageUrl")
            )
        }
        let extras: [(String?, String, String)] = [
            (packageManifest, parsed.packageManifestURL, "spec.osPackageManifestURL"),
            (existingCVEs, parsed.existingCVEsURL, "spec.osExistingCvesURL"),
            (fixedCVEs, parsed.fixedCVEsURL, "spec.osFixedCvesURL"),
        ]
        for (source, destination, field) in extras {
            guard let source else { continue }
            guard !destination.isEmpty else {
                throw ValidationError("\(title): \(field) is empty, so \(source) has no place")
            }
            copies.append(.init(source: source, destination: destination, field: field))
        }
        let published: ReleaseFolder.Published
        do {
            published = try ReleaseFolder(path: directory).publish(
                profile: Array(data),
                title: title,
                repository: prefix + parsed.profileName,
                tag: revision,
                files: copies
            )
        } catch {
            throw ValidationError("\(error)")
        }
        print("published \(published.repository):\(published.tag) \(published.manifestDigest)")
        for file in published.files { print("  file \(file)") }
    }
}
