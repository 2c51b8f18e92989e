import AgentCore
import Foundation
import Logging

/// One option of `day2-fleetsim`: its flag, its environment variable, its help and how its text sets the
/// configuration. The table (`all`) is the single place the options are described: `--help`, the environment
/// lookup and docs/fleetsim.md follow it.
public struct FleetOption: Sendable {
    /// The long flag name without dashes (`nodes`).
    public let name: String
    /// What the value looks like in `--help` (nil for an on/off flag).
    public let valueName: String?
    /// What it does.
    public let help: String
    /// The default, as shown in `--help`.
    public let defaultText: String
    /// Sets the configuration from `text`; errors start with `label` (the flag or the variable, as given).
    let apply: @Sendable (inout FleetConfiguration, _ text: String, _ label: String) throws -> Void

    /// `--<name>`.
    public var flag: String { "--" + name }
    /// `DAY2_FLEETSIM_<NAME>`.
    public var environmentVariable: String {
        "DAY2_FLEETSIM_" + name.uppercased().replacingOccurrences(of: "-", with: "_")
    }
    /// The help line: what it does, the variable, the default.
    public var helpText: String { "\(help) (\(environmentVariable); default: \(defaultText))" }

    /// The variable holding the REST password itself (there is no flag for it: command lines are visible to all).
    public static let passwordVariable = "DAY2_FLEETSIM_PASSWORD"

    /// The option named `name`.
    public static func named(_ name: String) -> FleetOption {
        guard let option = all.first(where: { $0.name == name }) else { preconditionFailure("no option \(name)") }
        return option
    }

