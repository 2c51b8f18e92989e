import ArgumentParser
import Foundation
import Logging
import Metrics
import Orchestrator
import Prometheus
import ServiceLifecycle
import UnixSignals

/// `day2-orchestrator`: the Day2 control plane in one binary.
@main
struct Day2Orchestrator: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "day2-orchestrator",
        abstract: "The Day2 control plane: Inventory, Maintenance Manager, REST API and Web UI in one process.",
        subcommands: [Serve.self, Seed.self, Bench.self, HashPassword.self, OpenAPI.self],
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

    /// The flags that were given, by flag name.
    var givenFlags: [String: String] {
        let pairs: [(String, String?)] = [
            ("--data-dir", dataDir), ("--database", database), ("--http-host", httpHost), ("--http-port", httpPort),
            ("--grpc-host", grpcHost), ("--grpc-port", grpcPort), ("--log-level", logLevel),
            ("--default-project", defaultProject), ("--jwt-secret", jwtSecret), ("--jwt-jwks-url", jwtJWKSURL),
            ("--grpc-tls-cert", grpcTLSCert), ("--grpc-tls-key", grpcTLSKey), ("--commit-deadline", commitDeadline),
            ("--admin-password", adminPassword), ("--users-file", usersFile), ("--token-lifetime", tokenLifetime),
            ("--http-tls-cert", httpTLSCert), ("--http-tls-key", httpTLSKey),
        ]
        return Dictionary(uniqueKeysWithValues: pairs.compactMap { name, value in value.map { (name, $0) } })
    }

    /// The resolved configuration, or a validation error naming the key.
    func resolve() throws -> OrchestratorConfiguration {
        do {
            return try OrchestratorConfiguration.resolve(
                flags: givenFlags,
                environment: ProcessInfo.processInfo.environment,
                configFile: configFile
            )
        } catch {
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

/// `day2-orchestrator bench …`: reproducible benchmarks that print ratios against a baseline of the same run.
struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a benchmark and print throughput, p50/p99, memory and the ratio to a baseline.",
        subcommands: [BenchStore.self, BenchSouthbound.self]
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

    func run() async throws {
        var benchmark = SouthboundBenchmark()
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
