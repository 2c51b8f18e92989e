import Day2Model
import Day2Testing
import Foundation
import Inventory
import Logging
import Testing

@testable import OSResourceManager

@Suite("OS Resource Manager service")
struct ServiceTests {
    /// Polls `condition` every 50 ms for up to `seconds`.
    static func eventually(seconds: Double = 15, _ condition: () async throws -> Bool) async throws -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try await condition() { return true }
            try await Task.sleep(for: .milliseconds(50))
        }
        return false
    }

    static func service<S: InventoryStore>(
        _ store: S,
        sources: ReleaseSourceMap,
        period: Duration,
        holder: String,
        metrics: CountingMetrics
    ) -> OSResourceManagerService<S> {
        OSResourceManagerService(
            reconciler: ReconcilerTests.reconciler(store, sources: sources, metrics: metrics),
            store: store,
            schedule: .init(period: period, watchInterval: .milliseconds(100), leaseSeconds: 30),
            holder: holder,
            logger: ReconcilerTests.logger(),
            metrics: metrics
        )
    }

    @Test(
        "a project created while the service runs gets its OS resources without waiting for the period",
        arguments: [StoreBackend.sqliteFile]
    )
    func newProject(_ backend: StoreBackend) async throws {
        let world = try ReleaseWorld.make()
        defer { world.remove() }
        try world.publishImmutable(version: "3.0.1.1", tag: "0.11.5")
        try ProfileFixtures.publish(
            ProfileFixtures.mutable(),
            profile: ReleaseWorld.mutableProfile,
            tag: "0.11.5",
            in: world.folder
        )
        try await backend.withStore { store in try await Self.newProject(store, world: world) }
    }

    static func newProject<S: InventoryStore>(_ store: S, world: ReleaseWorld) async throws {
        let first = try await store.createProject(name: "first", id: nil)
        try await ProfileFixtures.serving(world.folder) { base in
            let metrics = CountingMetrics()
            let service = Self.service(
                store,
                sources: ReleaseSourceMap(defaultSource: try world.source(base: base)),
                period: .seconds(3600),
                holder: "replica-a",
                metrics: metrics
            )
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await service.run() }
                #expect(try await eventually { try await store.osResources(tenant: first.id, .all).items.count == 2 })
                let second = try await store.createProject(name: "second", id: nil)
                #expect(try await eventually { try await store.osResources(tenant: second.id, .all).items.count == 2 })
                // The pass is counted once it has finished, just after the last write.
                let counted = try await eventually { metrics.value("day2_osrm_passes_total,result=ok") == 2 }
                #expect(counted, "passes: \(metrics.value("day2_osrm_passes_total,result=ok"))")
                group.cancelAll()
            }
            // The lease is given up on the way out.
            #expect(
                try await store.acquireLease(
                    name: OSResourceManagerService<S>.leaseName,
                    holder: "replica-b",
                    seconds: 5
                )
            )
        }
    }

    @Test(
        "two replicas on one database: only the lease holder reconciles",
        arguments: [StoreBackend.sqliteFile, .postgres]
    )
    func oneReplicaAtATime(_ backend: StoreBackend) async throws {
        let world = try ReleaseWorld.make()
        defer { world.remove() }
        try world.publishImmutable(version: "3.0.1.1", tag: "0.11.5")
        try ProfileFixtures.publish(
            ProfileFixtures.mutable(),
            profile: ReleaseWorld.mutableProfile,
            tag: "0.11.5",
            in: world.folder
        )
        try await backend.withStorePair { one, two in try await Self.replicas(one, two, world: world) }
    }

    static func replicas<A: InventoryStore, B: InventoryStore>(_ one: A, _ two: B, world: ReleaseWorld) async throws {
        let project = try await one.createProject(name: "acme", id: nil)
        try await ProfileFixtures.serving(world.folder) { base in
            let sources = ReleaseSourceMap(defaultSource: try world.source(base: base))
            let metricsA = CountingMetrics()
            let metricsB = CountingMetrics()
            let a = Self.service(
                one,
                sources: sources,
                period: .milliseconds(200),
                holder: "replica-a",
                metrics: metricsA
            )
            let b = Self.service(
                two,
                sources: sources,
                period: .milliseconds(200),
                holder: "replica-b",
                metrics: metricsB
            )
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await a.run() }
                group.addTask { try await b.run() }
                let passes = {
                    metricsA.value("day2_osrm_passes_total,result=ok")
                        + metricsB.value("day2_osrm_passes_total,result=ok")
                }
                let enough = try await eventually { passes() >= 4 }
                #expect(enough)
                group.cancelAll()
            }
            let byA = metricsA.value("day2_osrm_passes_total,result=ok")
            let byB = metricsB.value("day2_osrm_passes_total,result=ok")
            #expect((byA == 0) != (byB == 0), "passes by A: \(byA), by B: \(byB)")
            #expect(try await two.osResources(tenant: project.id, .all).items.count == 2)
        }
    }
}
