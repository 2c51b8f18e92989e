import Day2Model
import Hummingbird
import Inventory

extension NorthboundAPI {
    /// How a PUT or PATCH changes one field: a sent field takes its value (null clears it), an omitted field is
    /// cleared by PUT and kept by PATCH.
    static func pick<T>(
        _ body: RequestBody,
        _ name: String,
        replace: Bool,
        current: T,
        cleared: T,
        _ read: (String) -> T?
    ) -> T {
        if body.has(name) { return read(name) ?? cleared }
        return replace ? cleared : current
    }

    /// Regions and sites.
    func registerLocations(on project: RouterGroup<APIContext>) {
        project.post(
            "regions",
            use: scoped(.write) { request, context, access, view in
                let body = try await body(request, context, APISchemas.region, requireAll: true)
                let region = Region(
                    name: body.string("name") ?? "",
                    parentRegionId: body.string("parentId").flatMap { $0.isEmpty ? nil : $0 },
                    metadata: body.metadata() ?? []
                )
                return await view.region(try await store.createRegion(tenant: access.tenant, region))
            }
        )
        project.get(
            "regions",
            use: scoped(.read) { request, _, access, view in
                let page = try await store.regions(tenant: access.tenant, try Self.listQuery(request))
                let counts = try Self.query(request, "showTotalSites") == "true"
                return try await Self.list("regions", page) { region in
                    var json = await view.region(region)
                    if counts, case .object(var members) = json,
                        let index = members.firstIndex(where: { $0.0 == "totalSites" })
                    {
                        let sites = try await store.sites(
                            tenant: access.tenant,
                            try ListQuery(filter: "region.resourceId=\"\(region.resourceId)\"", pageSize: 1)
                        )
                        members[index].1 = .int(Int64(sites.totalElements))
                        json = .object(members)
                    }
                    return json
                }
            }
        )
        project.get(
            "regions/{regionId}",
            use: scoped(.read) { _, context, access, view in
                let id = try Self.resourceId(context, kind: .region, parameter: "regionId")
                return await view.region(try await store.region(tenant: access.tenant, id: id))
            }
        )
        for (method, replace) in [(HTTPRequest.Method.put, true), (.patch, false)] {
            project.on(
                "regions/{regionId}",
                method: method,
                use: scoped(.write) { request, context, access, view in
                    let id = try Self.resourceId(context, kind: .region, parameter: "regionId")
                    let body = try await body(request, context, APISchemas.region, requireAll: replace)
                    var region = try await store.region(tenant: access.tenant, id: id)
                    region.name = Self.pick(
                        body,
                        "name",
                        replace: replace,
                        current: region.name,
                        cleared: "",
                        body.string
                    )
                    region.parentRegionId = Self.pick(
                        body,
                        "parentId",
                        replace: replace,
                        current: region.parentRegionId,
                        cleared: nil,
                        body.string
                    ).flatMap { $0.isEmpty ? nil : $0 }
                    region.metadata = Self.pick(
                        body,
                        "metadata",
                        replace: replace,
                        current: region.metadata,
                        cleared: [],
                        { body.metadata($0) }
                    )
                    return await view.region(try await store.updateRegion(tenant: access.tenant, region))
                }
            )
        }
        project.delete(
            "regions/{regionId}",
            use: scoped(.write) { _, context, access, _ in
                try await store.deleteRegion(
                    tenant: access.tenant,
                    id: try Self.resourceId(context, kind: .region, parameter: "regionId")
                )
                return Self.empty
            }
        )

        // Sites: the primary path is under their region; `/sites` is the alias for every site of the project.
        for prefix in ["regions/{regionId}/sites", "sites"] {
            let underRegion = prefix.hasPrefix("regions")
            project.post(
                RouterPath(prefix),
                use: scoped(.write) { request, context, access, view in
                    let body = try await body(request, context, APISchemas.site, requireAll: true)
                    var regionId = body.string("regionId").flatMap { $0.isEmpty ? nil : $0 }
                    if underRegion, regionId == nil {
                        regionId = try Self.resourceId(context, kind: .region, parameter: "regionId")
                    }
                    let site = Site(
                        name: body.string("name") ?? "",
                        regionId: regionId,
                        siteLat: Int32(body.int("siteLat") ?? 0),
                        siteLng: Int32(body.int("siteLng") ?? 0),
                        metadata: body.metadata() ?? []
                    )
                    return await view.site(try await store.createSite(tenant: access.tenant, site))
                }
            )
            project.get(
                RouterPath(prefix),
                use: scoped(.read) { request, context, access, view in
                    var regionFilter: String?
                    if underRegion {
                        let region = try Self.resourceId(context, kind: .region, parameter: "regionId")
                        regionFilter = "region.resourceId=\"\(region)\""
                    }
                    let page = try await store.sites(
                        tenant: access.tenant,
                        try Self.listQuery(request, extraFilter: regionFilter)
                    )
                    return await Self.list("sites", page) { await view.site($0) }
                }
            )
            project.get(
                RouterPath(prefix + "/{resourceId}"),
                use: scoped(.read) { _, context, access, view in
                    await view.site(
                        try await store.site(tenant: access.tenant, id: try Self.resourceId(context, kind: .site))
                    )
                }
            )
            for (method, replace) in [(HTTPRequest.Method.put, true), (.patch, false)] {
                project.on(
                    RouterPath(prefix + "/{resourceId}"),
                    method: method,
                    use: scoped(.write) {
                        request,
                        context,
                        access,
                        view in
                        let id = try Self.resourceId(context, kind: .site)
                        let body = try await body(request, context, APISchemas.site, requireAll: replace)
                        var site = try await store.site(tenant: access.tenant, id: id)
                        site.name = Self.pick(
                            body,
                            "name",
                            replace: replace,
                            current: site.name,
                            cleared: "",
                            body.string
                        )
                        site.regionId = Self.pick(
                            body,
                            "regionId",
                            replace: replace,
                            current: site.regionId,
                            cleared: nil,
                            body.string
                        ).flatMap { $0.isEmpty ? nil : $0 }
                        site.siteLat = Int32(
                            Self.pick(
                                body,
                                "siteLat",
                                replace: replace,
                                current: Int64(site.siteLat),
                                cleared: 0,
                                body.int
                            )
                        )
                        site.siteLng = Int32(
                            Self.pick(
                                body,
                                "siteLng",
                                replace: replace,
                                current: Int64(site.siteLng),
                                cleared: 0,
                                body.int
                            )
                        )
                        site.metadata = Self.pick(
                            body,
                            "metadata",
                            replace: replace,
                            current: site.metadata,
                            cleared: [],
                            { body.metadata($0) }
                        )
                        return await view.site(try await store.updateSite(tenant: access.tenant, site))
                    }
                )
            }
            project.delete(
                RouterPath(prefix + "/{resourceId}"),
                use: scoped(.write) { _, context, access, _ in
                    try await store.deleteSite(tenant: access.tenant, id: try Self.resourceId(context, kind: .site))
                    return Self.empty
                }
            )
        }
    }
}
