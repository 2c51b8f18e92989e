import AgentCore
import AgentLinux
import ArgumentParser
import Logging
import ServiceLifecycle
import UnixSignals

/// `day2-agent`: the Platform Update Agent.
@main
struct Day2Agent: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "day2-agent",
        abstract:
            "Day2 Platform Update Agent: applies OS updates from the Maintenance Manager inside maintenance windows.",
        subcommands: [Run.self, Bench.self],
        defaultSubcommand: Run.self
    )
}

/// The agent itself.
struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "run", abstract: "Run the agent (the default).")

    @Option(name: .long, help: "The YAML configuration file.")
    var config: String

    @Option(name: .long, help: "Run with simulated OS backends rooted in this folder (slots, boot loader, packages).")
    var simulate: String?

    @Option(name: .long, help: "Skip OS detection: ubuntu, debian or emt.")
    var os: String?

    func run() async throws {
        let configuration = try YAMLConfigurationLoader.load(path: config)
        var logger = Logger(label: "day2-agent")
        logger.logLevel =
            switch configuration.logLevel {
            case "debug": .debug
            case "error": .error
            default: .info
            }
        var forced: NodeOS?
        if let os {
            guard let value = NodeOS(rawValue: os) else { throw ValidationError("--os: must be ubuntu, debian or emt") }
            forced = value
        }
        let service = AgentService(
            configuration: configuration,
            simulateDirectory: simulate,
            forcedOS: forced,
            logger: logger
        )
        let group = ServiceGroup(
            configuration: .init(services: [service], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        )
        try await group.run()
    }
}

/// Benchmarks.
struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Benchmarks: the image pipeline against curl | tee >(sha256sum) > file.",
        subcommands: [Pipeline.self]
    )

    struct Pipeline: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "pipeline",
            abstract: "Download → sha256 → slot file."
        )

        @Option(help: "Image size in MiB.") var megabytes = 512
        @Option(help: "Runs of each (the median is reported).") var runs = 3
        @Option(help: "Folder for the image and slot files.") var folder = "/var/tmp"

        func run() async throws {
            var bench = PipelineBenchmark()
            bench.megabytes = megabytes
            bench.runs = runs
            bench.folder = folder
            try await bench.run { print($0) }
        }
    }
}
