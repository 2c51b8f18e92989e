import AgentCore
import Foundation
import Synchronization

/// The rollout as the nodes see it: each node's phase, from the reports the Maintenance Manager accepted.
///
/// Fed by ``ObservedMaintenanceClient`` (every successful poll), read by the terminal and the final report.
public final class RolloutProgress: Sendable {
    /// One node's view.
    public struct Node: Sendable, Hashable {
        /// Its phase.
        public var phase: NodePhase = .upToDate
        /// The status of its last report.
        public var lastStatus: UpdateStatusType = .upToDate
        /// The status detail of its last `UPDATED` or `FAILED` report (the `update_log` JSON).
        public var detail: String = ""
        /// When it reached `UPDATED` or `FAILED`.
        public var finishedAt: Date?
    }

    private let nodes: Mutex<[String: Node]>

    /// Progress for the nodes with these GUIDs, all `UP_TO_DATE`.
    public init(guids: [String]) {
        nodes = Mutex(Dictionary(uniqueKeysWithValues: guids.map { ($0, Node()) }))
    }

    /// Records a report the Maintenance Manager accepted.
    public func record(_ report: StatusReport, at now: Date = Date()) {
        nodes.withLock { nodes in
            guard var node = nodes[report.hostGUID] else { return }
            let next = node.phase.after(report.status)
            if next != node.phase, next == .updated || next == .failed {
                node.detail = report.detail
                node.finishedAt = now
            }
            node.phase = next
            node.lastStatus = report.status
            nodes[report.hostGUID] = node
        }
    }

    /// Every node's view, by GUID.
    public func snapshot() -> [String: Node] {
        nodes.withLock { $0 }
    }

    /// How many nodes are in each phase (every phase present, zero included).
    public func counts() -> [NodePhase: Int] { Self.counts(snapshot()) }

    /// How many of `nodes` are in each phase (every phase present, zero included).
    public static func counts(_ nodes: [String: Node]) -> [NodePhase: Int] {
        var counts = Dictionary(uniqueKeysWithValues: NodePhase.allCases.map { ($0, 0) })
        for node in nodes.values { counts[node.phase, default: 0] += 1 }
        return counts
    }

    /// How many of `nodes` downloaded their image ahead of the window and wait for it (counted as `UPDATING`).
    public static func downloadedAhead(_ nodes: [String: Node]) -> Int {
        nodes.values.filter { $0.phase == .updating && $0.lastStatus == .downloaded }.count
    }

    /// Whether every node is `UPDATED` or `FAILED`.
    public var isComplete: Bool {
        snapshot().values.allSatisfy { $0.phase == .updated || $0.phase == .failed }
    }
}
