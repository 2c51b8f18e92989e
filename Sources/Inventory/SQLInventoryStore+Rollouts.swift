import Day2Model
import Foundation

extension Rollout: StoredResource {}

extension Tables {
    /// Rollouts: the waves (spec, state, counts, times) are one JSON column; the hosts are rows of `rollout_hosts`.
    static let rollouts = ResourceTable<Rollout>(
        name: "rollouts",
        label: "rollout",
        kind: .rollout,
        columns: [
            "name", "os_update_policy_id", "target_kind", "target_value", "waves", "success_threshold",
            "failure_threshold", "soak_seconds", "commit_deadline_seconds", "start_seconds", "respect_windows",
            "window_seconds", "state", "state_reason", "current_wave",
        ],
        scope: nil,
        encode: { rollout in
            let (kind, value) = RolloutColumns.target(rollout.target)
            return [
                .text(rollout.name), .text(rollout.osUpdatePolicyId), .text(kind), .text(value),
                ColumnJSON.encode(rollout.waves), .integer(Int64(rollout.successThreshold)),
                .integer(Int64(rollout.failureThreshold)), .integer(rollout.soakSeconds),
                .integer(rollout.commitDeadlineSeconds), .integer(rollout.startSeconds),
                .bool(rollout.respectMaintenanceWindows), .integer(rollout.windowSeconds),
                .text(rollout.state.rawValue), .text(rollout.stateReason), .integer(Int64(rollout.currentWave)),
            ]
        },
        decode: { row in
            Rollout(
                resourceId: row.string("resource_id"),
                name: row.string("name"),
                osUpdatePolicyId: row.string("os_update_policy_id"),
                target: RolloutColumns.target(kind: row.string("target_kind"), value: row.string("target_value")),
                waves: ColumnJSON.decode([RolloutWave].self, row.string("waves"), default: []),
                successThreshold: Int(row.int("success_threshold")),
                failureThreshold: Int(row.int("failure_threshold")),
                soakSeconds: row.int("soak_seconds"),
                commitDeadlineSeconds: row.int("commit_deadline_seconds"),
                startSeconds: row.int("start_seconds"),
                respectMaintenanceWindows: row.int("respect_windows") != 0,
                windowSeconds: row.int("window_seconds"),
                state: row.enumeration("state", as: RolloutState.self),
                stateReason: row.string("state_reason"),
                currentWave: Int(row.int("current_wave")),
                timestamps: Timestamps(createdAt: row.int("created_at"), updatedAt: row.int("updated_at"))
            )
        }
    )

    /// The columns of `rollout_hosts` a host record is read from.
    static let rolloutHostColumns =
        "rh.host_id, rh.wave, rh.position, rh.state, rh.reason, rh.reason_detail, rh.run_id, rh.opened_at, "
        + "rh.started_at, rh.ended_at, rh.active"
}

/// Conversions between rollout values and their columns.
enum RolloutColumns {
    /// The candidate columns of a target set's hosts: host, instance, OS and the rollout that owns the host
    /// (other than the one bound first).
    static let candidateSelect =
        "SELECT h.resource_id AS host_id, h.name AS host_name, h.site_id, h.desired_state AS h_desired, "
        + "h.current_state AS h_current, i.resource_id AS instance_id, i.os_id, i.desired_state AS i_desired, "
        + "i.current_state AS i_current, o.os_type, o.profile_name, o.image_id, "
        + "(SELECT rh.rollout_id FROM rollout_hosts rh WHERE rh.tenant_id = h.tenant_id AND rh.host_id = h.resource_id "
        + "AND rh.active = 1 AND rh.rollout_id <> ?) AS other_rollout "
        + "FROM hosts h LEFT JOIN instances i ON i.tenant_id = h.tenant_id AND i.host_id = h.resource_id "
        + "LEFT JOIN os_resources o ON o.tenant_id = i.tenant_id AND o.resource_id = i.os_id "

