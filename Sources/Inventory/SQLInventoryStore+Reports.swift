import Day2Model

extension SQLInventoryStore {
    /// Writes a batch of agents' reports with a handful of statements whatever its size: one `UPDATE … FROM (VALUES
    /// …)` for the instances, one read of their open runs, one `UPDATE … FROM (VALUES …)` for the runs that advance,
    /// one check of the new runs' IDs and one multi-row `INSERT` for the runs that open. The same SQL serves SQLite
    /// (3.33 or newer) and PostgreSQL; on PostgreSQL, where every statement is a round trip, a batch of 128 reports
    /// costs about six round trips instead of four to six per report.
    public func recordReports(_ records: [ReportRecord]) async throws {
        for record in records {
            try validated(record.report.validate)
            if let run = record.run {
                try validated(run.newRun(instanceId: record.report.instanceId).validate)
            }
        }
        try await atomically { store in
            for round in Self.rounds(records) {
                for (tenant, group) in Dictionary(grouping: round, by: \.tenant) {
                    try await store.recordRound(tenant: tenant, group)
                }
            }
        }
    }

    /// The records cut into rounds in which every instance appears once, in order: a second report of the same
    /// instance in one batch sees the run the first one opened.
    static func rounds(_ records: [ReportRecord]) -> [[ReportRecord]] {
        var rounds: [[ReportRecord]] = []
        var seen: [Set<String>] = []
        for record in records {
            let id = record.report.instanceId
            // After the last round that already has this instance: order per instance is kept.
            let last = seen.lastIndex { $0.contains(id) } ?? -1
            if last + 1 < rounds.count {
                rounds[last + 1].append(record)
                seen[last + 1].insert(id)
            } else {
                rounds.append([record])
                seen.append([id])
            }
        }
        return rounds
    }

    /// One round of one project: instances, then the runs.
    private func recordRound(tenant: String, _ records: [ReportRecord]) async throws {
        let stamp = nowMilliseconds
        for chunk in Self.chunks(records, of: 100) {
            let values = Array(repeating: "(?, ?, ?, ?, ?, ?, ?)", count: chunk.count).joined(separator: ", ")
            var binds: [SQLValue] = [.integer(stamp)]
            binds.reserveCapacity(chunk.count * 7 + 2)
            for record in chunk {
                let report = record.report
                binds += [
                    .text(report.instanceId), .text(report.updateStatus.status),
                    .text(report.updateStatus.indicator.rawValue), .integer(report.updateStatus.timestamp),
                    .text(report.osUpdateAvailable), .optional(report.osId), .optional(report.existingCves),
                ]
            }
            binds.append(.text(tenant))
            let updated = try await query(
                "UPDATE instances SET update_status = v.column2, update_status_indicator = v.column3, "
                    + "update_status_timestamp = v.column4, os_update_available = v.column5, "
                    + "os_id = COALESCE(v.column6, instances.os_id), "
                    + "existing_cves = COALESCE(v.column7, instances.existing_cves), updated_at = ? "
                    + "FROM (VALUES \(values)) AS v WHERE instances.tenant_id = ? "
                    + "AND instances.resource_id = v.column1 RETURNING instances.resource_id",
                binds
            )
            if updated.count < chunk.count {
                let found = Set(updated.map { $0.string("resource_id") })
                let missing = chunk.first { !found.contains($0.report.instanceId) }?.report.instanceId ?? ""
                throw InventoryError.notFound(Tables.instances.label, missing)
            }
        }
        let changes = records.filter { $0.run != nil }
        guard !changes.isEmpty else { return }
        let open = try await openRuns(tenant: tenant, instanceIds: changes.map(\.report.instanceId))
        var advancing: [(runId: String, change: RunChange)] = []
        var opening: [OSUpdateRun] = []
        for record in changes {
            guard let change = record.run else { continue }
            if let run = open[record.report.instanceId] {
                // An unchanged status leaves the run as it is (a repeated FAILED adds nothing).
                guard run.status != change.status || run.indicator != change.indicator else { continue }
                advancing.append((run.id, change))
            } else {
                opening.append(change.newRun(instanceId: record.report.instanceId))
            }
        }
        for chunk in Self.chunks(advancing, of: 100) {
            let values = Array(repeating: "(?, ?, ?, ?, ?, ?)", count: chunk.count).joined(separator: ", ")
            var binds: [SQLValue] = [.integer(stamp)]
            for (runId, change) in chunk {
                binds += [
                    .text(runId), .text(change.status), .text(change.indicator.rawValue), .integer(change.at),
                    .text(change.detail), .integer(change.endsRun ? change.at : OSUpdateRun.openEndTime),
                ]
            }
            binds.append(.text(tenant))
            try await execute(
                "UPDATE os_update_runs SET status = v.column2, status_indicator = v.column3, "
                    + "status_timestamp = v.column4, status_details = CASE WHEN v.column5 = '' "
                    + "THEN os_update_runs.status_details ELSE v.column5 END, end_time = v.column6, updated_at = ? "
                    + "FROM (VALUES \(values)) AS v WHERE os_update_runs.tenant_id = ? "
                    + "AND os_update_runs.resource_id = v.column1",
                binds
            )
        }
        guard !opening.isEmpty else { return }
        let ids = try await freshRunIDs(count: opening.count)
        for (index, id) in ids.enumerated() { opening[index].resourceId = id }
        for chunk in Self.chunks(opening, of: 50) {
            let values = Array(repeating: "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", count: chunk.count)
                .joined(separator: ", ")
            var binds: [SQLValue] = []
            binds.reserveCapacity(chunk.count * 14)
            for run in chunk {
                binds += [
                    .text(run.resourceId), .text(tenant), .integer(stamp), .integer(stamp), .text(run.name),
                    .text(run.description), .optional(run.appliedPolicyId), .text(run.instanceId),
                    .text(run.statusIndicator.rawValue), .text(run.status), .text(run.statusDetails),
                    .integer(run.statusTimestamp), .integer(run.startTime), .integer(run.endTime),
                ]
            }
            try await execute(
                "INSERT INTO os_update_runs (resource_id, tenant_id, created_at, updated_at, name, description, "
                    + "applied_policy_id, instance_id, status_indicator, status, status_details, status_timestamp, "
                    + "start_time, end_time) VALUES \(values)",
                binds
            )
        }
    }

