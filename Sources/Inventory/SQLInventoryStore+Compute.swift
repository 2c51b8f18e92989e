import Day2Model

extension SQLInventoryStore {
    public func createHost(tenant: String, _ host: HostResource) async throws -> HostResource {
        var host = host
        try validated { () throws(ValidationError) in try host.validate() }
        let checked = host
        return try await atomically { store in
            try await store.checkHostReferences(tenant: tenant, checked)
            return try await store.insert(Tables.hosts, tenant: tenant, checked)
        }
    }

    public func host(tenant: String, id: String) async throws -> HostResource {
        try await fetch(Tables.hosts, tenant: tenant, id: id)
    }

    public func host(tenant: String, uuid: String) async throws -> HostResource? {
        try await fetchWhere(Tables.hosts, tenant: tenant, "uuid = ?", [.text(uuid.lowercased())]).first
    }

    public func hostAndInstance(tenant: String, uuid: String) async throws -> HostLookup? {
        let rows = try await query(Tables.hostAndInstanceSQL, [.text(tenant), .text(tenant), .text(uuid.lowercased())])
        guard let row = rows.first else { return nil }
        let host = Tables.hosts.decode(row.view(prefix: "h_"))
        let instanceRow = row.view(prefix: "i_")
        let instance: Instance? =
            instanceRow.optionalString("resource_id") == nil ? nil : Tables.instances.decode(instanceRow)
        return HostLookup(
            host: host,
            instance: instance,
            configGeneration: row.int("config_generation"),
            rollout: RolloutColumns.membership(row)
        )
    }

    public func configGeneration(tenant: String) async throws -> Int64 {
        let rows = try await query("SELECT generation FROM config_generations WHERE tenant_id = ?", [.text(tenant)])
        return rows.first?.int("generation") ?? 0
    }

    public func updateHost(tenant: String, _ host: HostResource) async throws -> HostResource {
        var host = host
        try validated { () throws(ValidationError) in try host.validate() }
        let checked = host
        return try await atomically { store in
            try await store.checkHostReferences(tenant: tenant, checked)
            return try await store.replace(Tables.hosts, tenant: tenant, checked)
        }
    }

    private func checkHostReferences(tenant: String, _ host: HostResource) async throws {
        if let site = host.siteId {
            try await requireExists(Tables.sites, tenant: tenant, id: site, field: "siteId")
        }
        if let uuid = host.uuid {
            let clash = try await fetchWhere(Tables.hosts, tenant: tenant, "uuid = ?", [.text(uuid)])
            if let other = clash.first, other.resourceId != host.resourceId {
                throw InventoryError(
                    .failedPrecondition,
                    "uuid: host \(other.resourceId) already has uuid \(uuid)",
                    field: "uuid"
                )
            }
        }
    }

    public func deleteHost(tenant: String, id: String) async throws {
        try checkID(id, Tables.hosts)
        try await atomically { store in
            _ = try await store.fetch(Tables.hosts, tenant: tenant, id: id)
            if let instance = try await store.instance(tenant: tenant, hostId: id) {
                throw InventoryError(
                    .failedPrecondition,
                    "Cannot delete host \(id): instance \(instance.resourceId) still runs on it"
                )
            }
            let owners = try await store.query(
                "SELECT rollout_id FROM rollout_hosts WHERE tenant_id = ? AND host_id = ? AND active = 1",
                [.text(tenant), .text(id)]
            )
            if let owner = owners.first?.string("rollout_id") {
                throw InventoryError(
                    .failedPrecondition,
                    "Cannot delete host \(id): it belongs to rollout \(owner), which is not finished"
                )
            }
            // Finished rollouts forget the host (their counts keep it).
            // By rollout, so that each delete is a primary-key lookup (no index on the host alone: every row of a
            // rollout of 100,000 hosts would pay for it on insert).
            try await store.execute(
                "DELETE FROM rollout_hosts WHERE rollout_id IN (SELECT resource_id FROM rollouts WHERE tenant_id = ?) "
                    + "AND host_id = ?",
                [.text(tenant), .text(id)]
            )
            try await store.execute(
                "UPDATE schedules SET target_host_id = NULL WHERE tenant_id = ? AND target_host_id = ?",
                [.text(tenant), .text(id)]
            )
            try await store.remove(Tables.hosts, tenant: tenant, id: id)
        }
    }

    public func hosts(tenant: String, _ query: ListQuery) async throws -> Page<HostResource> {
        try await list(Tables.hosts, tenant: tenant, query)
    }

