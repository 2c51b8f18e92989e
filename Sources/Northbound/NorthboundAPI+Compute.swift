import Day2Model
import Foundation
import Hummingbird
import Inventory

extension NorthboundAPI {
    /// Hosts: `POST` registers a node that Day2 did not provision (name, UUID, site).
    func registerHosts(on project: RouterGroup<APIContext>) {
        project.post(
            "compute/hosts",
            use: scoped(.write) { request, context, access, view in
                let body = try await body(request, context, APISchemas.host, requireAll: true)
                let host = HostResource(
                    name: body.string("name") ?? "",
                    uuid: body.string("uuid").flatMap { $0.isEmpty ? nil : $0.lowercased() },
                    serialNumber: body.string("serialNumber") ?? "",
                    siteId: body.string("siteId").flatMap { $0.isEmpty ? nil : $0 },
                    metadata: body.metadata() ?? []
                )
                return try await view.host(try await store.createHost(tenant: access.tenant, host))
            }
        )
        project.get(
            "compute/hosts",
            use: scoped(.read) { request, _, access, view in
                let page = try await store.hosts(tenant: access.tenant, try Self.listQuery(request))
                try await view.preloadInstances(hostIds: page.items.map(\.resourceId))
                return try await Self.list("hosts", page) { try await view.host($0) }
            }
        )
        project.get(
            "compute/hosts/{resourceId}",
            use: scoped(.read) { _, context, access, view in
                try await view.host(
                    try await store.host(tenant: access.tenant, id: try Self.resourceId(context, kind: .host))
                )
            }
        )
        for (method, replace) in [(HTTPRequest.Method.put, true), (.patch, false)] {
            project.on(
                "compute/hosts/{resourceId}",
                method: method,
                use: scoped(.write) {
                    request,
                    context,
                    access,
                    view in
                    let id = try Self.resourceId(context, kind: .host)
                    let body = try await body(request, context, APISchemas.host, requireAll: replace)
                    var host = try await store.host(tenant: access.tenant, id: id)
                    host.name = Self.pick(body, "name", replace: replace, current: host.name, cleared: "", body.string)
                    host.siteId = Self.pick(
                        body,
                        "siteId",
                        replace: replace,
                        current: host.siteId,
                        cleared: nil,
                        body.string
                    )
                    .flatMap { $0.isEmpty ? nil : $0 }
                    host.metadata = Self.pick(
                        body,
                        "metadata",
                        replace: replace,
                        current: host.metadata,
                        cleared: [],
                        { body.metadata($0) }
                    )
                    if body.has("uuid") || body.has("serialNumber") {
                        throw APIError.invalid(body.has("uuid") ? "uuid" : "serialNumber", "field is immutable")
                    }
                    return try await view.host(try await store.updateHost(tenant: access.tenant, host))
                }
            )
        }
        project.delete(
            "compute/hosts/{resourceId}",
            use: scoped(.write) { _, context, access, _ in
                try await store.deleteHost(tenant: access.tenant, id: try Self.resourceId(context, kind: .host))
                return Self.empty
            }
        )
    }

