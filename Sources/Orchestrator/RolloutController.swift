import Day2Model
import Foundation
import Inventory
import Logging
import Metrics

/// Advances every rollout from what the inventory says (host states, update runs), on one replica at a time (the
/// `rollouts` lease). Its state is only in the store: each pass reads it, asks ``RolloutMachine`` what follows, and
/// writes that in one transaction guarded by the rollout's version, so a pass that raced an operator's action writes
/// nothing, and a controller killed at any moment continues where the store says it was.
public struct RolloutController<Store: InventoryStore>: Sendable {
    let store: Store
    let holder: String
    let interval: Duration
    let now: @Sendable () -> Date
    let logger: Logger
    let metrics: RolloutMetrics

    /// Creates the controller.
    public init(
        store: Store,
        holder: String,
        interval: Duration,
        now: @escaping @Sendable () -> Date = { Date() },
        logger: Logger,
        metrics: RolloutMetrics = RolloutMetrics()
    ) {
        self.store = store
        self.holder = holder
        self.interval = interval
        self.now = now
        self.logger = logger
        self.metrics = metrics
    }

    /// Passes until cancelled; a failed pass is logged and the loop goes on.
    public func run() async {
        while !Task.isCancelled {
            do {
                let seconds = max(30, Int64(interval.components.seconds) * 4)
                if try await store.acquireLease(name: "rollouts", holder: holder, seconds: seconds) {
                    try await pass()
                }
            } catch {
                logger.warning("rollout pass failed", metadata: ["error": "\(error)"])
            }
            try? await Task.sleep(for: interval)
        }
    }

    /// One pass over every rollout that needs looking at; returns how many rollouts changed.
    @discardableResult
    public func pass() async throws -> Int {
        let work = try await store.rolloutWork()
        var changed = 0
        var byState: [RolloutState: Int] = [:]
        for item in work {
            // One rollout that cannot be advanced (its project's data, a store error) holds up no other.
            let after: Rollout?
            do {
                after = try await step(item)
            } catch {
                logger.warning(
                    "rollout step failed",
                    metadata: ["rollout.id": "\(item.rollout.resourceId)", "error": "\(error)"]
                )
                after = nil
            }
            if after != nil { changed += 1 }
            let rollout = after ?? item.rollout
            byState[rollout.state, default: 0] += 1
            metrics.record(hosts: rollout)
        }
        metrics.record(rolloutsByState: byState)
        return changed
    }

    /// One rollout's step: the rollout after it when something was written, nil when nothing changed.
    func step(_ item: RolloutWork) async throws -> Rollout? {
        let seconds = Int64(now().timeIntervalSince1970)
        var rollout = item.rollout
        let counts = try await store.rolloutCounts(tenant: item.tenant, rolloutId: rollout.resourceId)
        for index in rollout.waves.indices { rollout.waves[index].counts = counts[index] ?? RolloutCounts() }
        let observations = try await store.rolloutObservations(tenant: item.tenant, rolloutId: rollout.resourceId)
        let advance = RolloutMachine.advance(rollout, observations: observations, now: seconds)
        guard !advance.isEmpty || advance.rollout != item.rollout else { return nil }
        guard
            try await store.applyRolloutAdvance(tenant: item.tenant, advance, version: item.version, now: seconds)
        else {
            return nil
        }
        log(before: item.rollout, after: advance)
        return advance.rollout
    }

    private func log(before: Rollout, after advance: RolloutAdvance) {
        let rollout = advance.rollout
        let metadata: Logger.Metadata = [
            "rollout.id": "\(rollout.resourceId)", "rollout.state": "\(rollout.state.rawValue)",
            "rollout.reason": "\(rollout.stateReason)",
        ]
        for wave in advance.openedWaves {
            logger.info("rollout wave opened", metadata: metadata.merging(["rollout.wave": "\(wave + 1)"]) { a, _ in a })
        }
        if before.state != rollout.state {
            logger.notice("rollout state changed", metadata: metadata)
        }
        for host in advance.changedHosts where host.state == .failed {
            logger.warning(
                "rollout host failed",
                metadata: metadata.merging([
                    "host.id": "\(host.hostId)", "reason": "\(host.reason?.rawValue ?? "")",
                ]) { a, _ in a }
            )
        }
    }
}

/// The controller's gauges: `day2_rollouts{state}` and `day2_rollout_hosts{rollout,state}`.
public struct RolloutMetrics: Sendable {
    let factory: (any MetricsFactory)?

    /// Metrics through `factory`; none when nil.
    public init(factory: (any MetricsFactory)? = nil) {
        self.factory = factory
    }

    func record(rolloutsByState: [RolloutState: Int]) {
        guard let factory else { return }
        for state in RolloutState.allCases {
            Gauge(label: "day2_rollouts", dimensions: [("state", Self.name(state.rawValue))], factory: factory)
                .record(rolloutsByState[state] ?? 0)
        }
    }

    func record(hosts rollout: Rollout) {
        guard let factory else { return }
        var totals = RolloutCounts()
        for wave in rollout.waves {
            for state in RolloutHostState.allCases { totals[state] += wave.counts[state] }
        }
        for state in RolloutHostState.allCases {
            Gauge(
                label: "day2_rollout_hosts",
                dimensions: [("rollout", rollout.resourceId), ("state", Self.name(state.rawValue))],
                factory: factory
            ).record(totals[state])
        }
    }

    /// `ROLLOUT_HOST_STATE_UPDATED` → `updated`.
    static func name(_ raw: String) -> String {
        String(raw.split(separator: "_").last ?? Substring(raw)).lowercased()
    }
}
