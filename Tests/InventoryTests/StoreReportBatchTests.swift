import Day2Model
import Day2Testing
import Foundation
import Inventory
import Testing

/// `recordReports`: a batch of reports written in a few statements, with the semantics of one report at a time.
@Suite("Store: report batches")
struct StoreReportBatchTests {
    static func status(_ text: String, _ indicator: StatusIndication, at: Int64) -> StatusTriplet {
        StatusTriplet(status: text, indicator: indicator, timestamp: at)
    }

    static func change(_ text: String, _ indicator: StatusIndication, at: Int64, ends: Bool = false, detail: String = "")
        -> RunChange
    {
        RunChange(
            status: text,
            indicator: indicator,
            detail: detail,
            endsRun: ends,
            at: at,
            name: "edge update \(at)",
            description: "OS update for test",
            appliedPolicyId: nil
        )
    }

    static func record(_ tenant: String, _ instance: Instance, _ text: String, _ indicator: StatusIndication, at: Int64, run: RunChange?)
        -> ReportRecord
    {
        ReportRecord(
            tenant: tenant,
            report: InstanceReport(
                instanceId: instance.resourceId,
                updateStatus: status(text, indicator, at: at),
                osUpdateAvailable: "newer"
            ),
            run: run
        )
    }

    static func runs(_ store: any InventoryStore, _ tenant: String, _ instance: Instance) async throws -> [OSUpdateRun] {
        try await store.runs(
            tenant: tenant,
            try ListQuery(filter: "instance.resourceId=\"\(instance.resourceId)\"", orderBy: "startTime")
        ).items
    }

    @Test("opens, advances, leaves unchanged and closes runs; two reports of one instance in one batch", arguments: backends)
    func lifecycle(backend: StoreBackend) async throws {
        try await backend.withStore { store in
            let fleet = try await Fixtures.fleet(in: store, hosts: 3)
            let tenant = fleet.tenant
            let (a, b, c) = (fleet.instances[0], fleet.instances[1], fleet.instances[2])
            // a: downloading then started in the same batch (one run, advanced); b: started; c: only a status.
            try await store.recordReports([
                Self.record(tenant, a, "Downloading artifacts", .idle, at: 10, run: Self.change("Downloading artifacts", .inProgress, at: 10)),
                Self.record(tenant, b, "Updating", .inProgress, at: 10, run: Self.change("Updating", .inProgress, at: 10)),
                Self.record(tenant, a, "Updating", .inProgress, at: 11, run: Self.change("Updating", .inProgress, at: 11, detail: "writing")),
                Self.record(tenant, c, "No new updates available", .idle, at: 10, run: nil),
            ])
            let runsA = try await Self.runs(store, tenant, a)
            #expect(runsA.count == 1)
            #expect(runsA.first?.status == "Updating" && runsA.first?.statusTimestamp == 11)
            #expect(runsA.first?.startTime == 10 && runsA.first?.statusDetails == "writing" && runsA.first?.isOpen == true)
            #expect(try await Self.runs(store, tenant, c).isEmpty)
            let instanceA = try await store.instance(tenant: tenant, id: a.resourceId)
            #expect(instanceA.updateStatus == Self.status("Updating", .inProgress, at: 11))
            #expect(instanceA.osUpdateAvailable == "newer")
            let instanceC = try await store.instance(tenant: tenant, id: c.resourceId)
            #expect(instanceC.updateStatus.status == "No new updates available")

            // The same status again changes nothing on the run; an empty detail keeps the run's detail.
            try await store.recordReports([
                Self.record(tenant, a, "Updating", .inProgress, at: 12, run: Self.change("Updating", .inProgress, at: 12)),
                Self.record(tenant, b, "Update failed", .error, at: 12, run: Self.change("Update failed", .error, at: 12, ends: true, detail: "rolledback")),
            ])
            let again = try await Self.runs(store, tenant, a)
            #expect(again.first?.statusTimestamp == 11 && again.first?.statusDetails == "writing")
            let runsB = try await Self.runs(store, tenant, b)
            #expect(runsB.count == 1)
            #expect(runsB.first?.status == "Update failed" && runsB.first?.endTime == 12)
            #expect(runsB.first?.statusDetails == "rolledback" && runsB.first?.isOpen == false)

            // A closed run is not reopened: the next report opens a new one.
            try await store.recordReports([
                Self.record(tenant, b, "Updating", .inProgress, at: 20, run: Self.change("Updating", .inProgress, at: 20))
            ])
            #expect(try await Self.runs(store, tenant, b).count == 2)
        }
    }

    @Test("an instance that is gone fails the whole batch and writes nothing", arguments: backends)
    func allOrNothing(backend: StoreBackend) async throws {
        try await backend.withStore { store in
            let fleet = try await Fixtures.fleet(in: store, hosts: 2)
            let tenant = fleet.tenant
            var missing = fleet.instances[1]
            missing.resourceId = "inst-0000fffe"
            let gone = missing
            await #expect(throws: InventoryError.self) {
                try await store.withTransaction { tx in
                    try await tx.recordReports([
                        Self.record(tenant, fleet.instances[0], "Updating", .inProgress, at: 5, run: Self.change("Updating", .inProgress, at: 5)),
                        Self.record(tenant, gone, "Updating", .inProgress, at: 5, run: Self.change("Updating", .inProgress, at: 5)),
                    ])
                }
            }
            #expect(try await Self.runs(store, tenant, fleet.instances[0]).isEmpty)
            #expect(try await store.instance(tenant: tenant, id: fleet.instances[0].resourceId).updateStatus == .empty)
        }
    }

    @Test("a batch of many instances of two projects opens a run for each, with distinct IDs", arguments: backends)
    func manyInstances(backend: StoreBackend) async throws {
        try await backend.withStore { store in
            let first = try await Fixtures.fleet(in: store, name: "one", hosts: 130)
            let second = try await Fixtures.fleet(in: store, name: "two", hosts: 20)
            let records =
                first.instances.map {
                    Self.record(first.tenant, $0, "Updating", .inProgress, at: 7, run: Self.change("Updating", .inProgress, at: 7))
                }
                + second.instances.map {
                    Self.record(second.tenant, $0, "Updating", .inProgress, at: 7, run: Self.change("Updating", .inProgress, at: 7))
                }
            try await store.recordReports(records)
            let one = try await store.runs(tenant: first.tenant, ListQuery())
            let two = try await store.runs(tenant: second.tenant, ListQuery())
            #expect(one.totalElements == 130 && two.totalElements == 20)
            #expect(Set(one.items.map(\.resourceId) + two.items.map(\.resourceId)).count == 150)
            #expect(Set(one.items.map(\.instanceId)) == Set(first.instances.map(\.resourceId)))
        }
    }
}