    static func target(_ target: RolloutTarget) -> (kind: String, value: String) {
        switch target {
        case .region(let id): ("region", id)
        case .site(let id): ("site", id)
        case .filter(let text): ("filter", text)
        case .hosts(let ids):
            ("hosts", String(decoding: (try? JSONEncoder().encode(ids)) ?? Data("[]".utf8), as: UTF8.self))
        }
    }

    static func target(kind: String, value: String) -> RolloutTarget {
        switch kind {
        case "region": .region(value)
        case "site": .site(value)
        case "filter": .filter(value)
        default: .hosts(ColumnJSON.decode([String].self, value, default: []))
        }
    }

    static func host(_ row: SQLRow) -> RolloutHost {
        RolloutHost(
            hostId: row.string("host_id"),
            wave: Int(row.int("wave")),
            position: Int(row.int("position")),
            state: row.enumeration("state", as: RolloutHostState.self),
            reason: row.optionalString("reason").flatMap(RolloutHostReason.init(rawValue:)),
            reasonDetail: row.string("reason_detail"),
            runId: row.optionalString("run_id"),
            openedAt: row.optionalInt("opened_at"),
            startedAt: row.optionalInt("started_at"),
            endedAt: row.optionalInt("ended_at"),
            active: row.int("active") != 0
        )
    }

    /// A poll's membership from the `rh_`/`ro_` columns of the host lookup; nil when no rollout owns the host.
    static func membership(_ row: SQLRow) -> RolloutMembership? {
        guard let rolloutId = row.optionalString("rh_rollout_id"), let state = row.optionalString("ro_state") else {
            return nil
        }
        return RolloutMembership(
            rolloutId: rolloutId,
            hostState: RolloutHostState(rawValue: row.string("rh_state")) ?? .pending,
            openedAt: row.optionalInt("rh_opened_at"),
            rolloutState: RolloutState(rawValue: state) ?? .paused,
            policyId: row.string("ro_policy"),
            respectMaintenanceWindows: row.int("ro_respect") != 0,
            windowSeconds: row.int("ro_window")
        )
    }
}

extension SQLInventoryStore {
    // MARK: Create and preview

    public func createRollout(tenant: String, _ rollout: Rollout) async throws -> Rollout {
        var draft = rollout
        let now = nowSeconds
        if draft.startSeconds == 0 { draft.startSeconds = now }
        try validated(draft.validate)
        let checked = draft
        let created = try await atomically { store in
            let (plan, _) = try await store.plan(tenant: tenant, checked)
            let owned = plan.filter { $0.candidate.otherRollout != nil }
            if let first = owned.first {
                throw InventoryError(
                    .conflict,
                    "target: \(owned.count) hosts of the target set already belong to an unfinished rollout "
                        + "(first: host \(first.candidate.hostId) in \(first.candidate.otherRollout ?? ""))",
                    field: "target"
                )
            }
            var value = checked
            value.waves = RolloutPlanner.waves(of: checked, plan: plan)
            value.state = .scheduled
            value.currentWave = -1
            value.stateReason = ""
            let started = RolloutMachine.advance(value, observations: [], now: now)
            value = try await store.insert(Tables.rollouts, tenant: tenant, started.rollout)
            try await store.insertRolloutHosts(
                tenant: tenant,
                rolloutId: value.resourceId,
                plan,
                openedWaves: Set(started.openedWaves),
                now: now
            )
            // A rollout that ends at creation (its hosts need nothing) owns none of them; no run can be under way.
            if let reason = started.endPending {
                try await store.execute(
                    "UPDATE rollout_hosts SET state = ?, reason = ?, ended_at = ? WHERE tenant_id = ? AND rollout_id = ? "
                        + "AND state = ?",
                    [
                        .text(RolloutHostState.skipped.rawValue), .text(reason.rawValue), .integer(now),
                        .text(tenant), .text(value.resourceId), .text(RolloutHostState.pending.rawValue),
                    ]
                )
            }
            if started.releaseFinishedHosts {
                try await store.execute(
                    "UPDATE rollout_hosts SET active = 0 WHERE tenant_id = ? AND rollout_id = ?",
                    [.text(tenant), .text(value.resourceId)]
                )
            }
            return (value, plan.count)
        }
        // PostgreSQL plans the poll's lookup from table statistics: analysed while the table was small, it would keep
        // scanning every row of a large rollout for each poll (measured: a tenth of the poll rate at 20,000 hosts).
        if executor.dialect == .postgres && created.1 >= 1000 {
            try? await execute("ANALYZE rollout_hosts", [])
        }
        return created.0
    }

