import AgentCore
import Foundation
import Synchronization

/// What the fleet did, counted as it happens: each node's last reported status, which nodes ever reported
/// STARTED / UPDATED / FAILED, polls and their latency, downloads and reboots. One lock for the whole fleet: a
/// record is a few array writes, and 100,000 nodes at a 20 s cadence make 5,000 of them a second.
public final class FleetTelemetry: Sendable {
    /// A status as counted: the wire number + 1, 0 for a node that never polled successfully.
    static func slot(_ status: UpdateStatusType) -> Int { status.wireNumber + 1 }

    struct Flags: OptionSet {
        let rawValue: UInt8
        static let started = Flags(rawValue: 1)
        static let updated = Flags(rawValue: 2)
        static let failed = Flags(rawValue: 4)
        static let downloaded = Flags(rawValue: 8)
    }

    struct State {
        var status: [UInt8]
        var flags: [UInt8]
        var statusCounts: [Int]
        var started = 0
        var updated = 0
        var failed = 0
        var downloaded = 0
        var settled = 0
        var polls = 0
        var failedPolls = 0
        var latency = LatencyHistogram()
        var beforeWindow = LatencyHistogram()
        var afterWindow = LatencyHistogram()
        var windowOpensAt: Double?
        var intervalLatency = LatencyHistogram()
        var intervalPolls = 0
        var intervalFailedPolls = 0
        var firstPollAt: Double?
        var firstStartedAt: Double?
        var lastUpdatedAt: Double?
        var settledAt: Double?
        var reboots = 0
        var imageDownloads = 0
        var downloadedBytes: Int64 = 0
    }

    /// Nodes counted.
    public let nodes: Int
    private let state: Mutex<State>
    private let now: @Sendable () -> Double

