import Day2Model
import Day2Testing
import Foundation
import Inventory
import Testing

@Suite("Inventory schedules")
struct StoreScheduleTests {
    @Test("a host inherits the schedules of its site and every ancestor region", arguments: backends)
    func inheritance(backend: StoreBackend) async throws {
        let clock = ManualClock(unixSeconds: 1_800_000_000)
        try await backend.withStore(now: clock.source) { store in
            let fleet = try await Fixtures.fleet(in: store, hosts: 2)
            let tenant = fleet.tenant
            let start = clock.unixSeconds + 600
            func single(_ name: String, _ target: ScheduleTarget) async throws -> SingleSchedule {
                try await store.createSingleSchedule(
                    tenant: tenant,
                    SingleSchedule(name: name, target: target, startSeconds: start, endSeconds: start + 600)
                )
            }
            let onHost = try await single("host", .host(fleet.hosts[0].resourceId))
            let onOtherHost = try await single("other", .host(fleet.hosts[1].resourceId))
            let onSite = try await single("site", .site(fleet.site.resourceId))
            let onTop = try await store.createRepeatedSchedule(
                tenant: tenant,
                RepeatedSchedule(name: "top", target: .region(fleet.topRegion.resourceId), cronHours: "2")
            )
            let onChild = try await store.createRepeatedSchedule(
                tenant: tenant,
                RepeatedSchedule(name: "child", target: .region(fleet.childRegion.resourceId), cronHours: "3")
            )
            let untargeted = try await single("none", .none)

            let forHost = try await store.schedules(tenant: tenant, hostId: fleet.hosts[0].resourceId)
            #expect(Set(forHost.single.map(\.resourceId)) == [onHost.resourceId, onSite.resourceId])
            #expect(Set(forHost.repeated.map(\.resourceId)) == [onTop.resourceId, onChild.resourceId])
            #expect(!forHost.single.contains { $0.resourceId == onOtherHost.resourceId })

            let bySite = try await store.singleSchedules(
                tenant: tenant,
                try ScheduleQuery(siteId: .id(fleet.site.resourceId))
            )
            #expect(bySite.items.map(\.resourceId) == [onSite.resourceId])
            let byRegion = try await store.repeatedSchedules(
                tenant: tenant,
                try ScheduleQuery(regionId: .id(fleet.childRegion.resourceId))
            )
            #expect(Set(byRegion.items.map(\.resourceId)) == [onTop.resourceId, onChild.resourceId])
            let byTop = try await store.repeatedSchedules(
                tenant: tenant,
                try ScheduleQuery(regionId: .id(fleet.topRegion.resourceId))
            )
            #expect(byTop.items.map(\.resourceId) == [onTop.resourceId])
            let withoutHost = try await store.singleSchedules(tenant: tenant, try ScheduleQuery(hostId: .withoutTarget))
            #expect(Set(withoutHost.items.map(\.resourceId)) == [onSite.resourceId, untargeted.resourceId])
            let paged = try await store.singleSchedules(tenant: tenant, try ScheduleQuery(pageSize: 2, offset: 1))
            #expect(paged.totalElements == 4)
            #expect(paged.items.count == 2)
            #expect(paged.hasNext)
            #expect(throws: ValidationError.self) {
                try ScheduleQuery(hostId: .id(fleet.hosts[0].resourceId), siteId: .id(fleet.site.resourceId))
            }

            // Deleting a target leaves the schedule without one.
            try await store.deleteInstance(tenant: tenant, id: fleet.instances[1].resourceId)
            try await store.deleteHost(tenant: tenant, id: fleet.hosts[1].resourceId)
            #expect(try await store.singleSchedule(tenant: tenant, id: onOtherHost.resourceId).target == .none)
        }
    }

    @Test("unixEpoch keeps only windows open at that instant", arguments: backends)
    func activity(backend: StoreBackend) async throws {
        // 2027-01-15 01:00:00 UTC
        let clock = ManualClock(unixSeconds: 1_799_974_800)
        try await backend.withStore(now: clock.source) { store in
            let fleet = try await Fixtures.fleet(in: store, hosts: 1)
            let tenant = fleet.tenant
            let host = fleet.hosts[0].resourceId
            let start = clock.unixSeconds + 60
            let bounded = try await store.createSingleSchedule(
                tenant: tenant,
                SingleSchedule(name: "b", target: .host(host), startSeconds: start, endSeconds: start + 100)
            )
            let open = try await store.createSingleSchedule(
                tenant: tenant,
                SingleSchedule(name: "o", target: .host(host), startSeconds: start + 1000)
            )
            // Daily at 02:00 UTC for one hour.
            let nightly = try await store.createRepeatedSchedule(
                tenant: tenant,
                RepeatedSchedule(
                    name: "n",
                    target: .host(host),
                    durationSeconds: 3600,
                    cronMinutes: "0",
                    cronHours: "2"
                )
            )
            func active(_ t: Int64) async throws -> Set<String> {
                let query = try ScheduleQuery(hostId: .id(host), unixEpoch: t)
                let singles = try await store.singleSchedules(tenant: tenant, query).items.map(\.resourceId)
                let repeats = try await store.repeatedSchedules(tenant: tenant, query).items.map(\.resourceId)
                return Set(singles + repeats)
            }
            #expect(try await active(start - 1) == [])
            #expect(try await active(start) == [bounded.resourceId])
            #expect(try await active(start + 100) == [bounded.resourceId])
            #expect(try await active(start + 101) == [])
            #expect(try await active(start + 5000) == [open.resourceId, nightly.resourceId])
            #expect(try await active(1_799_978_400) == [open.resourceId])  // 02:00:00 exactly: the tick is not "before"
            #expect(try await active(1_799_978_401) == [open.resourceId, nightly.resourceId])
            #expect(try await active(1_799_982_000) == [open.resourceId, nightly.resourceId])  // 03:00:00 = end
            #expect(try await active(1_799_982_001) == [open.resourceId])
        }
    }

    @Test("bad schedules are refused naming the field, nothing is written", arguments: backends)
    func validation(backend: StoreBackend) async throws {
        let clock = ManualClock(unixSeconds: 1_800_000_000)
        try await backend.withStore(now: clock.source) { store in
            let fleet = try await Fixtures.fleet(in: store, hosts: 1)
            let tenant = fleet.tenant
            let now = clock.unixSeconds
            await expectInventoryError(.invalidArgument, field: "startSeconds") {
                _ = try await store.createSingleSchedule(
                    tenant: tenant,
                    SingleSchedule(name: "p", startSeconds: now - 1)
                )
            }
            await expectInventoryError(.invalidArgument, field: "endSeconds") {
                _ = try await store.createSingleSchedule(
                    tenant: tenant,
                    SingleSchedule(name: "e", startSeconds: now + 100, endSeconds: now + 100)
                )
            }
            await expectInventoryError(.invalidArgument, field: "scheduleStatus") {
                _ = try await store.createSingleSchedule(
                    tenant: tenant,
                    SingleSchedule(name: "s", scheduleStatus: .unspecified, startSeconds: now + 100)
                )
            }
            for (field, schedule) in [
                ("cronMinutes", RepeatedSchedule(name: "c", cronMinutes: "*/5")),
                ("cronHours", RepeatedSchedule(name: "c", cronHours: "24")),
                ("cronDayMonth", RepeatedSchedule(name: "c", cronDayMonth: "0")),
                ("cronMonth", RepeatedSchedule(name: "c", cronMonth: "1-5")),
                ("cronDayWeek", RepeatedSchedule(name: "c", cronDayWeek: "7")),
                ("durationSeconds", RepeatedSchedule(name: "c", durationSeconds: 86_401)),
            ] {
                await expectInventoryError(.invalidArgument, field: field) {
                    _ = try await store.createRepeatedSchedule(tenant: tenant, schedule)
                }
            }
            await expectInventoryError(.notFound) {
                _ = try await store.createRepeatedSchedule(
                    tenant: tenant,
                    RepeatedSchedule(name: "t", target: .site("site-00000000"))
                )
            }
            #expect(try await store.singleSchedules(tenant: tenant, try ScheduleQuery()).totalElements == 0)
            #expect(try await store.repeatedSchedules(tenant: tenant, try ScheduleQuery()).totalElements == 0)

            // An update may keep a start that is now in the past, but not move it into the past.
            var schedule = try await store.createSingleSchedule(
                tenant: tenant,
                SingleSchedule(name: "u", target: .host(fleet.hosts[0].resourceId), startSeconds: now + 10)
            )
            clock.advance(seconds: 60)
            schedule.name = "renamed"
            schedule = try await store.updateSingleSchedule(tenant: tenant, schedule)
            #expect(schedule.name == "renamed")
            schedule.startSeconds = now + 20
            await expectInventoryError(.invalidArgument, field: "startSeconds") {
                _ = try await store.updateSingleSchedule(tenant: tenant, schedule)
            }
            var weekly = try await store.createRepeatedSchedule(tenant: tenant, RepeatedSchedule(name: "w"))
            weekly.cronDayWeek = "0,6"
            #expect(try await store.updateRepeatedSchedule(tenant: tenant, weekly).cronDayWeek == "0,6")
            try await store.deleteRepeatedSchedule(tenant: tenant, id: weekly.resourceId)
        }
    }
}
