import Day2Model
import Foundation
import Inventory

/// How the rollout ended, node by node: what each node reported, and whether the inventory says the same.
public struct RolloutReport: Sendable {
    /// One node's outcome.
    public struct Outcome: Sendable, Hashable {
        /// The node.
        public var node: DemoNode
        /// Its final phase, from its own reports (`UPDATED` or `FAILED`).
        public var phase: NodePhase
        /// Whether it rolled back to its old slot (a failed immutable update).
        public var rolledBack: Bool
        /// The failure reason it reported (`bootloader`, `download`, …), empty when it updated.
        public var failureReason: String
        /// What the inventory disagrees on, or nil when it agrees.
        public var disagreement: String?
    }

    /// Every node's outcome, in the fleet's order.
    public var outcomes: [Outcome]
    /// Seconds from the window's opening until the last node finished.
    public var secondsAfterWindow: Double
    /// Seconds from the demo's start until the last node finished.
    public var secondsSinceStart: Double

    /// Nodes in `phase`.
    public func count(_ phase: NodePhase) -> Int { outcomes.filter { $0.phase == phase }.count }

    /// Whether the inventory agrees with every node.
    public var inventoryAgrees: Bool { outcomes.allSatisfy { $0.disagreement == nil } }

    /// The outcomes of the nodes' own reports, compared with the inventory: an updated node has a finished run
    /// "Update completed" (and an immutable one runs the newer OS); a failed one has a finished run "Update failed",
    /// its instance says so, and an immutable one still runs the older OS. No run may be left open.
    public static func check(
        fleet: DemoFleet,
        progress: [String: RolloutProgress.Node],
        store: some InventoryStore,
        started: Date
    ) async throws -> RolloutReport {
        let instances = try await store.instances(tenant: fleet.tenant, hostIds: fleet.nodes.map(\.hostId))
        let runs = Dictionary(grouping: try await store.runs(tenant: fleet.tenant, ListQuery()).items, by: \.instanceId)
        var outcomes: [Outcome] = []
        var lastFinish = Date.distantPast
        for node in fleet.nodes {
            let seen = progress[node.uuid] ?? RolloutProgress.Node()
            if let finished = seen.finishedAt, finished > lastFinish { lastFinish = finished }
            let entry = Self.firstLogEntry(seen.detail)
            var outcome = Outcome(
                node: node,
                phase: seen.phase,
                rolledBack: entry?["status"] == "rolledback",
                failureReason: seen.phase == .failed ? entry?["failure_reason"] ?? "" : "",
                disagreement: nil
            )
            outcome.disagreement = Self.disagreement(
                node: node,
                phase: seen.phase,
                instance: instances[node.hostId],
                runs: runs[node.instanceId] ?? [],
                fleet: fleet
            )
            outcomes.append(outcome)
        }
        let windowOpened = Date(timeIntervalSince1970: TimeInterval(fleet.windowStart))
        return RolloutReport(
            outcomes: outcomes,
            secondsAfterWindow: max(0, lastFinish.timeIntervalSince(windowOpened)),
            secondsSinceStart: max(0, lastFinish.timeIntervalSince(started))
        )
    }

    /// What the inventory says differently from the node, or nil.
    static func disagreement(
        node: DemoNode,
        phase: NodePhase,
        instance: Instance?,
        runs: [OSUpdateRun],
        fleet: DemoFleet
    ) -> String? {
        guard let instance else { return "no instance in the inventory" }
        if runs.contains(where: \.isOpen) { return "an update run is still open" }
        let immutable = node.kind == .immutable
        switch phase {
        case .updated:
            guard runs.contains(where: { $0.status.hasPrefix("Update completed") }) else {
                return "no completed update run (runs: \(runs.map(\.status)))"
            }
            if immutable && instance.osId != fleet.newerOS.resourceId {
                return "the instance runs \(instance.osId), not the newer OS \(fleet.newerOS.resourceId)"
            }
        case .failed:
            guard runs.contains(where: { $0.status.hasPrefix("Update failed") }) else {
                return "no failed update run (runs: \(runs.map(\.status)))"
            }
            guard instance.updateStatus.status.hasPrefix("Update failed") else {
                return "the instance's update status is \"\(instance.updateStatus.status)\", not failed"
            }
            if immutable && instance.osId != fleet.olderOS.resourceId {
                return "the instance runs \(instance.osId), not the older OS \(fleet.olderOS.resourceId)"
            }
        case .upToDate, .updating:
            return "the node has not finished (\(phase.rawValue))"
        }
        return nil
    }

    /// `status` and `failure_reason` of the first `update_log` entry of a status detail.
    static func firstLogEntry(_ detail: String) -> [String: String]? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(detail.utf8)) as? [String: Any],
            let log = object["update_log"] as? [[String: Any]], let first = log.first
        else { return nil }
        return first.compactMapValues { $0 as? String }
    }
}