    public func createInstance(tenant: String, _ instance: Instance) async throws -> Instance {
        try validated(instance.validate)
        return try await atomically { store in
            try await store.checkInstanceReferences(tenant: tenant, instance)
            if let existing = try await store.instance(tenant: tenant, hostId: instance.hostId) {
                throw InventoryError(
                    .failedPrecondition,
                    "hostID: host \(instance.hostId) already has instance \(existing.resourceId)",
                    field: "hostID"
                )
            }
            return try await store.insert(Tables.instances, tenant: tenant, instance)
        }
    }

    public func instance(tenant: String, id: String) async throws -> Instance {
        try await fetch(Tables.instances, tenant: tenant, id: id)
    }

    public func instance(tenant: String, hostId: String) async throws -> Instance? {
        try await fetchWhere(Tables.instances, tenant: tenant, "host_id = ?", [.text(hostId)]).first
    }

    public func instances(tenant: String, hostIds: [String]) async throws -> [String: Instance] {
        guard !hostIds.isEmpty else { return [:] }
        var result: [String: Instance] = [:]
        // Bounded IN lists keep every statement small enough to cache and fast on both back ends.
        for start in stride(from: 0, to: hostIds.count, by: 100) {
            let chunk = Array(hostIds[start..<min(start + 100, hostIds.count)])
            let marks = Array(repeating: "?", count: chunk.count).joined(separator: ", ")
            let found = try await fetchWhere(
                Tables.instances,
                tenant: tenant,
                "host_id IN (\(marks))",
                chunk.map(SQLValue.text)
            )
            for instance in found { result[instance.hostId] = instance }
        }
        return result
    }

    public func updateInstance(tenant: String, _ instance: Instance) async throws -> Instance {
        try validated(instance.validate)
        return try await atomically { store in
            let current = try await store.fetch(Tables.instances, tenant: tenant, id: instance.resourceId)
            guard current.hostId == instance.hostId else {
                throw InventoryError(.invalidArgument, "hostID: the host of an instance cannot change", field: "hostID")
            }
            try await store.checkInstanceReferences(tenant: tenant, instance)
            return try await store.replace(Tables.instances, tenant: tenant, instance)
        }
    }

    public func recordInstanceReport(tenant: String, _ report: InstanceReport) async throws {
        try validated(report.validate)
        // One statement, no read first: this runs for every status change of every node. The OS, when it changes,
        // comes from a row the poll just read; the foreign key still refuses one deleted meanwhile.
        let rows = try await query(
            "UPDATE instances SET update_status = ?, update_status_indicator = ?, update_status_timestamp = ?, "
                + "os_update_available = ?, os_id = COALESCE(?, os_id), existing_cves = COALESCE(?, existing_cves), "
                + "updated_at = ? WHERE tenant_id = ? AND resource_id = ? RETURNING resource_id",
            [
                .text(report.updateStatus.status), .text(report.updateStatus.indicator.rawValue),
                .integer(report.updateStatus.timestamp), .text(report.osUpdateAvailable),
                report.osId.map(SQLValue.text) ?? .null, report.existingCves.map(SQLValue.text) ?? .null,
                .integer(nowMilliseconds), .text(tenant), .text(report.instanceId),
            ]
        )
        guard !rows.isEmpty else { throw InventoryError.notFound(Tables.instances.label, report.instanceId) }
    }

    private func checkInstanceReferences(tenant: String, _ instance: Instance) async throws {
        try await requireExists(Tables.hosts, tenant: tenant, id: instance.hostId, field: "hostID")
        try await requireExists(Tables.osResources, tenant: tenant, id: instance.osId, field: "osID")
        if let policy = instance.osUpdatePolicyId {
            try await requireExists(Tables.policies, tenant: tenant, id: policy, field: "osUpdatePolicyID")
        }
    }

    public func deleteInstance(tenant: String, id: String) async throws {
        try checkID(id, Tables.instances)
        try await atomically { store in
            _ = try await store.fetch(Tables.instances, tenant: tenant, id: id)
            try await store.execute(
                "DELETE FROM os_update_runs WHERE tenant_id = ? AND instance_id = ?",
                [.text(tenant), .text(id)]
            )
            try await store.remove(Tables.instances, tenant: tenant, id: id)
        }
    }

    public func instances(tenant: String, _ query: ListQuery) async throws -> Page<Instance> {
        try await list(Tables.instances, tenant: tenant, query)
    }
}
