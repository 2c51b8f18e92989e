import ArgumentParser
import Foundation
import Logging
import ServiceLifecycle
import UnixSignals

/// `day2-fleetsim`: the command line. Every option is text here and is checked by `FleetOption` (so a flag and its
/// `DAY2_FLEETSIM_…` variable follow one rule and one message); flags win over the environment, which wins over
/// the defaults.
public struct FleetSimCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "day2-fleetsim",
        abstract: "Simulated edge nodes running the real Day2 agent against an orchestrator, many per process.",
        discussion: """
            Each node is the real agent core (UpdateAgent) on an in-memory simulated node (files, A/B slots, boot \
            loader); nodes are tasks, not threads, and share a few HTTP/2 connections. Image transfers and reboots \
            are simulated (they take --download-time and --reboot-time); every downloaded image is still hashed and \
            checked against the SHA-256 the Maintenance Manager sent.

            Every option may also be set with the environment variable named in its help; a flag wins over the \
            variable, the variable over the default. The REST password comes from --password-file or \
            \(FleetOption.passwordVariable). Progress is printed every --progress-interval, a summary at the end \
            (and as JSON with --summary-file). Details: docs/fleetsim.md.

            Example (register 1,000 nodes, open a window in two minutes, stop when all are done): \
            day2-fleetsim --nodes 1000 --register --window-in 2m --password-file pw \
            --jwt-secret-file .day2/jwt-secret --exit-when-settled
            """
    )

    static func help(_ name: String) -> ArgumentHelp {
        let option = FleetOption.named(name)
        return ArgumentHelp(option.helpText, valueName: option.valueName)
    }

    @Option(help: help("nodes")) var nodes: String?
    @Option(help: help("grpc-address")) var grpcAddress: String?
    @Option(help: help("url")) var url: String?
    @Option(help: help("ca-file")) var caFile: String?
    @Option(help: help("project")) var project: String?
    @Option(help: help("username")) var username: String?
    @Option(help: help("password-file")) var passwordFile: String?
    @Option(help: help("realm")) var realm: String?
    @Option(help: help("agent-token-file")) var agentTokenFile: String?
    @Option(help: help("jwt-secret-file")) var jwtSecretFile: String?
    @Flag(inversion: .prefixedNo, help: help("register")) var register: Bool?
    @Option(help: help("region")) var region: String?
    @Option(help: help("hosts-per-site")) var hostsPerSite: String?
    @Option(help: help("name-prefix")) var namePrefix: String?
    @Option(help: help("register-concurrency")) var registerConcurrency: String?
    @Option(help: help("window-in")) var windowIn: String?
    @Option(help: help("window-length")) var windowLength: String?
    @Option(help: help("poll-interval")) var pollInterval: String?
    @Option(help: help("ramp-up")) var rampUp: String?
    @Option(help: help("jitter")) var jitter: String?
    @Option(help: help("poll-timeout")) var pollTimeout: String?
    @Option(help: help("download-time")) var downloadTime: String?
    @Option(help: help("immediate-download-window")) var immediateDownloadWindow: String?
    @Option(help: help("download-window")) var downloadWindow: String?
    @Option(help: help("reboot-time")) var rebootTime: String?
    @Option(help: help("image-size")) var imageSize: String?
    @Option(help: help("failure-rate")) var failureRate: String?
    @Option(help: help("connections")) var connections: String?
    @Option(help: help("duration")) var duration: String?
    @Flag(inversion: .prefixedNo, help: help("exit-when-settled")) var exitWhenSettled: Bool?
    @Option(help: help("progress-interval")) var progressInterval: String?
    @Option(help: help("summary-file")) var summaryFile: String?
    @Option(help: help("log-level")) var logLevel: String?
    @Option(help: help("agent-log-level")) var agentLogLevel: String?

    /// Creates the command (ArgumentParser needs it).
    public init() {}

    /// The options given on the command line, by option name.
    var flags: [String: String] {
        let values: [String: String?] = [
            "nodes": nodes, "grpc-address": grpcAddress, "url": url, "ca-file": caFile, "project": project,
            "username": username, "password-file": passwordFile, "realm": realm, "agent-token-file": agentTokenFile,
            "jwt-secret-file": jwtSecretFile, "register": register.map { $0 ? "true" : "false" }, "region": region,
            "hosts-per-site": hostsPerSite, "name-prefix": namePrefix, "register-concurrency": registerConcurrency,
            "window-in": windowIn, "window-length": windowLength, "poll-interval": pollInterval, "ramp-up": rampUp,
            "jitter": jitter,
            "poll-timeout": pollTimeout, "download-time": downloadTime, "reboot-time": rebootTime,
            "immediate-download-window": immediateDownloadWindow, "download-window": downloadWindow,
            "image-size": imageSize, "failure-rate": failureRate, "connections": connections, "duration": duration,
            "exit-when-settled": exitWhenSettled.map { $0 ? "true" : "false" },
            "progress-interval": progressInterval, "summary-file": summaryFile, "log-level": logLevel,
            "agent-log-level": agentLogLevel,
        ]
        return values.compactMapValues { $0 }
    }

    /// The configuration from these flags and `environment`.
    public func resolved(environment: [String: String]) throws(FleetError) -> FleetConfiguration {
        try FleetConfiguration.resolve(flags: flags, environment: environment)
    }

    /// Checks each flag's value (the environment and the rules between options are checked by `run`).
    public func validate() throws {
        do {
            _ = try FleetConfiguration.resolve(flags: flags, environment: [:], checkCombinations: false)
        } catch {
            throw ValidationError(error.message)
        }
    }

    public func run() async throws {
        let configuration = try resolved(environment: ProcessInfo.processInfo.environment)
        var logger = Logger(label: "day2-fleetsim")
        logger.logLevel = configuration.logLevel
        var agentLogger = Logger(label: "day2-fleetsim.agent")
        agentLogger.logLevel = configuration.agentLogLevel
        let simulator = FleetSimulator(
            configuration: configuration,
            console: .standardOutput(),
            logger: logger,
            agentLogger: agentLogger
        )
        let group = ServiceGroup(
            configuration: .init(
                services: [.init(service: simulator, successTerminationBehavior: .gracefullyShutdownGroup)],
                gracefulShutdownSignals: [.sigterm, .sigint],
                logger: logger
            )
        )
        try await group.run()
    }
}
