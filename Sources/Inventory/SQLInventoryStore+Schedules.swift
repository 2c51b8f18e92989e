import Day2Model
import Foundation

extension SQLInventoryStore {
    public func createSingleSchedule(tenant: String, _ schedule: SingleSchedule) async throws -> SingleSchedule {
        let now = nowSeconds
        try validated { () throws(ValidationError) in try schedule.validate(now: now) }
        return try await atomically { store in
            try await store.checkTarget(tenant: tenant, schedule.target)
            return try await store.insert(Tables.singleSchedules, tenant: tenant, schedule)
        }
    }

    public func singleSchedule(tenant: String, id: String) async throws -> SingleSchedule {
        try await fetch(Tables.singleSchedules, tenant: tenant, id: id)
    }

    public func updateSingleSchedule(tenant: String, _ schedule: SingleSchedule) async throws -> SingleSchedule {
        let now = nowSeconds
        return try await atomically { store in
            let current = try await store.fetch(Tables.singleSchedules, tenant: tenant, id: schedule.resourceId)
            let startChanged = current.startSeconds != schedule.startSeconds
            try store.validated { () throws(ValidationError) in try schedule.validate(now: startChanged ? now : nil) }
            try await store.checkTarget(tenant: tenant, schedule.target)
            return try await store.replace(Tables.singleSchedules, tenant: tenant, schedule)
        }
    }

    public func deleteSingleSchedule(tenant: String, id: String) async throws {
        try await remove(Tables.singleSchedules, tenant: tenant, id: id)
    }

    public func singleSchedules(tenant: String, _ query: ScheduleQuery) async throws -> Page<SingleSchedule> {
        let all = try await scheduleRows(tenant: tenant, query: query, kind: "single").map(Tables.decodeSingle)
        let active = query.unixEpoch.map { t in all.filter { $0.isActive(at: t) } } ?? all
        return Self.paginate(active, pageSize: query.pageSize, offset: query.offset)
    }

    public func createRepeatedSchedule(tenant: String, _ schedule: RepeatedSchedule) async throws -> RepeatedSchedule {
        try validated(schedule.validate)
        return try await atomically { store in
            try await store.checkTarget(tenant: tenant, schedule.target)
            return try await store.insert(Tables.repeatedSchedules, tenant: tenant, schedule)
        }
    }

    public func repeatedSchedule(tenant: String, id: String) async throws -> RepeatedSchedule {
        try await fetch(Tables.repeatedSchedules, tenant: tenant, id: id)
    }

    public func updateRepeatedSchedule(tenant: String, _ schedule: RepeatedSchedule) async throws -> RepeatedSchedule {
        try validated(schedule.validate)
        return try await atomically { store in
            try await store.checkTarget(tenant: tenant, schedule.target)
            return try await store.replace(Tables.repeatedSchedules, tenant: tenant, schedule)
        }
    }

    public func deleteRepeatedSchedule(tenant: String, id: String) async throws {
        try await remove(Tables.repeatedSchedules, tenant: tenant, id: id)
    }

    public func repeatedSchedules(tenant: String, _ query: ScheduleQuery) async throws -> Page<RepeatedSchedule> {
        let all = try await scheduleRows(tenant: tenant, query: query, kind: "repeated").map(Tables.decodeRepeated)
        let active = query.unixEpoch.map { t in all.filter { Self.isActive($0, at: t) } } ?? all
        return Self.paginate(active, pageSize: query.pageSize, offset: query.offset)
    }

    public func schedules(tenant: String, hostId: String) async throws -> HostSchedules {
        Self.split(try await scheduleRows(tenant: tenant, query: try ScheduleQuery(hostId: .id(hostId)), kind: nil))
    }

    public func ownSchedules(tenant: String, hostId: String) async throws -> HostSchedules {
        let rows = try await query(
            "SELECT \(Self.allScheduleColumns) FROM schedules WHERE tenant_id = ? AND target_host_id = ?",
            [.text(tenant), .text(hostId)]
        )
        return Self.split(rows.sorted { $0.string("resource_id") < $1.string("resource_id") })
    }

    public func siteSchedules(tenant: String, siteId: String) async throws -> HostSchedules {
        Self.split(try await scheduleRows(tenant: tenant, query: try ScheduleQuery(siteId: .id(siteId)), kind: nil))
    }

    /// Sorts schedule rows of both kinds into their two lists, keeping their order.
    private static func split(_ rows: [SQLRow]) -> HostSchedules {
        var result = HostSchedules()
        for row in rows {
            if row.string("kind") == "single" {
                result.single.append(Tables.decodeSingle(row))
            } else {
                result.repeated.append(Tables.decodeRepeated(row))
            }
        }
        return result
    }