    public func previewRollout(tenant: String, _ rollout: Rollout) async throws -> RolloutPreview {
        var draft = rollout
        let now = nowSeconds
        if draft.startSeconds == 0 { draft.startSeconds = now }
        try validated(draft.validate)
        let checked = draft
        let (plan, _) = try await plan(tenant: tenant, checked)
        var planned = checked
        planned.waves = RolloutPlanner.waves(of: checked, plan: plan)
        let windows = try await scheduleIndex(tenant: tenant)
        return RolloutPreview.build(
            planned,
            plan: plan,
            now: now,
            ownSchedules: { windows.own[$0] },
            siteSchedules: { windows.site($0) }
        )
    }

    public func previewRollout(tenant: String, id: String) async throws -> RolloutPreview {
        let rollout = try await self.rollout(tenant: tenant, id: id)
        let rows = try await query(
            "SELECT \(Tables.rolloutHostColumns) FROM rollout_hosts rh WHERE rh.tenant_id = ? AND rh.rollout_id = ? "
                + "ORDER BY rh.position",
            [.text(tenant), .text(id)]
        )
        let records = rows.map(RolloutColumns.host)
        let policy = try await resolution(tenant: tenant, policyId: rollout.osUpdatePolicyId)
        let candidates = try await candidates(tenant: tenant, hostIds: records.map(\.hostId), excluding: id)
        let byId = Dictionary(candidates.map { ($0.hostId, $0) }, uniquingKeysWith: { a, _ in a })
        let plan = records.map { record -> PlannedHost in
            let candidate = byId[record.hostId] ?? RolloutCandidate(hostId: record.hostId)
            let offer = candidate.instance.flatMap { try? policy.resolve($0).get() }
            return PlannedHost(
                candidate: candidate,
                wave: record.wave,
                position: record.position,
                state: record.state,
                reason: record.reason,
                offer: offer
            )
        }
        var starts: [Int: Int64] = [:]
        for (index, wave) in rollout.waves.enumerated() where wave.startTime > 0 { starts[index] = wave.startTime }
        let windows = try await scheduleIndex(tenant: tenant)
        return RolloutPreview.build(
            rollout,
            plan: plan,
            now: nowSeconds,
            waveStarts: starts,
            ownSchedules: { windows.own[$0] },
            siteSchedules: { windows.site($0) }
        )
    }

    /// The plan of a rollout over its target set as the store holds it now.
    private func plan(tenant: String, _ rollout: Rollout) async throws -> ([PlannedHost], PolicyResolution) {
        let policy = try await resolution(tenant: tenant, policyId: rollout.osUpdatePolicyId)
        let candidates = try await candidates(tenant: tenant, target: rollout.target)
        do {
            return (try RolloutPlanner.plan(rollout, candidates: candidates, policy: policy), policy)
        } catch {
            throw InventoryError.invalid(error)
        }
    }

    /// The policy with its target OS (TARGET) or the newest image of every profile (LATEST).
    private func resolution(tenant: String, policyId: String) async throws -> PolicyResolution {
        try checkID(policyId, Tables.policies, field: "osUpdatePolicyId")
        guard let policy = try await fetchOptional(Tables.policies, tenant: tenant, id: policyId) else {
            throw InventoryError(.notFound, "osUpdatePolicyId: OS Update Policy \(policyId) not found")
        }
        var resolution = PolicyResolution(policy: policy)
        if let target = policy.targetOsId {
            resolution.targetOS = try await fetchOptional(Tables.osResources, tenant: tenant, id: target)
        }
        if policy.updatePolicy == .latest {
            let images = try await fetchWhere(
                Tables.osResources,
                tenant: tenant,
                "os_type = ?",
                [.text(OSType.immutable.rawValue)]
            )
            for (profile, group) in Dictionary(grouping: images, by: \.profileName) {
                resolution.newestByProfile[profile] = OSResource.newest(of: group)
            }
        }
        return resolution
    }

