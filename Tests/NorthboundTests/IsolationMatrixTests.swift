import Authentication
import Day2Model
import Day2Testing
import Foundation
import HTTPTypes
import Inventory
import Northbound
import Testing

@Suite("REST API: tenant isolation over every documented operation")
struct IsolationMatrixTests {
    /// A body each PUT accepts, so that only the project decides the answer.
    static let putBodies: [String: String] = [
        "compute/hosts": #"{"name":"x"}"#,
        "schedules/single": #"{"scheduleStatus":"SCHEDULE_STATUS_OS_UPDATE","startSeconds":4000000000}"#,
        "schedules/repeated":
            #"{"scheduleStatus":"SCHEDULE_STATUS_OS_UPDATE","durationSeconds":60,"cronMinutes":"0","cronHours":"0","cronDayMonth":"*","cronMonth":"*","cronDayWeek":"*"}"#,
    ]

    @Test(
        "another project's IDs are 404 on every item operation; a read-only token is 403 on every write",
        arguments: backends
    )
    func matrix(backend: StoreBackend) async throws {
        try await APIWorld.run(backend) { world in
            let fleet = try await world.fleet()
            let now = Int64(Date().timeIntervalSince1970)
            let policy = try await world.create(
                "os-update-policies",
                #"{"name":"p","updatePolicy":"UPDATE_POLICY_LATEST"}"#
            ).string("resourceId")!
            let single = try await world.create(
                "schedules/single",
                #"{"scheduleStatus":"SCHEDULE_STATUS_OS_UPDATE","startSeconds":\#(now + 60),"targetHostId":"\#(fleet.host)"}"#
            ).string("resourceId")!
            let repeated = try await world.create(
                "schedules/repeated",
                #"{"scheduleStatus":"SCHEDULE_STATUS_OS_UPDATE","durationSeconds":60,"cronMinutes":"0","cronHours":"0","cronDayMonth":"*","cronMonth":"*","cronDayWeek":"*","targetSiteId":"\#(fleet.site)"}"#
            ).string("resourceId")!
            let run = try await world.store.createRun(
                tenant: world.project.id,
                OSUpdateRun(
                    name: "r",
                    instanceId: fleet.instance,
                    status: "Updating",
                    statusTimestamp: now,
                    startTime: now
                )
            ).resourceId
            let rollout = try await world.create(
                "rollouts",
                #"{"name":"r","osUpdatePolicyId":"\#(policy)","siteId":"\#(fleet.site)","startSeconds":\#(now + 86400)}"#
            ).string("resourceId")!
            let ids: [String: String] = [
                "regions": fleet.region, "sites": fleet.site, "compute/hosts": fleet.host,
                "compute/instances": fleet.instance, "compute/os": fleet.old, "os-update-policies": policy,
                "os-update-runs": run, "schedules/single": single, "schedules/repeated": repeated,
                "rollouts": rollout,
            ]
            let other = try #require(try await world.call(.post, "/v1/projects", #"{"name":"other"}"#).string("id"))
            let outsider = try await world.token(["\(other)_im-rw"])
            let reader = try await world.token(["\(world.project.id)_im-r"])
            let before = try await Self.totals(world)

            let document = try await world.call(.get, "/openapi.json", as: .anonymous)
            guard case .object(let paths) = document.json["paths"] else {
                Issue.record("no paths in the OpenAPI document")
                return
            }
            var itemChecks = 0
            var writeChecks = 0
            for (path, operations) in paths where path.hasPrefix("/v1/projects/{projectName}/") {
                let relative = String(path.dropFirst("/v1/projects/{projectName}/".count))
                let collection = Self.collection(relative)
                for method in operations.keys {
                    let httpMethod = HTTPRequest.Method(method.uppercased())!
                    let isItem = relative.hasSuffix("{resourceId}") || relative.hasSuffix("{regionId}")
                    let body: String? =
                        switch method {
                        case "get", "delete": nil
                        case "put": Self.putBodies[collection] ?? "{}"
                        default: "{}"
                        }
                    let concrete = relative.replacingOccurrences(of: "{regionId}", with: fleet.region)
                        .replacingOccurrences(of: "{resourceId}", with: ids[collection] ?? "")
                    if isItem {
                        let answer = try await world.call(
                            httpMethod,
                            "/v1/projects/other/\(concrete)",
                            body,
                            as: .bearer(outsider)
                        )
                        #expect(answer.status == .notFound, "\(method) \(path) from another project: \(answer.text)")
                        itemChecks += 1
                    }
                    if method != "get" {
                        let answer = try await world.call(
                            httpMethod,
                            "\(world.path)/\(concrete)",
                            body ?? "{}",
                            as: .bearer(reader)
                        )
                        #expect(answer.status == .forbidden, "\(method) \(path) with a read-only token: \(answer.text)")
                        writeChecks += 1
                    } else {
                        let answer = try await world.call(httpMethod, "\(world.path)/\(concrete)", as: .bearer(reader))
                        #expect(answer.status == .ok, "\(method) \(path) with a read-only token: \(answer.text)")
                    }
                }
            }
            #expect(itemChecks >= 30)
            #expect(writeChecks >= 30)
            #expect(try await Self.totals(world) == before, "a refused request changed something")
        }
    }

    /// The collection an API path belongs to (`regions/{regionId}/sites/{resourceId}` → `sites`).
    static func collection(_ relative: String) -> String {
        let parts = relative.split(separator: "/").filter { !$0.hasPrefix("{") }.map(String.init)
        if parts.last == "sites" || parts.contains("sites") { return "sites" }
        if parts == ["regions"] { return "regions" }
        // `rollouts/{resourceId}/pause`, `…/hosts`, `rollouts/preview`: all operations of rollouts.
        if parts.first == "rollouts" { return "rollouts" }
        return parts.joined(separator: "/")
    }

    /// The number of resources of every kind in the world's project.
    static func totals(_ world: APIWorld) async throws -> [Int] {
        var totals: [Int] = []
        for collection in [
            "regions", "sites", "compute/hosts", "compute/instances", "compute/os", "os-update-policies",
            "os-update-runs", "schedules/single", "schedules/repeated", "rollouts",
            "rollouts?filter=state=ROLLOUT_STATE_SCHEDULED",
        ] {
            let answer = try await world.call(.get, "\(world.path)/\(collection)")
            guard case .int(let total) = answer.json["totalElements"] else {
                Issue.record("\(collection): \(answer.text)")
                return []
            }
            totals.append(Int(total))
        }
        // The instance's policy link and desired OS are what a refused PATCH would have changed.
        let instance = try await world.call(.get, "\(world.path)/compute/instances")
        totals.append(instance.items("instances").filter { $0["updatePolicy"] != .null }.count)
        return totals
    }
}

@Suite("REST API: the OpenAPI document")
struct OpenAPIDocumentTests {
    @Test("docs/openapi.yaml is exactly what the server serves at /openapi.yaml")
    func committedDocument() async throws {
        let file = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("docs/openapi.yaml")
        let committed = try String(contentsOf: file, encoding: .utf8)
        try await APIWorld.run(.sqliteMemory) { world in
            let served = try await world.call(.get, "/openapi.yaml", as: .anonymous)
            #expect(served.status == .ok)
            #expect(
                served.text == committed,
                "docs/openapi.yaml is stale: regenerate it with `day2-orchestrator openapi > docs/openapi.yaml`"
            )
            #expect(committed.hasPrefix("openapi: \"3.1.0\"\n"))
        }
    }
}