    /// Every option, in `--help` order.
    public static let all: [FleetOption] = [
        FleetOption(
            name: "nodes",
            valueName: "n",
            help: "Simulated edge nodes (agents) in this process",
            defaultText: "100"
        ) {
            $0.nodes = try integer($1, $2, 1...1_000_000)
        },
        FleetOption(
            name: "grpc-address",
            valueName: "host:port",
            help:
                "The Maintenance Manager (southbound gRPC): host:port or http://host:port for plaintext, https://host:port for TLS",
            defaultText: "127.0.0.1:50002"
        ) { configuration, text, label throws(FleetError) in
            _ = try GRPCTarget(text, label: label)
            configuration.grpcAddress = text
        },
        FleetOption(
            name: "url",
            valueName: "url",
            help: "The orchestrator's REST API (token endpoint, registration, the window)",
            defaultText: "http://127.0.0.1:8080"
        ) { configuration, text, label throws(FleetError) in
            var url = text.trimmingCharacters(in: .whitespaces)
            while url.hasSuffix("/") { url.removeLast() }
            guard let parts = URLComponents(string: url), ["http", "https"].contains(parts.scheme ?? ""),
                parts.host?.isEmpty == false
            else {
                throw .option(
                    label,
                    "must be an http:// or https:// URL such as http://127.0.0.1:8080, got \"\(text)\""
                )
            }
            configuration.url = url
        },
        FleetOption(
            name: "ca-file",
            valueName: "file",
            help: "PEM file of the CA that signed the orchestrator's certificates (HTTPS and gRPC over TLS)",
            defaultText: "the system trust store"
        ) { configuration, text, label throws(FleetError) in
            guard FileManager.default.isReadableFile(atPath: text) else { throw .option(label, "cannot read \(text)") }
            configuration.caFile = text
        },
        FleetOption(name: "project", valueName: "name", help: "Project of the simulated hosts", defaultText: "default")
        {
            $0.project = try nonEmpty($1, $2)
        },
        FleetOption(name: "username", valueName: "name", help: "User of the token endpoint", defaultText: "admin") {
            $0.username = try nonEmpty($1, $2)
        },
        FleetOption(
            name: "password-file",
            valueName: "file",
            help: "File whose first line is the user's password (or put the password in \(passwordVariable))",
            defaultText: "none"
        ) { configuration, text, label throws(FleetError) in
            configuration.password = try firstLine(ofFile: text, label)
        },
        FleetOption(name: "realm", valueName: "name", help: "Realm of the token endpoint", defaultText: "master") {
            $0.realm = try nonEmpty($1, $2)
        },
        FleetOption(
            name: "agent-token-file",
            valueName: "file",
            help: "File holding the agents' bearer token (role <projectUUID>_en-agent-rw), re-read every minute",
            defaultText: "none"
        ) { configuration, text, label throws(FleetError) in
            _ = try firstLine(ofFile: text, label)
            configuration.agentTokenFile = text
        },
        FleetOption(
            name: "jwt-secret-file",
            valueName: "file",
            help: "The orchestrator's HS256 secret (its <data-dir>/jwt-secret): sign the agents' tokens here",
            defaultText: "none"
        ) { configuration, text, label throws(FleetError) in
            let secret = try firstLine(ofFile: text, label)
            guard secret.utf8.count >= 32 else {
                throw .option(label, "the secret in \(text) is shorter than 32 bytes")
            }
            configuration.jwtSecret = secret
        },
        FleetOption(
            name: "register",
            valueName: nil,
            help: "Register the region, sites, OS resources, a policy, hosts and instances through the REST API first",
            defaultText: "off"
        ) { $0.register = try boolean($1, $2) },
        FleetOption(
            name: "region",
            valueName: "name",
            help: "Region of the simulated hosts (created by --register; the target of --window-in)",
            defaultText: "fleetsim"
        ) { $0.region = try nonEmpty($1, $2) },
        FleetOption(
            name: "hosts-per-site",
            valueName: "n",
            help: "Hosts per site when registering",
            defaultText: "1000"
        ) {
            $0.hostsPerSite = try integer($1, $2, 1...100_000)
        },
        FleetOption(
            name: "name-prefix",
            valueName: "text",
            help: "Prefix of host names (<prefix>-000001) and of the host UUIDs derived from it",
            defaultText: "sim"
        ) { configuration, text, label throws(FleetError) in
            let allowed = text.utf8.allSatisfy { (97...122).contains($0) || (48...57).contains($0) || $0 == 45 }
            guard allowed, (1...20).contains(text.utf8.count) else {
                throw .option(label, "must be 1 to 20 characters of a-z, 0-9 and -, got \"\(text)\"")
            }
            configuration.namePrefix = text
        },
        FleetOption(
            name: "register-concurrency",
            valueName: "n",
            help: "REST calls in flight while registering",
            defaultText: "16"
        ) { $0.registerConcurrency = try integer($1, $2, 1...256) },
        FleetOption(
            name: "window-in",
            valueName: "duration",
            help: "Create a region-wide maintenance window that opens this long after the agents start",
            defaultText: "none"
        ) { $0.windowIn = try duration($1, $2, atLeast: 0) },
        FleetOption(
            name: "window-length",
            valueName: "duration",
            help: "Length of that window",
            defaultText: "1h"
        ) { $0.windowLength = try duration($1, $2, atLeast: 60) },
        FleetOption(
            name: "poll-interval",
            valueName: "duration",
            help: "Time between two polls of one agent (its tickerInterval)",
            defaultText: "20s"
        ) { $0.pollInterval = try duration($1, $2, atLeast: 0.1) },
        FleetOption(
            name: "ramp-up",
            valueName: "duration",
            help: "Spread the agents' first polls (each one writes the host's status) evenly over this time",
            defaultText: "the poll interval"
        ) { $0.rampUp = try duration($1, $2, atLeast: 0) },
        FleetOption(
            name: "jitter",
            valueName: "fraction",
            help: "Random spread of every wait (poll interval, download, reboot): 0.1 = ±10 %",
            defaultText: "0.1"
        ) { $0.jitter = try fraction($1, $2, 0...0.9) },
        FleetOption(
            name: "poll-timeout",
            valueName: "duration",
            help: "Deadline of one poll (the agent's pollTimeout)",
            defaultText: "10s"
        ) { $0.pollTimeout = try duration($1, $2, atLeast: 0.1) },
        FleetOption(
            name: "download-time",
            valueName: "duration",
            help: "Time one image download takes (simulated: no image crosses the network)",
            defaultText: "30s"
        ) { $0.downloadTime = try duration($1, $2, atLeast: 0) },
        FleetOption(
            name: "immediate-download-window",
            valueName: "duration",
            help: "The agents' immediateDownloadWindow: a window closer than this is downloaded for at once",
            defaultText: "10m"
        ) { $0.immediateDownloadWindow = try duration($1, $2, atLeast: 1) },
        FleetOption(
            name: "download-window",
            valueName: "duration",
            help: "The agents' downloadWindow: before that, downloads start at a random moment in this span",
            defaultText: "6h"
        ) { $0.downloadWindow = try duration($1, $2, atLeast: 1) },
        FleetOption(
            name: "reboot-time",
            valueName: "duration",
            help: "Time one reboot takes",
            defaultText: "30s"
        ) { $0.rebootTime = try duration($1, $2, atLeast: 0) },
        FleetOption(
            name: "image-size",
            valueName: "bytes",
            help: "Size of the synthetic OS images (4096, 64KiB, 1MiB), hashed by every agent that downloads one",
            defaultText: "64KiB"
        ) { $0.imageSize = try size($1, $2, 1024...(64 << 20)) },
        FleetOption(
            name: "failure-rate",
            valueName: "fraction",
            help: "Fraction of nodes whose new slot fails to boot: they roll back and report FAILED",
            defaultText: "0"
        ) { $0.failureRate = try fraction($1, $2, 0...1) },
        FleetOption(
            name: "connections",
            valueName: "n",
            help: "HTTP/2 connections to the Maintenance Manager, shared by the agents",
            defaultText: "one per 100 nodes, 4 to 1000"
        ) { $0.connections = try integer($1, $2, 1...1000) },
        FleetOption(
            name: "duration",
            valueName: "duration",
            help: "How long the agents run (0: until interrupted, or settled with --exit-when-settled)",
            defaultText: "0"
        ) { $0.duration = try duration($1, $2, atLeast: 0) },
        FleetOption(
            name: "exit-when-settled",
            valueName: nil,
            help: "Stop once every node has reported UPDATED or FAILED",
            defaultText: "off"
        ) { $0.exitWhenSettled = try boolean($1, $2) },
        FleetOption(
            name: "progress-interval",
            valueName: "duration",
            help: "Time between progress lines",
            defaultText: "5s"
        ) { $0.progressInterval = try duration($1, $2, atLeast: 0.1) },
        FleetOption(
            name: "summary-file",
            valueName: "file",
            help: "Also write the summary as JSON to this file",
            defaultText: "none"
        ) { $0.summaryFile = try nonEmpty($1, $2) },
        FleetOption(
            name: "log-level",
            valueName: "level",
            help: "Log level of the simulator: trace, debug, info, notice, warning, error, critical",
            defaultText: "error"
        ) { $0.logLevel = try logLevel($1, $2) },
        FleetOption(
            name: "agent-log-level",
            valueName: "level",
            help: "Log level of the simulated agents (error shows every failed update)",
            defaultText: "critical"
        ) { $0.agentLogLevel = try logLevel($1, $2) },
    ]