    private static func candidate(_ row: SQLRow) -> RolloutCandidate {
        let untrustedHost =
            row.string("h_desired") == HostState.untrusted.rawValue
            || row.string("h_current") == HostState.untrusted.rawValue
        var instance: RolloutCandidate.InstanceFacts?
        if let instanceId = row.optionalString("instance_id") {
            instance = RolloutCandidate.InstanceFacts(
                instanceId: instanceId,
                osId: row.string("os_id"),
                osType: OSType(rawValue: row.string("os_type")) ?? .unspecified,
                profileName: row.string("profile_name"),
                imageId: row.string("image_id"),
                untrusted: row.string("i_desired") == InstanceState.untrusted.rawValue
                    || row.string("i_current") == InstanceState.untrusted.rawValue
            )
        }
        return RolloutCandidate(
            hostId: row.string("host_id"),
            hostName: row.string("host_name"),
            siteId: row.optionalString("site_id"),
            untrusted: untrustedHost,
            instance: instance,
            otherRollout: row.optionalString("other_rollout")
        )
    }

    /// The hosts of a target set, each with its instance, OS and owning rollout.
    private func candidates(tenant: String, target: RolloutTarget) async throws -> [RolloutCandidate] {
        let select = RolloutColumns.candidateSelect
        switch target {
        case .site(let id):
            try await requireExists(Tables.sites, tenant: tenant, id: id, field: "siteId")
            return try await query(
                select + "WHERE h.tenant_id = ? AND h.site_id = ?",
                [.text(""), .text(tenant), .text(id)]
            ).map(Self.candidate)
        case .region(let id):
            try await requireExists(Tables.regions, tenant: tenant, id: id, field: "regionId")
            let tree =
                "WITH RECURSIVE tree(id) AS (SELECT resource_id FROM regions WHERE tenant_id = ? AND resource_id = ? "
                + "UNION ALL SELECT r.resource_id FROM regions r JOIN tree t ON r.parent_region_id = t.id "
                + "WHERE r.tenant_id = ?) "
            return try await query(
                tree + select
                    + "WHERE h.tenant_id = ? AND h.site_id IN (SELECT s.resource_id FROM sites s WHERE s.tenant_id = ? "
                    + "AND s.region_id IN (SELECT id FROM tree))",
                [.text(tenant), .text(id), .text(tenant), .text(""), .text(tenant), .text(tenant)]
            ).map(Self.candidate)
        case .filter(let text):
            var translator = FilterTranslator(dialect: executor.dialect, tenant: tenant)
            let condition: String
            do throws(ValidationError) {
                guard let filter = try FilterParser.parse(text) else {
                    throw ValidationError(field: "filter", rule: "must not be empty")
                }
                condition = try translator.condition(filter, table: "hosts", alias: "h")
            } catch {
                throw InventoryError.invalid(ValidationError(field: "filter", rule: error.rule))
            }
            return try await query(
                select + "WHERE h.tenant_id = ? AND \(condition)",
                [.text(""), .text(tenant)] + translator.binds
            ).map(Self.candidate)
        case .hosts(let ids):
            let found = try await candidates(tenant: tenant, hostIds: ids, excluding: "")
            if found.count < ids.count {
                let known = Set(found.map(\.hostId))
                if let (index, missing) = ids.enumerated().first(where: { !known.contains($0.element) }) {
                    throw InventoryError(.notFound, "hostIds[\(index)]: host \(missing) not found")
                }
            }
            return found
        }
    }

    /// Candidates by host ID (bounded IN lists), an owning rollout other than `excluding` reported.
    private func candidates(tenant: String, hostIds: [String], excluding: String) async throws -> [RolloutCandidate] {
        var result: [RolloutCandidate] = []
        result.reserveCapacity(hostIds.count)
        for start in stride(from: 0, to: hostIds.count, by: 500) {
            let chunk = hostIds[start..<min(start + 500, hostIds.count)]
            let marks = Array(repeating: "?", count: chunk.count).joined(separator: ", ")
            result += try await query(
                RolloutColumns.candidateSelect + "WHERE h.tenant_id = ? AND h.resource_id IN (\(marks))",
                [.text(excluding), .text(tenant)] + chunk.map(SQLValue.text)
            ).map(Self.candidate)
        }
        return result
    }

