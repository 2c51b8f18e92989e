import Day2Model
import Foundation
import Inventory
import ProcessResources

/// `day2-orchestrator bench rollout`: preview, create and cancel a rollout over the whole seeded fleet, against a
/// baseline of reading every host of the fleet (`GET …/compute/hosts` without paging) from the same store.
public struct RolloutBenchmark: Sendable {
    /// Hosts in the fleet.
    public var hosts = 100_000
    /// Times each operation is measured.
    public var repetitions = 3

    /// Creates a benchmark with the defaults.
    public init() {}

    /// Runs on `store`, printing through `report`.
    public func run(store: some InventoryStore, label: String, report: @Sendable (String) -> Void) async throws {
        var seeding = StoreBenchmark()
        seeding.hosts = hosts
        let fleet = try await seeding.seed(store: store, report: report)
        let tenant = fleet.tenant
        try await StoreBenchmark.publishNewerImage(store: store, tenant: tenant)
        let policy = try await store.createPolicy(tenant: tenant, OSUpdatePolicy(name: "bench", updatePolicy: .latest))
        let draft = Rollout(
            name: "bench",
            osUpdatePolicyId: policy.resourceId,
            target: .filter("name!=\"\""),
            waves: [RolloutWave(size: .hosts(50)), RolloutWave(size: .percent(10)), RolloutWave(size: .percent(100))]
        )
        var baseline: [Double] = []
        var previews: [Double] = []
        var creates: [Double] = []
        var cancels: [Double] = []
        for _ in 0..<repetitions {
            baseline.append(try await Self.time { _ = try await store.hosts(tenant: tenant, ListQuery()) })
            previews.append(try await Self.time { _ = try await store.previewRollout(tenant: tenant, draft) })
            var created: Rollout?
            creates.append(try await Self.time { created = try await store.createRollout(tenant: tenant, draft) })
            guard let id = created?.resourceId else { continue }
            cancels.append(
                try await Self.time {
                    let work = try await store.rolloutWork(tenant: tenant, id: id)
                    let step = try RolloutMachine.cancel(work.rollout, by: "bench", now: Int64(Date().timeIntervalSince1970))
                    _ = try await store.applyRolloutAdvance(
                        tenant: tenant,
                        step,
                        version: work.version,
                        now: Int64(Date().timeIntervalSince1970)
                    )
                }
            )
        }
        let base = Self.median(baseline)
        report("")
        report("store: \(label)   hosts: \(hosts)   \(repetitions) runs each, median (min … max)")
        for (name, values) in [
            ("read every host (baseline)", baseline), ("preview", previews), ("create", creates),
            ("cancel (releases every host)", cancels),
        ] {
            report(
                name.padding(toLength: 30, withPad: " ", startingAt: 0)
                    + String(
                        format: " %7.3f s (%.3f … %.3f)   ratio to baseline %.1f",
                        Self.median(values),
                        values.min() ?? 0,
                        values.max() ?? 0,
                        Self.median(values) / max(base, 1e-9)
                    )
            )
        }
        let memory = ProcessUsage.now().residentMiB
        report(String(format: "memory: RSS %.0f MiB, peak %.0f MiB", memory.current, memory.peak))
    }

    static func time(_ body: () async throws -> Void) async throws -> Double {
        let start = ContinuousClock.now
        try await body()
        return (ContinuousClock.now - start).seconds
    }

    static func median(_ values: [Double]) -> Double {
        guard !values.isEmpty else { return 0 }
        return values.sorted()[values.count / 2]
    }
}
