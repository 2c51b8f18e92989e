import Day2Model

extension SQLInventoryStore {
    public func createOSResource(tenant: String, _ os: OSResource) async throws -> OSResource {
        try validated(os.validate)
        return try await atomically { store in
            try await store.checkOSUnique(tenant: tenant, os)
            return try await store.insert(Tables.osResources, tenant: tenant, os)
        }
    }

    private func checkOSUnique(tenant: String, _ os: OSResource) async throws {
        let sameName = try await fetchWhere(Tables.osResources, tenant: tenant, "name = ?", [.text(os.name)])
        if let other = sameName.first, other.resourceId != os.resourceId {
            throw InventoryError(
                .failedPrecondition,
                "name: OS resource \(other.resourceId) is already named \"\(os.name)\"",
                field: "name"
            )
        }
        let sameImage = try await fetchWhere(
            Tables.osResources,
            tenant: tenant,
            "profile_name = ? AND image_id = ?",
            [.text(os.profileName), .text(os.imageId)]
        )
        if let other = sameImage.first, other.resourceId != os.resourceId {
            throw InventoryError(
                .failedPrecondition,
                "imageId: OS resource \(other.resourceId) already has profile \(os.profileName) image \(os.imageId)",
                field: "imageId"
            )
        }
    }

    public func osResource(tenant: String, id: String) async throws -> OSResource {
        try await fetch(Tables.osResources, tenant: tenant, id: id)
    }

    public func updateOSResource(tenant: String, _ os: OSResource) async throws -> OSResource {
        try validated(os.validate)
        return try await atomically { store in
            let current = try await store.fetch(Tables.osResources, tenant: tenant, id: os.resourceId)
            guard current.name == os.name else {
                throw InventoryError(.invalidArgument, "name: field name is immutable", field: "name")
            }
            try await store.checkOSUnique(tenant: tenant, os)
            return try await store.replace(Tables.osResources, tenant: tenant, os)
        }
    }

    public func deleteOSResource(tenant: String, id: String) async throws {
        try checkID(id, Tables.osResources)
        try await atomically { store in
            _ = try await store.fetch(Tables.osResources, tenant: tenant, id: id)
            let instances = try await store.count("instances", tenant: tenant, "os_id = ?", [.text(id)])
            let policies = try await store.count("os_update_policies", tenant: tenant, "target_os_id = ?", [.text(id)])
            guard instances == 0 && policies == 0 else {
                throw InventoryError(
                    .failedPrecondition,
                    "Cannot delete OS resource \(id): \(instances) instances run it and \(policies) policies target it"
                )
            }
            try await store.remove(Tables.osResources, tenant: tenant, id: id)
        }
    }

    public func osResources(tenant: String, _ query: ListQuery) async throws -> Page<OSResource> {
        try await list(Tables.osResources, tenant: tenant, query)
    }

    public func osResources(tenant: String, profileName: String, osType: OSType) async throws -> [OSResource] {
        try await fetchWhere(
            Tables.osResources,
            tenant: tenant,
            "profile_name = ? AND os_type = ?",
            [.text(profileName), .text(osType.rawValue)]
        )
    }

    public func osResourceAndProfile(tenant: String, id: String) async throws -> (os: OSResource, profile: [OSResource])
    {
        try checkID(id, Tables.osResources)
        let rows = try await fetchWhere(
            Tables.osResources,
            tenant: tenant,
            "(resource_id = ? OR (os_type = ? AND profile_name <> '' AND profile_name = "
                + "(SELECT o.profile_name FROM os_resources o WHERE o.tenant_id = ? AND o.resource_id = ?)))",
            [.text(id), .text(OSType.immutable.rawValue), .text(tenant), .text(id)]
        )
        guard let os = rows.first(where: { $0.resourceId == id }) else {
            throw InventoryError.notFound(Tables.osResources.label, id)
        }
        return (os, rows.filter { $0.osType == .immutable && $0.profileName == os.profileName })
    }

    public func createPolicy(tenant: String, _ policy: OSUpdatePolicy) async throws -> OSUpdatePolicy {
        try validated(policy.validate)
        return try await atomically { store in
            if let target = policy.targetOsId {
                try await store.requireExists(Tables.osResources, tenant: tenant, id: target, field: "targetOsId")
            }
            return try await store.insert(Tables.policies, tenant: tenant, policy)
        }
    }