    /// Writes the planned hosts in multi-row statements.
    private func insertRolloutHosts(
        tenant: String,
        rolloutId: String,
        _ plan: [PlannedHost],
        openedWaves: Set<Int>,
        now: Int64
    ) async throws {
        let columns =
            "tenant_id, rollout_id, host_id, wave, position, state, reason, reason_detail, opened_at, active"
        for start in stride(from: 0, to: plan.count, by: 200) {
            let chunk = plan[start..<min(start + 200, plan.count)]
            let rows = Array(repeating: "(?, ?, ?, ?, ?, ?, ?, '', ?, 1)", count: chunk.count).joined(separator: ", ")
            var binds: [SQLValue] = []
            binds.reserveCapacity(chunk.count * 8)
            for host in chunk {
                binds += [
                    .text(tenant), .text(rolloutId), .text(host.candidate.hostId), .integer(Int64(host.wave)),
                    .integer(Int64(host.position)), .text(host.state.rawValue), .optional(host.reason?.rawValue),
                    openedWaves.contains(host.wave) ? .integer(now) : .null,
                ]
            }
            try await execute("INSERT INTO rollout_hosts (\(columns)) VALUES \(rows)", binds)
        }
    }

    /// Every window-opening schedule of a project, indexed the way a host inherits them.
    private func scheduleIndex(tenant: String) async throws -> ScheduleIndex {
        let single = try await fetchWhere(Tables.singleSchedules, tenant: tenant, "1 = 1", [])
        let repeated = try await fetchWhere(Tables.repeatedSchedules, tenant: tenant, "1 = 1", [])
        let regions = try await query(
            "SELECT resource_id, parent_region_id FROM regions WHERE tenant_id = ?",
            [.text(tenant)]
        )
        let sites = try await query("SELECT resource_id, region_id FROM sites WHERE tenant_id = ?", [.text(tenant)])
        var index = ScheduleIndex()
        for row in regions { index.regionParent[row.string("resource_id")] = row.optionalString("parent_region_id") }
        for row in sites { index.siteRegion[row.string("resource_id")] = row.optionalString("region_id") }
        for schedule in single {
            switch schedule.target {
            case .host(let id): index.own[id, default: HostSchedules()].single.append(schedule)
            case .site(let id): index.bySite[id, default: HostSchedules()].single.append(schedule)
            case .region(let id): index.byRegion[id, default: HostSchedules()].single.append(schedule)
            case .none: break
            }
        }
        for schedule in repeated {
            switch schedule.target {
            case .host(let id): index.own[id, default: HostSchedules()].repeated.append(schedule)
            case .site(let id): index.bySite[id, default: HostSchedules()].repeated.append(schedule)
            case .region(let id): index.byRegion[id, default: HostSchedules()].repeated.append(schedule)
            case .none: break
            }
        }
        return index
    }

    // MARK: Read

    public func rollout(tenant: String, id: String) async throws -> Rollout {
        try await fetch(Tables.rollouts, tenant: tenant, id: id)
    }

    public func rollouts(tenant: String, _ query: ListQuery) async throws -> Page<Rollout> {
        try await list(Tables.rollouts, tenant: tenant, query)
    }

    public func deleteRollout(tenant: String, id: String) async throws {
        try checkID(id, Tables.rollouts)
        try await atomically { store in
            let rollout = try await store.fetch(Tables.rollouts, tenant: tenant, id: id)
            let active = try await store.count("rollout_hosts", tenant: tenant, "rollout_id = ? AND active = 1", [.text(id)])
            guard rollout.state.isFinished, active == 0 else {
                throw InventoryError(
                    .conflict,
                    "Cannot delete rollout \(id) in state \(rollout.state.rawValue): cancel it first"
                        + (rollout.state.isFinished ? " (\(active) hosts are still updating)" : "")
                )
            }
            try await store.execute(
                "DELETE FROM rollout_hosts WHERE tenant_id = ? AND rollout_id = ?",
                [.text(tenant), .text(id)]
            )
            try await store.remove(Tables.rollouts, tenant: tenant, id: id)
        }
    }

