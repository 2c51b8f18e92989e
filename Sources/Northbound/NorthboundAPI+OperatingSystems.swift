import Day2Model
import Foundation
import Hummingbird
import Inventory

extension NorthboundAPI {
    /// OS resources (`/compute/os`, list key `OperatingSystemResources`), including custom OS profiles.
    func registerOperatingSystems(on project: RouterGroup<APIContext>) {
        project.post(
            "compute/os",
            use: scoped(.write) { request, context, access, _ in
                let body = try await body(request, context, APISchemas.operatingSystem, requireAll: true)
                guard let osType = body.enumeration("osType", OSType.self), osType != .unspecified else {
                    throw APIError.invalid("osType", "must be OS_TYPE_MUTABLE or OS_TYPE_IMMUTABLE")
                }
                guard let provider = body.enumeration("osProvider", OSProviderKind.self), provider != .unspecified
                else {
                    throw APIError.invalid("osProvider", "must be OS_PROVIDER_KIND_INFRA or OS_PROVIDER_KIND_LENOVO")
                }
                let os = OSResource(
                    name: body.string("name") ?? "",
                    architecture: body.string("architecture") ?? "",
                    imageUrl: body.string("imageUrl") ?? "",
                    imageId: body.string("imageId") ?? "",
                    sha256: body.string("sha256") ?? "",
                    profileName: body.string("profileName") ?? "",
                    installedPackagesUrl: body.string("installedPackagesUrl") ?? "",
                    securityFeature: body.enumeration("securityFeature", SecurityFeature.self) ?? .unspecified,
                    osType: osType,
                    osProvider: provider,
                    description: body.string("description") ?? "",
                    metadata: body.string("metadata") ?? "",
                    tlsCaCert: body.string("tlsCaCert") ?? "",
                    existingCvesUrl: body.string("existingCvesUrl") ?? "",
                    fixedCvesUrl: body.string("fixedCvesUrl") ?? ""
                )
                return Representation<Store>.operatingSystem(
                    try await store.createOSResource(tenant: access.tenant, os)
                )
            }
        )
        project.get(
            "compute/os",
            use: scoped(.read) { request, _, access, _ in
                let page = try await store.osResources(tenant: access.tenant, try Self.listQuery(request))
                return await Self.list("OperatingSystemResources", page) { Representation<Store>.operatingSystem($0) }
            }
        )
        project.get(
            "compute/os/{resourceId}",
            use: scoped(.read) { _, context, access, _ in
                let id = try Self.resourceId(context, kind: .operatingSystem)
                return Representation<Store>.operatingSystem(try await store.osResource(tenant: access.tenant, id: id))
            }
        )
        for (method, replace) in [(HTTPRequest.Method.put, true), (.patch, false)] {
            project.on(
                "compute/os/{resourceId}",
                method: method,
                use: scoped(.write) { request, context, access, _ in
                    let id = try Self.resourceId(context, kind: .operatingSystem)
                    let body = try await body(request, context, APISchemas.operatingSystem, requireAll: false)
                    var os = try await store.osResource(tenant: access.tenant, id: id)
                    // Only these can change; every other field of an OS resource is immutable once created.
                    let mutable: Set = ["name", "architecture", "metadata"]
                    if let fixed = body.keys.subtracting(mutable).sorted().first {
                        throw APIError.invalid(fixed, "field is immutable")
                    }
                    if let name = body.string("name"), !name.isEmpty, name != os.name {
                        throw APIError.invalid("name", "field is immutable")
                    }
                    os.architecture = Self.pick(
                        body,
                        "architecture",
                        replace: replace,
                        current: os.architecture,
                        cleared: "",
                        body.string
                    )
                    os.metadata = Self.pick(
                        body,
                        "metadata",
                        replace: replace,
                        current: os.metadata,
                        cleared: "",
                        body.string
                    )
                    return Representation<Store>.operatingSystem(
                        try await store.updateOSResource(tenant: access.tenant, os)
                    )
                }
            )
        }
        project.delete(
            "compute/os/{resourceId}",
            use: scoped(.write) { _, context, access, _ in
                try await store.deleteOSResource(
                    tenant: access.tenant,
                    id: try Self.resourceId(context, kind: .operatingSystem)
                )
                return Self.empty
            }
        )
    }

    /// OS update policies: create, list, get, delete (there is no update, as upstream).
    func registerPolicies(on project: RouterGroup<APIContext>) {
        project.post(
            "os-update-policies",
            use: scoped(.write) { request, context, access, view in
                let body = try await body(request, context, APISchemas.policy, requireAll: true)
                let policy = OSUpdatePolicy(
                    name: body.string("name") ?? "",
                    description: body.string("description") ?? "",
                    updateSources: body.strings("updateSources") ?? [],
                    updatePackages: body.string("updatePackages") ?? "",
                    updateKernelCommand: body.string("updateKernelCommand") ?? "",
                    targetOsId: body.string("targetOsId").flatMap { $0.isEmpty ? nil : $0 },
                    updatePolicy: body.enumeration("updatePolicy", UpdatePolicyKind.self) ?? .unspecified
                )
                return await view.policy(try await store.createPolicy(tenant: access.tenant, policy))
            }
        )
        project.get(
            "os-update-policies",
            use: scoped(.read) { request, _, access, view in
                let page = try await store.policies(tenant: access.tenant, try Self.listQuery(request))
                return await Self.list("osUpdatePolicies", page) { await view.policy($0) }
            }
        )
        project.get(
            "os-update-policies/{resourceId}",
            use: scoped(.read) { _, context, access, view in
                let id = try Self.resourceId(context, kind: .osUpdatePolicy)
                return await view.policy(try await store.policy(tenant: access.tenant, id: id))
            }
        )
        project.delete(
            "os-update-policies/{resourceId}",
            use: scoped(.write) { _, context, access, _ in
                try await store.deletePolicy(
                    tenant: access.tenant,
                    id: try Self.resourceId(context, kind: .osUpdatePolicy)
                )
                return Self.empty
            }
        )
    }

    /// OS update runs: written by the Maintenance Manager only; the API lists, gets and deletes them.
    func registerRuns(on project: RouterGroup<APIContext>) {
        project.get(
            "os-update-runs",
            use: scoped(.read) { request, _, access, view in
                let page = try await store.runs(tenant: access.tenant, try Self.listQuery(request))
                return await Self.list("osUpdateRuns", page) { await view.run($0) }
            }
        )
        project.get(
            "os-update-runs/{resourceId}",
            use: scoped(.read) { _, context, access, view in
                await view.run(
                    try await store.run(tenant: access.tenant, id: try Self.resourceId(context, kind: .osUpdateRun))
                )
            }
        )
        project.delete(
            "os-update-runs/{resourceId}",
            use: scoped(.write) { _, context, access, _ in
                try await store.deleteRun(tenant: access.tenant, id: try Self.resourceId(context, kind: .osUpdateRun))
                return Self.empty
            }
        )
    }
}