    public func policy(tenant: String, id: String) async throws -> OSUpdatePolicy {
        try await fetch(Tables.policies, tenant: tenant, id: id)
    }

    public func deletePolicy(tenant: String, id: String) async throws {
        try checkID(id, Tables.policies)
        try await atomically { store in
            _ = try await store.fetch(Tables.policies, tenant: tenant, id: id)
            let linked = try await store.count("instances", tenant: tenant, "os_update_policy_id = ?", [.text(id)])
            guard linked == 0 else {
                throw InventoryError(
                    .failedPrecondition,
                    "Cannot delete OS Update Policy \(id), it is still referenced by \(linked) instances"
                )
            }
            let rollouts = try await store.query(
                "SELECT resource_id FROM rollouts WHERE tenant_id = ? AND os_update_policy_id = ? ORDER BY resource_id",
                [.text(tenant), .text(id)]
            )
            if let rollout = rollouts.first?.string("resource_id") {
                throw InventoryError(
                    .failedPrecondition,
                    "Cannot delete OS Update Policy \(id), rollout \(rollout) uses it (delete the rollout first)"
                )
            }
            try await store.execute(
                "UPDATE os_update_runs SET applied_policy_id = NULL WHERE tenant_id = ? AND applied_policy_id = ?",
                [.text(tenant), .text(id)]
            )
            try await store.remove(Tables.policies, tenant: tenant, id: id)
        }
    }

    public func policies(tenant: String, _ query: ListQuery) async throws -> Page<OSUpdatePolicy> {
        try await list(Tables.policies, tenant: tenant, query)
    }

    public func createRun(tenant: String, _ run: OSUpdateRun) async throws -> OSUpdateRun {
        try validated(run.validate)
        return try await atomically { store in
            try await store.requireExists(Tables.instances, tenant: tenant, id: run.instanceId, field: "instance")
            if let policy = run.appliedPolicyId {
                try await store.requireExists(Tables.policies, tenant: tenant, id: policy, field: "appliedPolicy")
            }
            return try await store.insert(Tables.runs, tenant: tenant, run)
        }
    }

    public func run(tenant: String, id: String) async throws -> OSUpdateRun {
        try await fetch(Tables.runs, tenant: tenant, id: id)
    }

    public func updateRun(tenant: String, _ run: OSUpdateRun) async throws -> OSUpdateRun {
        try validated(run.validate)
        return try await atomically { store in
            let current = try await store.fetch(Tables.runs, tenant: tenant, id: run.resourceId)
            guard current.instanceId == run.instanceId, current.startTime == run.startTime else {
                throw InventoryError(
                    .invalidArgument,
                    "instance: the instance and start time of a run are immutable",
                    field: "instance"
                )
            }
            return try await store.replace(Tables.runs, tenant: tenant, run)
        }
    }

    public func deleteRun(tenant: String, id: String) async throws {
        try await remove(Tables.runs, tenant: tenant, id: id)
    }

    public func runs(tenant: String, _ query: ListQuery) async throws -> Page<OSUpdateRun> {
        try await list(Tables.runs, tenant: tenant, query)
    }

    public func openRun(tenant: String, instanceId: String) async throws -> OSUpdateRun? {
        let rows = try await query(
            "SELECT \(Tables.runs.selectList) FROM os_update_runs WHERE tenant_id = ? AND instance_id = ? AND end_time = ? "
                + "ORDER BY start_time DESC, resource_id DESC LIMIT 1",
            [.text(tenant), .text(instanceId), .integer(OSUpdateRun.openEndTime)]
        )
        return rows.first.map(Tables.runs.decode)
    }

    public func staleOpenRuns(
        statusBefore before: Int64,
        limit: Int
    ) async throws -> [(tenant: String, run: OSUpdateRun)] {
        let rows = try await query(
            "SELECT tenant_id, \(Tables.runs.selectList) FROM os_update_runs WHERE end_time = ? AND status_timestamp < ? "
                + "ORDER BY status_timestamp, resource_id LIMIT ?",
            [.integer(OSUpdateRun.openEndTime), .integer(before), .integer(Int64(limit))]
        )
        return rows.map { (tenant: $0.string("tenant_id"), run: Tables.runs.decode($0)) }
    }
}