    public func rolloutHosts(
        tenant: String,
        rolloutId: String,
        _ query: RolloutHostQuery
    ) async throws -> Page<RolloutHostEntry> {
        _ = try await rollout(tenant: tenant, id: rolloutId)
        var condition = "rh.tenant_id = ? AND rh.rollout_id = ?"
        var binds: [SQLValue] = [.text(tenant), .text(rolloutId)]
        if let state = query.state {
            condition += " AND rh.state = ?"
            binds.append(.text(state.rawValue))
        }
        if let wave = query.wave {
            condition += " AND rh.wave = ?"
            binds.append(.integer(Int64(wave)))
        }
        var sql =
            "SELECT \(Tables.rolloutHostColumns), h.name AS host_name, h.site_id FROM rollout_hosts rh "
            + "JOIN hosts h ON h.tenant_id = rh.tenant_id AND h.resource_id = rh.host_id WHERE \(condition) "
            + "ORDER BY rh.position"
        var pageBinds = binds
        if let pageSize = query.pageSize {
            sql += " LIMIT ? OFFSET ?"
            pageBinds += [.integer(Int64(pageSize)), .integer(Int64(query.offset))]
        } else if query.offset > 0 {
            sql += " " + executor.dialect.offsetWithoutLimit
            pageBinds.append(.integer(Int64(query.offset)))
        }
        let items = try await self.query(sql, pageBinds).map { row in
            RolloutHostEntry(
                host: RolloutColumns.host(row),
                hostName: row.string("host_name"),
                siteId: row.optionalString("site_id")
            )
        }
        let total = try await count("rollout_hosts rh", tenant: tenant, "1 = 1 AND \(condition)", binds)
        return Page(items: items, totalElements: total, hasNext: query.offset + items.count < total)
    }

    // MARK: The controller

    public func rolloutWork() async throws -> [RolloutWork] {
        let columns = Tables.rollouts.selectList.split(separator: ", ").map { "t.\($0)" }.joined(separator: ", ")
        let rows = try await query(
            "SELECT t.tenant_id, t.version, \(columns) FROM rollouts t WHERE t.state IN (?, ?, ?) "
                + "OR EXISTS (SELECT 1 FROM rollout_hosts rh WHERE rh.tenant_id = t.tenant_id "
                + "AND rh.rollout_id = t.resource_id AND rh.active = 1) ORDER BY t.created_at",
            [RolloutState.scheduled, .running, .paused].map { .text($0.rawValue) }
        )
        return rows.map { row in
            RolloutWork(tenant: row.string("tenant_id"), rollout: Tables.rollouts.decode(row), version: row.int("version"))
        }
    }

    /// The rollout `id` with its version, for an operator action.
    public func rolloutWork(tenant: String, id: String) async throws -> RolloutWork {
        try checkID(id, Tables.rollouts)
        let rows = try await query(
            "SELECT version, \(Tables.rollouts.selectList) FROM rollouts WHERE tenant_id = ? AND resource_id = ?",
            [.text(tenant), .text(id)]
        )
        guard let row = rows.first else { throw InventoryError.notFound(Tables.rollouts.label, id) }
        return RolloutWork(tenant: tenant, rollout: Tables.rollouts.decode(row), version: row.int("version"))
    }