    /// Telemetry for `nodes` nodes; `now` gives Unix seconds.
    public init(nodes: Int, now: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 }) {
        self.nodes = nodes
        self.now = now
        var initial = State(
            status: [UInt8](repeating: 0, count: nodes),
            flags: [UInt8](repeating: 0, count: nodes),
            statusCounts: [Int](repeating: 0, count: 8)
        )
        initial.statusCounts[0] = nodes
        state = Mutex(initial)
    }

    /// A successful poll of node `index` that reported `status` and took `latency` seconds.
    public func polled(_ index: Int, reported status: UpdateStatusType, latency: Double) {
        let at = now()
        state.withLock { state in
            state.polls += 1
            state.intervalPolls += 1
            state.latency.record(latency)
            state.intervalLatency.record(latency)
            if let window = state.windowOpensAt, at >= window {
                state.afterWindow.record(latency)
            } else {
                state.beforeWindow.record(latency)
            }
            if state.firstPollAt == nil { state.firstPollAt = at }
            let slot = UInt8(Self.slot(status))
            let previous = state.status[index]
            if previous != slot {
                state.statusCounts[Int(previous)] -= 1
                state.statusCounts[Int(slot)] += 1
                state.status[index] = slot
            }
            var flags = Flags(rawValue: state.flags[index])
            let wasSettled = Self.settled(flags)
            switch status {
            case .started where !flags.contains(.started):
                flags.insert(.started)
                state.started += 1
                if state.firstStartedAt == nil { state.firstStartedAt = at }
            case .downloaded where !flags.contains(.downloaded):
                flags.insert(.downloaded)
                state.downloaded += 1
            case .updated where !flags.contains(.updated):
                flags.insert(.updated)
                state.updated += 1
                state.lastUpdatedAt = at
            case .failed where !flags.contains(.failed):
                flags.insert(.failed)
                state.failed += 1
            default:
                break
            }
            state.flags[index] = flags.rawValue
            if !wasSettled && Self.settled(flags) {
                state.settled += 1
                if state.settled == nodes { state.settledAt = at }
            }
        }
    }

    /// Settled: the node reported UPDATED, or FAILED after it had started an update (a failed pre-download is
    /// retried, so it does not count).
    static func settled(_ flags: Flags) -> Bool {
        flags.contains(.updated) || (flags.contains(.failed) && flags.contains(.started))
    }

    /// A poll that failed after `latency` seconds.
    public func pollFailed(latency: Double) {
        state.withLock { state in
            state.failedPolls += 1
            state.intervalFailedPolls += 1
        }
    }

    /// From `at` (Unix seconds) on, poll latencies count as "after the window opened".
    public func windowOpens(at: Double) { state.withLock { $0.windowOpensAt = at } }

    /// A simulated reboot finished.
    public func rebooted() { state.withLock { $0.reboots += 1 } }

    /// An image download of `bytes` finished.
    public func downloaded(bytes: Int64) {
        state.withLock { state in
            state.imageDownloads += 1
            state.downloadedBytes += bytes
        }
    }

    /// A copy of the counters (the interval counters are reset when `resetInterval`).
    public func snapshot(resetInterval: Bool = false) -> FleetSnapshot {
        state.withLock { state in
            let snapshot = FleetSnapshot(
                nodes: nodes,
                statusCounts: Dictionary(
                    uniqueKeysWithValues: UpdateStatusType.allCases.map { ($0, state.statusCounts[Self.slot($0)]) }
                ),
                neverPolled: state.statusCounts[0],
                startedNodes: state.started,
                downloadedNodes: state.downloaded,
                updatedNodes: state.updated,
                failedNodes: state.failed,
                settledNodes: state.settled,
                polls: state.polls,
                failedPolls: state.failedPolls,
                latency: state.latency,
                latencyBeforeWindow: state.beforeWindow,
                latencyAfterWindow: state.afterWindow,
                intervalPolls: state.intervalPolls,
                intervalFailedPolls: state.intervalFailedPolls,
                intervalLatency: state.intervalLatency,
                firstPollAt: state.firstPollAt,
                firstStartedAt: state.firstStartedAt,
                lastUpdatedAt: state.lastUpdatedAt,
                settledAt: state.settledAt,
                reboots: state.reboots,
                imageDownloads: state.imageDownloads,
                downloadedBytes: state.downloadedBytes
            )
            if resetInterval {
                state.intervalPolls = 0
                state.intervalFailedPolls = 0
                state.intervalLatency = LatencyHistogram()
            }
            return snapshot
        }
    }
}

/// The counters of `FleetTelemetry` at one moment.
public struct FleetSnapshot: Sendable {
    /// Nodes in the fleet.
    public var nodes: Int
    /// Nodes whose last successful poll reported each status.
    public var statusCounts: [UpdateStatusType: Int]
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
    /// Nodes that reported UPDATED, or FAILED after STARTED.
    public var settledNodes: Int
    /// Successful polls.
    public var polls: Int
    /// Failed polls (each attempt).
    public var failedPolls: Int
    /// Latency of every successful poll.
    public var latency: LatencyHistogram
    /// Latency of the polls before the window opened (all of them when there is no window).
    public var latencyBeforeWindow: LatencyHistogram
    /// Latency of the polls after the window opened.
    public var latencyAfterWindow: LatencyHistogram
    /// Successful polls since the last interval reset.
    public var intervalPolls: Int
    /// Failed polls since the last interval reset.
    public var intervalFailedPolls: Int
    /// Latency since the last interval reset.
    public var intervalLatency: LatencyHistogram
    /// When the first poll succeeded (Unix seconds).
    public var firstPollAt: Double?
    /// When the first node reported STARTED.
    public var firstStartedAt: Double?
    /// When the last node so far reported UPDATED.
    public var lastUpdatedAt: Double?
    /// When every node had reported UPDATED, or FAILED after STARTED.
    public var settledAt: Double?
    /// Simulated reboots.
    public var reboots: Int
    /// Images downloaded.
    public var imageDownloads: Int
    /// Their bytes.
    public var downloadedBytes: Int64
}