    /// Instances: created through the API for a registered host (and then counted as provisioned), a policy linked
    /// or unlinked with `PATCH {"osUpdatePolicyID": …}`, the desired OS set with `PATCH {"osID": …}`.
    func registerInstances(on project: RouterGroup<APIContext>) {
        project.post(
            "compute/instances",
            use: scoped(.write) { request, context, access, view in
                let body = try await body(request, context, APISchemas.instance, requireAll: true)
                guard let hostId = body.string("hostID"), !hostId.isEmpty else {
                    throw APIError.invalid("hostID", "is required")
                }
                guard let osId = body.string("osID"), !osId.isEmpty else {
                    throw APIError.invalid("osID", "is required")
                }
                let stamp = Int64(now().timeIntervalSince1970)
                let instance = Instance(
                    name: body.string("name") ?? "",
                    kind: body.enumeration("kind", InstanceKind.self) ?? .metal,
                    hostId: hostId,
                    osId: osId,
                    securityFeature: body.enumeration("securityFeature", SecurityFeature.self) ?? .unspecified,
                    // Day2 did not provision this node, but it runs: the API's word is its provisioning record.
                    provisioningStatus: StatusTriplet(status: "Provisioned", indicator: .idle, timestamp: stamp),
                    osUpdatePolicyId: body.string("osUpdatePolicyID").flatMap { $0.isEmpty ? nil : $0 }
                )
                let created = try await store.createInstance(tenant: access.tenant, instance)
                return await view.instance(created, host: await view.host(id: created.hostId))
            }
        )
        project.get(
            "compute/instances",
            use: scoped(.read) { request, _, access, view in
                let page = try await store.instances(tenant: access.tenant, try Self.listQuery(request))
                return await Self.list("instances", page) {
                    await view.instance($0, host: await view.host(id: $0.hostId))
                }
            }
        )
        project.get(
            "compute/instances/{resourceId}",
            use: scoped(.read) { _, context, access, view in
                let instance = try await store.instance(
                    tenant: access.tenant,
                    id: try Self.resourceId(context, kind: .instance)
                )
                return await view.instance(instance, host: await view.host(id: instance.hostId))
            }
        )
        for (method, replace) in [(HTTPRequest.Method.put, true), (.patch, false)] {
            project.on(
                "compute/instances/{resourceId}",
                method: method,
                use: scoped(.write) {
                    request,
                    context,
                    access,
                    view in
                    let id = try Self.resourceId(context, kind: .instance)
                    let body = try await body(request, context, APISchemas.instance, requireAll: false)
                    // `fieldMask=os_update_policyID` with no value for it unlinks the policy (upstream's only way).
                    let mask =
                        try Self.query(request, "fieldMask").map { Set($0.split(separator: ",").map(String.init)) }
                        ?? []
                    let updated = try await store.withTransaction { tx in
                        var instance = try await tx.instance(tenant: access.tenant, id: id)
                        if replace || body.has("name") { instance.name = body.string("name") ?? "" }
                        if replace || body.has("kind") {
                            instance.kind = body.enumeration("kind", InstanceKind.self) ?? .metal
                        }
                        if let hostId = body.string("hostID"), hostId != instance.hostId {
                            throw APIError.invalid("hostID", "the host of an instance cannot change")
                        }
                        let unlink = mask.contains("os_update_policyID") || mask.contains("osUpdatePolicyID")
                        if body.has("osUpdatePolicyID") || unlink || replace {
                            instance.osUpdatePolicyId = body.string("osUpdatePolicyID").flatMap {
                                $0.isEmpty ? nil : $0
                            }
                        }
                        if let osId = body.string("osID"), !osId.isEmpty, osId != instance.osId {
                            instance.osUpdatePolicyId = try await Self.desiredOSPolicy(
                                tx,
                                tenant: access.tenant,
                                osId: osId
                            )
                        }
                        return try await tx.updateInstance(tenant: access.tenant, instance)
                    }
                    return await view.instance(updated, host: await view.host(id: updated.hostId))
                }
            )
        }
        project.delete(
            "compute/instances/{resourceId}",
            use: scoped(.write) { _, context, access, _ in
                try await store.deleteInstance(tenant: access.tenant, id: try Self.resourceId(context, kind: .instance))
                return Self.empty
            }
        )
    }

    /// The TARGET policy that installs `osId` at the next window, created the first time an OS is asked for
    /// (the seeds' `PATCH {"osID": …}` workflow, kept by linking such a policy rather than rewriting the running OS).
    static func desiredOSPolicy(_ store: any InventoryStore, tenant: String, osId: String) async throws -> String {
        let os = try await store.osResource(tenant: tenant, id: osId)
        guard os.osType == .immutable else {
            throw APIError.invalid(
                "osID",
                "only an immutable OS can be set as the desired OS; update a mutable OS with a policy of packages"
            )
        }
        let name = "desired \(os.resourceId)"
        let existing = try await store.policies(tenant: tenant, try ListQuery(filter: "name=\"\(name)\""))
        if let match = existing.items.first(where: { $0.name == name && $0.targetOsId == os.resourceId }) {
            return match.resourceId
        }
        let policy = OSUpdatePolicy(
            name: name,
            description: "install \(os.name) at the next window",
            targetOsId: os.resourceId,
            updatePolicy: .target
        )
        return try await store.createPolicy(tenant: tenant, policy).resourceId
    }
}
