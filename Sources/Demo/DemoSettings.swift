import AgentCore
import Foundation

/// What `day2-orchestrator demo` adds to the orchestrator's configuration: the size of the fleet and its timings.
public struct DemoSettings: Sendable, Equatable {
    /// Simulated edge nodes (`--nodes`): two thirds immutable (A/B images), one third mutable Ubuntu.
    public var nodes: Int = 50
    /// Immutable nodes whose first boot of the new image fails, to show a rollback (`--fail-nodes`).
    public var failNodes: Int = 0
    /// Seconds from the fleet's creation until its maintenance window opens (`--window-in`).
    public var windowDelaySeconds: Double = 30
    /// Seconds between an agent's polls: the simulated agents' `tickerInterval` (`--poll-interval`).
    public var pollIntervalSeconds: Double = 5
    /// How long the maintenance window stays open, in seconds.
    public var windowDurationSeconds: Int = 3600
    /// Size of each generated OS image in bytes.
    public var imageBytes: Int = 1 << 20
    /// Seconds between two progress reports on the terminal.
    public var progressIntervalSeconds: Double = 1

    /// The most nodes one demo runs (a bigger fleet is `day2-fleetsim`'s job).
    public static let maximumNodes = 1000

    /// The defaults: 50 nodes, a window 30 s after start (time to open the UI), polls every 5 s.
    public init() {}

    /// Mutable Ubuntu nodes: a third of the fleet (none with a single node).
    public var mutableNodes: Int { nodes >= 3 ? nodes / 3 : nodes - 1 }

    /// Immutable (A/B image) nodes: the rest.
    public var immutableNodes: Int { nodes - mutableNodes }

    /// The settings from the demo's own flags (by flag name, only those given); every error names the flag.
    public init(flags: [String: String]) throws(DemoError) {
        if let text = flags["--nodes"] {
            guard let value = Int(text), (1...Self.maximumNodes).contains(value) else {
                throw Self.bad("--nodes", "must be a whole number 1...\(Self.maximumNodes)", text)
            }
            nodes = value
        }
        if let text = flags["--fail-nodes"] {
            guard let value = Int(text), value >= 0 else {
                throw Self.bad("--fail-nodes", "must be a whole number, 0 or more", text)
            }
            failNodes = value
        }
        if let text = flags["--window-in"] {
            guard let value = DurationText.seconds(text), (1...3600).contains(value) else {
                throw Self.bad("--window-in", "must be a duration from 1s to 1h, such as 20s or 2m", text)
            }
            windowDelaySeconds = value
        }
        if let text = flags["--poll-interval"] {
            guard let value = DurationText.seconds(text), (0.1...60).contains(value) else {
                throw Self.bad("--poll-interval", "must be a duration from 100ms to 60s, such as 5s or 500ms", text)
            }
            pollIntervalSeconds = value
        }
        try validate()
    }

    /// Checks the settings against each other.
    public func validate() throws(DemoError) {
        guard (1...Self.maximumNodes).contains(nodes) else {
            throw Self.bad("--nodes", "must be a whole number 1...\(Self.maximumNodes)", "\(nodes)")
        }
        guard failNodes >= 0, failNodes <= immutableNodes else {
            throw DemoError(
                .badFlag,
                "--fail-nodes: must be at most the number of immutable nodes (\(immutableNodes) of --nodes \(nodes)), got \(failNodes)"
            )
        }
    }

    private static func bad(_ flag: String, _ rule: String, _ value: String) -> DemoError {
        DemoError(.badFlag, "\(flag): \(rule), got \"\(value)\"")
    }
}
