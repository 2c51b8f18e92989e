import Day2Model

extension SQLInventoryStore {
    public func createRegion(tenant: String, _ region: Region) async throws -> Region {
        try validated(region.validate)
        return try await atomically { store in
            if let parent = region.parentRegionId {
                try await store.requireExists(Tables.regions, tenant: tenant, id: parent, field: "parentId")
            }
            return try await store.insert(Tables.regions, tenant: tenant, region)
        }
    }

    public func region(tenant: String, id: String) async throws -> Region {
        try await fetch(Tables.regions, tenant: tenant, id: id)
    }

    public func updateRegion(tenant: String, _ region: Region) async throws -> Region {
        try validated(region.validate)
        return try await atomically { store in
            if let parent = region.parentRegionId {
                try await store.requireExists(Tables.regions, tenant: tenant, id: parent, field: "parentId")
                // Walk up from the new parent: meeting the region itself would close a loop.
                var cursor: String? = parent
                var steps = 0
                while let current = cursor, steps < 1000 {
                    if current == region.resourceId {
                        throw InventoryError(
                            .invalidArgument,
                            "parentId: region \(parent) is \(region.resourceId) itself or one of its descendants",
                            field: "parentId"
                        )
                    }
                    cursor = try await store.fetchOptional(Tables.regions, tenant: tenant, id: current)?.parentRegionId
                    steps += 1
                }
            }
            return try await store.replace(Tables.regions, tenant: tenant, region)
        }
    }

    public func deleteRegion(tenant: String, id: String) async throws {
        try checkID(id, Tables.regions)
        try await atomically { store in
            _ = try await store.fetch(Tables.regions, tenant: tenant, id: id)
            let children = try await store.count("regions", tenant: tenant, "parent_region_id = ?", [.text(id)])
            let sites = try await store.count("sites", tenant: tenant, "region_id = ?", [.text(id)])
            guard children == 0 && sites == 0 else {
                throw InventoryError(
                    .failedPrecondition,
                    "Cannot delete region \(id): it still has \(children) child regions and \(sites) sites"
                )
            }
            try await store.execute(
                "UPDATE schedules SET target_region_id = NULL WHERE tenant_id = ? AND target_region_id = ?",
                [.text(tenant), .text(id)]
            )
            try await store.remove(Tables.regions, tenant: tenant, id: id)
        }
    }

    public func regions(tenant: String, _ query: ListQuery) async throws -> Page<Region> {
        try await list(Tables.regions, tenant: tenant, query)
    }

    public func createSite(tenant: String, _ site: Site) async throws -> Site {
        try validated(site.validate)
        return try await atomically { store in
            if let region = site.regionId {
                try await store.requireExists(Tables.regions, tenant: tenant, id: region, field: "regionId")
            }
            return try await store.insert(Tables.sites, tenant: tenant, site)
        }
    }

    public func site(tenant: String, id: String) async throws -> Site {
        try await fetch(Tables.sites, tenant: tenant, id: id)
    }

    public func updateSite(tenant: String, _ site: Site) async throws -> Site {
        try validated(site.validate)
        return try await atomically { store in
            if let region = site.regionId {
                try await store.requireExists(Tables.regions, tenant: tenant, id: region, field: "regionId")
            }
            return try await store.replace(Tables.sites, tenant: tenant, site)
        }
    }

    public func deleteSite(tenant: String, id: String) async throws {
        try checkID(id, Tables.sites)
        try await atomically { store in
            _ = try await store.fetch(Tables.sites, tenant: tenant, id: id)
            let hosts = try await store.count("hosts", tenant: tenant, "site_id = ?", [.text(id)])
            guard hosts == 0 else {
                throw InventoryError(.failedPrecondition, "Cannot delete site \(id): \(hosts) hosts are still at it")
            }
            try await store.execute(
                "UPDATE schedules SET target_site_id = NULL WHERE tenant_id = ? AND target_site_id = ?",
                [.text(tenant), .text(id)]
            )
            try await store.remove(Tables.sites, tenant: tenant, id: id)
        }
    }

    public func sites(tenant: String, _ query: ListQuery) async throws -> Page<Site> {
        try await list(Tables.sites, tenant: tenant, query)
    }
}