    init(
        name: String,
        valueName: String?,
        help: String,
        defaultText: String,
        apply: @escaping @Sendable (inout FleetConfiguration, String, String) throws -> Void
    ) {
        self.name = name
        self.valueName = valueName
        self.help = help
        self.defaultText = defaultText
        self.apply = apply
    }

    // MARK: Value rules

    static func integer(_ text: String, _ label: String, _ range: ClosedRange<Int>) throws(FleetError) -> Int {
        guard let value = Int(text.replacingOccurrences(of: "_", with: "")), range.contains(value) else {
            throw .option(
                label,
                "must be a whole number from \(range.lowerBound) to \(range.upperBound), got \"\(text)\""
            )
        }
        return value
    }

    static func fraction(_ text: String, _ label: String, _ range: ClosedRange<Double>) throws(FleetError) -> Double {
        var trimmed = text.trimmingCharacters(in: .whitespaces)
        var scale = 1.0
        if trimmed.hasSuffix("%") {
            trimmed.removeLast()
            scale = 0.01
        }
        guard let value = Double(trimmed).map({ $0 * scale }), value.isFinite, range.contains(value) else {
            throw .option(
                label,
                "must be a number from \(range.lowerBound) to \(range.upperBound) (or a percentage), got \"\(text)\""
            )
        }
        return value
    }

    static func duration(_ text: String, _ label: String, atLeast minimum: Double) throws(FleetError) -> Double {
        guard let value = DurationText.seconds(text), value.isFinite, value >= minimum else {
            throw .option(
                label,
                "must be a duration of at least \(DurationWording.text(minimum)) such as 20s, 500ms, 5m or 1h30m, got \"\(text)\""
            )
        }
        return value
    }

    static func size(_ text: String, _ label: String, _ range: ClosedRange<Int>) throws(FleetError) -> Int {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let number = trimmed.prefix { $0.isNumber }
        let unit = trimmed.dropFirst(number.count).lowercased()
        let scale: Int? =
            switch unit {
            case "", "b": 1
            case "k", "kb", "kib": 1 << 10
            case "m", "mb", "mib": 1 << 20
            default: nil
            }
        guard let scale, let value = Int(number), range.contains(value * scale) else {
            throw .option(label, "must be a size from 1KiB to 64MiB such as 4096, 64KiB or 1MiB, got \"\(text)\"")
        }
        return value * scale
    }

    static func logLevel(_ text: String, _ label: String) throws(FleetError) -> Logger.Level {
        guard let level = Logger.Level(rawValue: text.lowercased()) else {
            throw .option(label, "must be trace, debug, info, notice, warning, error or critical, got \"\(text)\"")
        }
        return level
    }

    static func boolean(_ text: String, _ label: String) throws(FleetError) -> Bool {
        switch text.lowercased() {
        case "1", "true", "yes", "on": return true
        case "0", "false", "no", "off", "": return false
        default: throw .option(label, "must be true or false (1/0, yes/no, on/off), got \"\(text)\"")
        }
    }

    static func nonEmpty(_ text: String, _ label: String) throws(FleetError) -> String {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else { throw .option(label, "must not be empty") }
        return trimmed
    }

    static func firstLine(ofFile path: String, _ label: String) throws(FleetError) -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw .option(label, "cannot read \(path)")
        }
        let line = String(decoding: data, as: UTF8.self).split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty else { throw .option(label, "\(path) is empty") }
        return trimmed
    }
}

/// Durations in messages (`500ms`, `20s`, `1m`).
enum DurationWording {
    static func text(_ seconds: Double) -> String {
        if seconds < 1 { return "\(Int((seconds * 1000).rounded()))ms" }
        if seconds.truncatingRemainder(dividingBy: 60) == 0 && seconds >= 60 { return "\(Int(seconds / 60))m" }
        return seconds == seconds.rounded() ? "\(Int(seconds))s" : String(format: "%.1fs", seconds)
    }
}
