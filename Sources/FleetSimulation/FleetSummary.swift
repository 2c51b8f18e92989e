import AgentCore
import Foundation

/// What a fleet run did, for the terminal and (as JSON) for scripts such as `scripts/scale-run.sh`.
public struct FleetSummary: Sendable, Codable, Equatable {
    /// Nodes simulated.
    public var nodes: Int
    /// Poll interval in seconds.
    public var pollInterval: Double
    /// Seconds over which the first polls were spread.
    public var rampUpSeconds: Double
    /// HTTP/2 connections used.
    public var connections: Int
    /// When the agents started (Unix seconds).
    public var agentsStartedAt: Double
    /// Seconds the agents ran.
    public var agentSeconds: Double
    /// Seconds the registration took (nil without `--register`).
    public var registrationSeconds: Double?
    /// Hosts created by the registration.
    public var hostsCreated: Int
    /// Hosts the registration found already registered.
    public var hostsFound: Int
    /// Seconds after the agents started at which the window opened (nil: no window created).
    public var windowOpensAfter: Double?
    /// Nodes whose last successful poll reported each status (`UP_TO_DATE`, `FAILED`, …).
    public var statusNow: [String: Int]
    /// Nodes that never polled successfully.
    public var neverPolled: Int
    /// Nodes that reported STARTED at least once.
    public var startedNodes: Int
    /// Nodes that reported DOWNLOADED at least once.
    public var downloadedNodes: Int
    /// Nodes that reported UPDATED at least once.
    public var updatedNodes: Int
    /// Nodes that reported FAILED at least once.
    public var failedNodes: Int
    /// Nodes done: they reported UPDATED, or FAILED after STARTED.
    public var settledNodes: Int
    /// Seconds from the window's opening until the first STARTED.
    public var firstStartedAfterWindow: Double?
    /// Seconds from the window's opening until the last UPDATED.
    public var lastUpdatedAfterWindow: Double?
    /// Seconds from the window's opening until every node was done (UPDATED, or FAILED after STARTED).
    public var settledAfterWindow: Double?
    /// Successful polls.
    public var polls: Int
    /// Failed poll attempts.
    public var failedPolls: Int
    /// Polls per second from the first poll to the end.
    public var pollsPerSecond: Double
    /// Polls per second once every agent had started (after the start spread) until the window opened (or the
    /// end), when that stretch was long enough.
    public var steadyPollsPerSecond: Double?
    /// The lowest rate of a progress interval after the start spread.
    public var lowestIntervalPollsPerSecond: Double?
    /// What the fleet asks for: nodes / poll interval.
    public var offeredPollsPerSecond: Double
    /// Poll latency quantiles and maximum, in milliseconds.
    public var latencyP50Milliseconds: Double
    public var latencyP90Milliseconds: Double
    public var latencyP99Milliseconds: Double
    public var latencyMaxMilliseconds: Double
    /// Polls before the window opened (all polls when there was no window).
    public var beforeWindow: FleetPhase
    /// Polls after the window opened.
    public var afterWindow: FleetPhase?
    /// One entry per progress interval.
    public var intervals: [FleetInterval]
    /// Images downloaded (simulated transfer, real SHA-256).
    public var imageDownloads: Int
    /// Simulated reboots.
    public var reboots: Int
    /// The simulator's CPU seconds while the agents ran.
    public var cpuSeconds: Double
    /// Its resident memory at the end, before the nodes started, and at its peak (bytes).
    public var residentBytes: Int
    public var residentBytesBeforeNodes: Int
    public var peakResidentBytes: Int
    /// When the run ended (ISO 8601).
    public var finishedAt: String

    /// Cores used on average while the agents ran.
    public var cpuCores: Double { cpuSeconds / max(agentSeconds, 0.001) }
    /// Peak resident memory per node, in bytes.
    public var residentBytesPerNode: Double { Double(peakResidentBytes) / Double(max(nodes, 1)) }
    /// CPU microseconds per successful poll (everything the simulator did, divided by its polls).
    public var cpuMicrosecondsPerPoll: Double { cpuSeconds * 1e6 / Double(max(polls, 1)) }