    public func rolloutObservations(tenant: String, rolloutId: String) async throws -> [RolloutObservation] {
        let rows = try await query(
            "SELECT \(Tables.rolloutHostColumns), r.resource_id AS r_id, r.status_indicator AS r_indicator, "
                + "r.status AS r_status, r.status_details AS r_details, r.status_timestamp AS r_status_timestamp, "
                + "r.start_time AS r_start, r.end_time AS r_end FROM rollout_hosts rh "
                + "JOIN rollouts ro ON ro.tenant_id = rh.tenant_id AND ro.resource_id = rh.rollout_id "
                + "LEFT JOIN instances i ON i.tenant_id = rh.tenant_id AND i.host_id = rh.host_id "
                // The newest run not ended before the wave opened: one opened since, or one already under way then
                // (a host caught mid-update when its wave opened is followed to that update's outcome).
                + "LEFT JOIN os_update_runs r ON r.tenant_id = rh.tenant_id AND r.resource_id = ("
                + "SELECT r2.resource_id FROM os_update_runs r2 WHERE r2.tenant_id = rh.tenant_id "
                + "AND r2.instance_id = i.resource_id AND r2.end_time >= rh.opened_at "
                + "ORDER BY r2.start_time DESC, r2.resource_id DESC LIMIT 1) "
                + "WHERE rh.tenant_id = ? AND rh.rollout_id = ? AND rh.state IN (?, ?) AND rh.opened_at IS NOT NULL "
                // Pending hosts without a run only once the window the rollout opened for them has closed.
                + "AND (rh.state = ? OR r.resource_id IS NOT NULL "
                + "OR (ro.respect_windows = 0 AND rh.opened_at + ro.window_seconds < ?))",
            [
                .text(tenant), .text(rolloutId), .text(RolloutHostState.pending.rawValue),
                .text(RolloutHostState.updating.rawValue), .text(RolloutHostState.updating.rawValue),
                .integer(nowSeconds),
            ]
        )
        return rows.map { row in
            var run: ObservedRun?
            if let id = row.optionalString("r_id") {
                let end = row.int("r_end")
                run = ObservedRun(
                    runId: id,
                    indicator: row.enumeration("r_indicator", as: StatusIndication.self),
                    status: row.string("r_status"),
                    details: row.string("r_details"),
                    statusTimestamp: row.int("r_status_timestamp"),
                    startTime: row.int("r_start"),
                    endTime: end == OSUpdateRun.openEndTime ? nil : end
                )
            }
            return RolloutObservation(host: RolloutColumns.host(row), run: run)
        }
    }

    public func rolloutCounts(tenant: String, rolloutId: String) async throws -> [Int: RolloutCounts] {
        let rows = try await query(
            "SELECT wave, state, COUNT(*) AS n FROM rollout_hosts WHERE tenant_id = ? AND rollout_id = ? "
                + "GROUP BY wave, state",
            [.text(tenant), .text(rolloutId)]
        )
        var counts: [Int: RolloutCounts] = [:]
        for row in rows {
            guard let state = RolloutHostState(rawValue: row.string("state")) else { continue }
            counts[Int(row.int("wave")), default: RolloutCounts()][state] += Int(row.int("n"))
        }
        return counts
    }