    /// Whether a repeated schedule's window is open at `t` (UTC cron); a cron that does not parse never is.
    static func isActive(_ schedule: RepeatedSchedule, at t: Int64) -> Bool {
        guard let cron = try? schedule.cron() else { return false }
        return WindowMath.repeatedIsActive(
            cron: cron,
            durationSeconds: schedule.durationSeconds,
            timeZone: TimeZone(identifier: "UTC")!,
            at: t
        )
    }

    static func paginate<T: Sendable>(_ items: [T], pageSize: Int?, offset: Int) -> Page<T> {
        let start = min(offset, items.count)
        let end = pageSize.map { min(start + $0, items.count) } ?? items.count
        return Page(items: Array(items[start..<end]), totalElements: items.count, hasNext: end < items.count)
    }

    private func checkTarget(tenant: String, _ target: ScheduleTarget) async throws {
        switch target {
        case .none: break
        case .host(let id): try await requireExists(Tables.hosts, tenant: tenant, id: id, field: "targetHostId")
        case .site(let id): try await requireExists(Tables.sites, tenant: tenant, id: id, field: "targetSiteId")
        case .region(let id): try await requireExists(Tables.regions, tenant: tenant, id: id, field: "targetRegionId")
        }
    }

    private static var allScheduleColumns: String { Tables.allScheduleColumns }

    /// The schedule rows matching the target constraints, inheritance included, in ID order.
    ///
    /// A host inherits the schedules of its site and of every ancestor region; a site those of its regions;
    /// a region those of its ancestors. The region chain is one recursive query, and each target kind is its own
    /// indexed lookup (a `UNION ALL`), so the cost does not grow with the number of schedules in the project.
    private func scheduleRows(tenant: String, query: ScheduleQuery, kind: String?) async throws -> [SQLRow] {
        var common = ["tenant_id = ?"]
        var commonBinds: [SQLValue] = [.text(tenant)]
        if let kind {
            common.append("kind = ?")
            commonBinds.append(.text(kind))
        }
        for (filter, column) in [
            (query.hostId, "target_host_id"), (query.siteId, "target_site_id"), (query.regionId, "target_region_id"),
        ] {
            if case .withoutTarget = filter { common.append("\(column) IS NULL") }
        }
        let chainStep =
            " UNION SELECT r.parent_region_id FROM regions r JOIN chain c ON r.resource_id = c.rid"
            + " WHERE r.tenant_id = ? AND r.parent_region_id IS NOT NULL)"
        /// Each branch: (extra condition, its binds).
        var branches: [(String, [SQLValue])] = []
        var prefix = ""
        var prefixBinds: [SQLValue] = []
        if case .id(let host) = query.hostId {
            prefix =
                "WITH RECURSIVE chain(rid) AS (SELECT s.region_id FROM hosts h JOIN sites s"
                + " ON s.tenant_id = h.tenant_id AND s.resource_id = h.site_id"
                + " WHERE h.tenant_id = ? AND h.resource_id = ? AND s.region_id IS NOT NULL" + chainStep + " "
            prefixBinds = [.text(tenant), .text(host), .text(tenant)]
            branches = [
                ("target_host_id = ?", [.text(host)]),
                (
                    "target_site_id = (SELECT site_id FROM hosts WHERE tenant_id = ? AND resource_id = ?)",
                    [.text(tenant), .text(host)]
                ),
                ("target_region_id IN (SELECT rid FROM chain)", []),
            ]
        } else if case .id(let site) = query.siteId {
            prefix =
                "WITH RECURSIVE chain(rid) AS (SELECT region_id FROM sites WHERE tenant_id = ? AND resource_id = ?"
                + " AND region_id IS NOT NULL" + chainStep + " "
            prefixBinds = [.text(tenant), .text(site), .text(tenant)]
            branches = [
                ("target_site_id = ?", [.text(site)]),
                ("target_region_id IN (SELECT rid FROM chain)", []),
            ]
        } else if case .id(let region) = query.regionId {
            prefix =
                "WITH RECURSIVE chain(rid) AS (SELECT resource_id FROM regions WHERE tenant_id = ? AND resource_id = ?"
                + chainStep + " "
            prefixBinds = [.text(tenant), .text(region), .text(tenant)]
            branches = [("target_region_id IN (SELECT rid FROM chain)", [])]
        } else {
            branches = [("1 = 1", [])]
        }
        var sql = prefix
        var binds = prefixBinds
        for (index, branch) in branches.enumerated() {
            if index > 0 { sql += " UNION ALL " }
            sql +=
                "SELECT \(Self.allScheduleColumns) FROM schedules WHERE \((common + [branch.0]).joined(separator: " AND "))"
            binds += commonBinds + branch.1
        }
        // Sorted here, not in SQL: an ORDER BY makes SQLite walk the (tenant, id) index of every branch to avoid a
        // sort, scanning all of the project's schedules instead of the few that apply.
        return try await self.query(sql, binds).sorted { $0.string("resource_id") < $1.string("resource_id") }
    }
}