    /// The summary as lines of text.
    public var lines: [String] {
        var lines = ["day2-fleetsim summary"]
        lines.append(
            "  nodes: \(nodes) (poll interval \(DurationWording.text(pollInterval)), \(connections) HTTP/2 connections)"
        )
        if let registrationSeconds {
            lines.append(
                String(
                    format: "  registration: %.1f s (%d hosts created, %d found)",
                    registrationSeconds,
                    hostsCreated,
                    hostsFound
                )
            )
        }
        lines.append(String(format: "  agents ran: %.1f s", agentSeconds))
        let order = ["UP_TO_DATE", "DOWNLOADING", "DOWNLOADED", "STARTED", "UPDATED", "FAILED", "UNSPECIFIED"]
        let now = order.compactMap { name in statusNow[name].flatMap { $0 > 0 ? "\(name) \($0)" : nil } }
        lines.append(
            "  status now: " + (now + (neverPolled > 0 ? ["never polled \(neverPolled)"] : [])).joined(separator: ", ")
        )
        lines.append(
            "  reported at least once: STARTED \(startedNodes), DOWNLOADED \(downloadedNodes), UPDATED \(updatedNodes), "
                + "FAILED \(failedNodes) (done: \(settledNodes)/\(nodes))"
        )
        if let windowOpensAfter {
            func after(_ value: Double?) -> String { value.map { String(format: "+%.1f s", $0) } ?? "not reached" }
            lines.append(
                String(format: "  window: opened %.1f s after the agents started; ", windowOpensAfter)
                    + "first STARTED \(after(firstStartedAfterWindow)), last UPDATED \(after(lastUpdatedAfterWindow)), "
                    + "every node done \(after(settledAfterWindow))"
            )
        }
        var rates = String(format: "%.0f/s overall", pollsPerSecond)
        if let steadyPollsPerSecond { rates += String(format: ", %.0f/s steady", steadyPollsPerSecond) }
        if let lowestIntervalPollsPerSecond {
            rates += String(format: " (lowest interval %.0f/s)", lowestIntervalPollsPerSecond)
        }
        lines.append(
            "  polls: \(polls) ok, \(failedPolls) failed; \(rates); offered "
                + String(format: "%.0f/s", offeredPollsPerSecond)
        )
        lines.append(
            String(
                format: "  poll latency: p50 %.2f ms, p90 %.2f ms, p99 %.2f ms, max %.2f ms",
                latencyP50Milliseconds,
                latencyP90Milliseconds,
                latencyP99Milliseconds,
                latencyMaxMilliseconds
            )
        )
        for (label, phase) in [("before the window", Optional(beforeWindow)), ("after it opened", afterWindow)] {
            guard let phase, windowOpensAfter != nil, phase.polls > 0 else { continue }
            lines.append(
                "    \(label): "
                    + String(
                        format: "%d polls, p50 %.2f ms, p99 %.2f ms, max %.2f ms",
                        phase.polls,
                        phase.p50Milliseconds,
                        phase.p99Milliseconds,
                        phase.maxMilliseconds
                    )
            )
        }
        lines.append("  images downloaded: \(imageDownloads) (simulated transfer, real SHA-256); reboots: \(reboots)")
        lines.append(
            String(
                format:
                    "  day2-fleetsim itself: CPU %.1f s (%.2f cores, %.0f µs per poll); RSS %.0f MiB, peak %.0f MiB "
                    + "(%.1f KiB per node; %.0f MiB before the nodes started)",
                cpuSeconds,
                cpuCores,
                cpuMicrosecondsPerPoll,
                Double(residentBytes) / 1_048_576,
                Double(peakResidentBytes) / 1_048_576,
                residentBytesPerNode / 1024,
                Double(residentBytesBeforeNodes) / 1_048_576
            )
        )
        return lines
    }

    /// The summary as JSON (with the derived figures).
    public func json() throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        var object = try JSONSerialization.jsonObject(with: encoder.encode(self)) as? [String: Any] ?? [:]
        object["cpuCores"] = cpuCores
        object["residentBytesPerNode"] = residentBytesPerNode
        object["cpuMicrosecondsPerPoll"] = cpuMicrosecondsPerPoll
        return try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
    }

    /// The short name of a status (`UP_TO_DATE`).
    static func name(_ status: UpdateStatusType) -> String { String(status.rawValue.dropFirst("STATUS_TYPE_".count)) }
}