    public func applyRolloutAdvance(
        tenant: String,
        _ advance: RolloutAdvance,
        version: Int64,
        now: Int64
    ) async throws -> Bool {
        let rollout = advance.rollout
        return try await atomically { store in
            let assignments = (Tables.rollouts.columns + ["updated_at"]).map { "\($0) = ?" }.joined(separator: ", ")
            let updated = try await store.query(
                "UPDATE rollouts SET \(assignments), version = version + 1 WHERE tenant_id = ? AND resource_id = ? "
                    + "AND version = ? RETURNING resource_id",
                Tables.rollouts.encode(rollout)
                    + [.integer(store.nowMilliseconds), .text(tenant), .text(rollout.resourceId), .integer(version)]
            )
            guard !updated.isEmpty else { return false }
            for host in advance.changedHosts {
                try await store.execute(
                    "UPDATE rollout_hosts SET state = ?, reason = ?, reason_detail = ?, run_id = ?, started_at = ?, "
                        + "ended_at = ?, active = ? WHERE tenant_id = ? AND rollout_id = ? AND host_id = ?",
                    [
                        .text(host.state.rawValue), .optional(host.reason?.rawValue), .text(host.reasonDetail),
                        .optional(host.runId), .optional(host.startedAt), .optional(host.endedAt), .bool(host.active),
                        .text(tenant), .text(rollout.resourceId), .text(host.hostId),
                    ]
                )
            }
            for wave in advance.openedWaves {
                try await store.execute(
                    "UPDATE rollout_hosts SET opened_at = ? WHERE tenant_id = ? AND rollout_id = ? AND wave = ? "
                        + "AND opened_at IS NULL",
                    [.integer(now), .text(tenant), .text(rollout.resourceId), .integer(Int64(wave))]
                )
            }
            for runId in advance.runsToFail {
                try await store.failRunPastDeadline(tenant: tenant, runId: runId, rollout: rollout, now: now)
            }
            if let reason = advance.endPending {
                // A pending host whose update run opened since its wave did (the controller has not seen it yet)
                // is writing its image: it stays owned and is followed to its outcome like an updating one.
                try await store.execute(
                    "UPDATE rollout_hosts SET state = ?, reason = ?, ended_at = ?, active = 0 WHERE tenant_id = ? "
                        + "AND rollout_id = ? AND state = ? AND NOT (opened_at IS NOT NULL AND EXISTS ("
                        + "SELECT 1 FROM instances i JOIN os_update_runs r ON r.tenant_id = i.tenant_id "
                        + "AND r.instance_id = i.resource_id WHERE i.tenant_id = rollout_hosts.tenant_id "
                        + "AND i.host_id = rollout_hosts.host_id AND r.end_time = ?))",
                    [
                        .text(RolloutHostState.skipped.rawValue), .text(reason.rawValue), .integer(now),
                        .text(tenant), .text(rollout.resourceId), .text(RolloutHostState.pending.rawValue),
                        .integer(OSUpdateRun.openEndTime),
                    ]
                )
            }
            if advance.releaseFinishedHosts {
                try await store.execute(
                    "UPDATE rollout_hosts SET active = 0 WHERE tenant_id = ? AND rollout_id = ? AND active = 1 "
                        + "AND state IN (?, ?, ?)",
                    [
                        .text(tenant), .text(rollout.resourceId), .text(RolloutHostState.updated.rawValue),
                        .text(RolloutHostState.failed.rawValue), .text(RolloutHostState.skipped.rawValue),
                    ]
                )
            }
            return true
        }
    }

    /// Closes a run whose host missed the rollout's commit deadline as failed, and marks its instance failed.
    private func failRunPastDeadline(tenant: String, runId: String, rollout: Rollout, now: Int64) async throws {
        guard var run = try await fetchOptional(Tables.runs, tenant: tenant, id: runId), run.isOpen else { return }
        run.status = "Update failed"
        run.statusIndicator = .error
        run.statusTimestamp = now
        run.statusDetails =
            "deadline: no UPDATED report within the commit deadline of \(rollout.commitDeadlineSeconds) s "
            + "of rollout \(rollout.resourceId)"
        run.endTime = now
        _ = try await updateRun(tenant: tenant, run)
        var instance = try await instance(tenant: tenant, id: run.instanceId)
        instance.updateStatus = StatusTriplet(status: "Update failed", indicator: .error, timestamp: now)
        _ = try await updateInstance(tenant: tenant, instance)
    }
}

/// A project's window-opening schedules by what they target, and the site → region → parent chain.
struct ScheduleIndex {
    var own: [String: HostSchedules] = [:]
    var bySite: [String: HostSchedules] = [:]
    var byRegion: [String: HostSchedules] = [:]
    var siteRegion: [String: String?] = [:]
    var regionParent: [String: String?] = [:]

    /// What a host of `siteId` inherits: the site's schedules and those of every region above it.
    func site(_ siteId: String?) -> HostSchedules {
        guard let siteId else { return HostSchedules() }
        var all = bySite[siteId] ?? HostSchedules()
        var region = siteRegion[siteId] ?? nil
        var seen = Set<String>()
        while let current = region, seen.insert(current).inserted {
            if let found = byRegion[current] {
                all.single += found.single
                all.repeated += found.repeated
            }
            region = regionParent[current] ?? nil
        }
        return all
    }
}