    /// The newest open run of each instance.
    private func openRuns(
        tenant: String,
        instanceIds: [String]
    ) async throws -> [String: (id: String, status: String, indicator: StatusIndication)] {
        var newest: [String: (id: String, status: String, indicator: StatusIndication, start: Int64)] = [:]
        for chunk in Self.chunks(instanceIds, of: 500) {
            let marks = Array(repeating: "?", count: chunk.count).joined(separator: ", ")
            let rows = try await query(
                "SELECT resource_id, instance_id, status, status_indicator, start_time FROM os_update_runs "
                    + "WHERE tenant_id = ? AND end_time = ? AND instance_id IN (\(marks))",
                [.text(tenant), .integer(OSUpdateRun.openEndTime)] + chunk.map(SQLValue.text)
            )
            for row in rows {
                let candidate = (
                    id: row.string("resource_id"), status: row.string("status"),
                    indicator: row.enumeration("status_indicator", as: StatusIndication.self),
                    start: row.int("start_time")
                )
                let instance = row.string("instance_id")
                // As `openRun`: the newest start, then the greatest ID.
                if let known = newest[instance],
                    (known.start, known.id) > (candidate.start, candidate.id)
                {
                    continue
                }
                newest[instance] = candidate
            }
        }
        return newest.mapValues { (id: $0.id, status: $0.status, indicator: $0.indicator) }
    }

    /// `count` run IDs that no row has (one read for all of them; a taken one is drawn again).
    private func freshRunIDs(count: Int) async throws -> [String] {
        var ids = (0..<count).map { _ in ResourceID.make(.osUpdateRun) }
        for _ in 0..<8 {
            var taken = Set<String>()
            for chunk in Self.chunks(ids, of: 500) {
                let marks = Array(repeating: "?", count: chunk.count).joined(separator: ", ")
                let rows = try await query(
                    "SELECT resource_id FROM os_update_runs WHERE resource_id IN (\(marks))",
                    chunk.map(SQLValue.text)
                )
                for row in rows { taken.insert(row.string("resource_id")) }
            }
            var unique = Set<String>()
            var again = false
            for index in ids.indices where taken.contains(ids[index]) || !unique.insert(ids[index]).inserted {
                ids[index] = ResourceID.make(.osUpdateRun)
                again = true
            }
            if !again { return ids }
        }
        throw InventoryError(.internal, "could not find free \(ResourceKind.osUpdateRun.prefix) IDs")
    }

    static func chunks<T>(_ items: [T], of size: Int) -> [ArraySlice<T>] {
        stride(from: 0, to: items.count, by: size).map { items[$0..<min($0 + size, items.count)] }
    }
}
