import Authentication
import Day2Model
import Day2Testing
import Foundation
import HTTPTypes
import Inventory
import Northbound
import Testing

@Suite("REST API: resources, workflows and errors")
struct NorthboundAPITests {
    @Test(
        "the seeds' workflow: instance on an API-registered host, PATCH osID sets the desired OS",
        arguments: backends
    )
    func seedWorkflow(backend: StoreBackend) async throws {
        try await APIWorld.run(backend) { world in
            let fleet = try await world.fleet()
            // An instance created through the API counts as provisioned.
            var answer = try await world.call(.get, "\(world.path)/compute/instances/\(fleet.instance)")
            #expect(answer.status == .ok)
            #expect(answer.string("provisioningStatus") == "Provisioned")
            #expect(answer.string("provisioningStatusIndicator") == "STATUS_INDICATION_IDLE")
            #expect(answer.json["os"]?.string("resourceId") == fleet.old)
            #expect(answer.json["currentOs"] == answer.json["os"])
            #expect(answer.json["desiredOs"] == .null)
            #expect(answer.json["host"]?.string("resourceId") == fleet.host)
            let provisioned = try await world.store.instance(tenant: world.project.id, id: fleet.instance)
            #expect(provisioned.isProvisioned)

            answer = try await world.call(
                .patch,
                "\(world.path)/compute/instances/\(fleet.instance)",
                #"{"osID": "\#(fleet.new)"}"#
            )
            #expect(answer.status == .ok, "\(answer.text)")
            #expect(answer.json["desiredOs"]?.string("resourceId") == fleet.new)
            #expect(answer.json["os"]?.string("resourceId") == fleet.old)
            #expect(answer.json["updatePolicy"]?.string("updatePolicy") == "UPDATE_POLICY_TARGET")
            #expect(answer.json["updatePolicy"]?["targetOs"]?.string("resourceId") == fleet.new)
            // The same OS again reuses the policy; the list shows the desired OS too.
            _ = try await world.call(
                .patch,
                "\(world.path)/compute/instances/\(fleet.instance)",
                #"{"osID": "\#(fleet.new)"}"#
            )
            let policies = try await world.call(.get, "\(world.path)/os-update-policies")
            #expect(policies.json["totalElements"] == .int(1))
            let list = try await world.call(.get, "\(world.path)/compute/instances")
            #expect(list.items("instances").first?["desiredOs"]?.string("resourceId") == fleet.new)
            // A mutable OS cannot be the desired OS: the message says why.
            answer = try await world.call(
                .patch,
                "\(world.path)/compute/instances/\(fleet.instance)",
                #"{"osID": "\#(fleet.ubuntu)"}"#
            )
            #expect(answer.status == .badRequest)
            #expect(answer.message.hasPrefix("osID:"))
        }
    }

    @Test("policies: create, link, unlink with fieldMask, delete refused while linked", arguments: backends)
    func policies(backend: StoreBackend) async throws {
        try await APIWorld.run(backend) { world in
            let fleet = try await world.fleet()
            var answer = try await world.call(
                .post,
                "\(world.path)/os-update-policies",
                #"{"name":"latest","updatePolicy":"UPDATE_POLICY_LATEST","updateKernelCommand":"quiet"}"#
            )
            #expect(answer.status == .badRequest)
            #expect(answer.message.contains("With Policy LATEST, no fields should be set"))
            let policy = try await world.create(
                "os-update-policies",
                #"{"name":"emt-to-0202","description":"EMT upgrade","updatePolicy":"UPDATE_POLICY_TARGET","targetOsId":"\#(fleet.new)"}"#
            )
            #expect(policy["targetOs"]?.string("resourceId") == fleet.new)
            #expect(policy.string("targetOsId") == "")
            let id = try #require(policy.string("resourceId"))
            answer = try await world.call(
                .patch,
                "\(world.path)/compute/instances/\(fleet.instance)",
                #"{"osUpdatePolicyID":"\#(id)"}"#
            )
            #expect(answer.json["updatePolicy"]?.string("resourceId") == id)
            answer = try await world.call(.delete, "\(world.path)/os-update-policies/\(id)")
            #expect(answer.status == .badRequest)
            #expect(answer.string("code") == "FailedPrecondition")
            #expect(answer.message == "Cannot delete OS Update Policy \(id), it is still referenced by 1 instances")
            answer = try await world.call(
                .patch,
                "\(world.path)/compute/instances/\(fleet.instance)?fieldMask=os_update_policyID",
                "{}"
            )
            #expect(answer.status == .ok)
            #expect(answer.json["updatePolicy"] == .null)
            answer = try await world.call(.delete, "\(world.path)/os-update-policies/\(id)")
            #expect(answer.status == .ok)
            #expect(answer.json == .object([]))
            answer = try await world.call(.get, "\(world.path)/os-update-policies/\(id)")
            #expect(answer.status == .notFound)
            #expect(answer.string("code") == "NotFound")
            answer = try await world.call(.get, "\(world.path)/os-update-policies/host-12345678")
            #expect(answer.status == .badRequest)
        }
    }

    @Test("schedules: validation, inheritance from site and region, unixEpoch", arguments: backends)
    func schedules(backend: StoreBackend) async throws {
        try await APIWorld.run(backend) { world in
            let fleet = try await world.fleet()
            let now = Int64(Date().timeIntervalSince1970)
            var answer = try await world.call(
                .post,
                "\(world.path)/schedules/single",
                #"{"name":"past","scheduleStatus":"SCHEDULE_STATUS_OS_UPDATE","startSeconds":\#(now - 100),"targetHostId":"\#(fleet.host)"}"#
            )
            #expect(answer.status == .badRequest)
            #expect(answer.message.contains("Scheduled start time cannot be in the past"))
            answer = try await world.call(
                .post,
                "\(world.path)/schedules/single",
                #"{"name":"two","scheduleStatus":"SCHEDULE_STATUS_OS_UPDATE","startSeconds":\#(now + 100),"targetHostId":"\#(fleet.host)","targetSiteId":"\#(fleet.site)"}"#
            )
            #expect(answer.status == .badRequest)
            #expect(answer.message.contains("only site, host or region target must be provided"))
            let single = try await world.create(
                "schedules/single",
                #"{"name":"upd-now","scheduleStatus":"SCHEDULE_STATUS_OS_UPDATE","startSeconds":\#(now + 30),"endSeconds":\#(now + 660),"targetHostId":"\#(fleet.host)"}"#
            )
            #expect(single["targetHost"]?.string("resourceId") == fleet.host)
            #expect(single.string("targetHostId") == fleet.host)
            let weekly = try await world.create(
                "schedules/repeated",
                #"{"name":"weekly","scheduleStatus":"SCHEDULE_STATUS_OS_UPDATE","targetRegionId":"\#(fleet.region)","durationSeconds":3600,"cronMinutes":"0","cronHours":"2","cronDayMonth":"*","cronMonth":"*","cronDayWeek":"0,6"}"#
            )
            #expect(weekly["targetRegion"]?.string("resourceId") == fleet.region)
            answer = try await world.call(
                .post,
                "\(world.path)/schedules/repeated",
                #"{"name":"bad","scheduleStatus":"SCHEDULE_STATUS_OS_UPDATE","durationSeconds":3600,"cronMinutes":"0-5","cronHours":"2","cronDayMonth":"*","cronMonth":"*","cronDayWeek":"*"}"#
            )
            #expect(answer.status == .badRequest)
            #expect(answer.message.hasPrefix("cronMinutes:"))

            answer = try await world.call(.get, "\(world.path)/compute/schedules?hostId=\(fleet.host)")
            #expect(answer.items("singleSchedules").count == 1)
            #expect(answer.items("repeatedSchedules").count == 1)
            #expect(answer.json["totalElements"] == .int(2))
            answer = try await world.call(
                .get,
                "\(world.path)/compute/schedules?hostId=\(fleet.host)&unixEpoch=\(now + 100)"
            )
            #expect(answer.items("singleSchedules").count == 1)
            answer = try await world.call(
                .get,
                "\(world.path)/compute/schedules?hostId=\(fleet.host)&unixEpoch=\(now + 1000)"
            )
            #expect(answer.items("singleSchedules").isEmpty)
            answer = try await world.call(
                .get,
                "\(world.path)/compute/schedules?hostId=\(fleet.host)&siteId=\(fleet.site)"
            )
            #expect(answer.status == .badRequest)
            answer = try await world.call(.get, "\(world.path)/compute/schedules?unixEpoch=")
            #expect(answer.status == .badRequest)

            // PATCH changes only what it names; PUT replaces the mapped fields.
            let id = try #require(weekly.string("resourceId"))
            answer = try await world.call(.patch, "\(world.path)/schedules/repeated/\(id)", #"{"cronHours":"3"}"#)
            #expect(answer.string("cronHours") == "3" && answer.string("name") == "weekly")
            #expect(answer.string("targetRegionId") == fleet.region)
            answer = try await world.call(
                .put,
                "\(world.path)/schedules/repeated/\(id)",
                #"{"scheduleStatus":"SCHEDULE_STATUS_MAINTENANCE","durationSeconds":60,"cronMinutes":"5","cronHours":"3","cronDayMonth":"1","cronMonth":"*","cronDayWeek":"*"}"#
            )
            #expect(answer.status == .ok, "\(answer.text)")
            #expect(answer.string("name") == "" && answer.string("targetRegionId") == "")
            answer = try await world.call(.delete, "\(world.path)/schedules/single/\(single.string("resourceId")!)")
            #expect(answer.status == .ok)
        }
    }

    @Test("bad input is refused with the field and the rule, and changes nothing")
    func badInput() async throws {
        try await APIWorld.run(.sqliteMemory) { world in
            let cases: [(String, String, String)] = [
                ("regions", #"{"name":"eu","bogus":1}"#, "bogus:"),
                ("regions", #"{"name":"eu","resourceId":"region-12345678"}"#, "resourceId:"),
                ("regions", #"{"name":42}"#, "name:"),
                ("regions", #"{"name":"no!"}"#, "name:"),
                ("regions", #"["name"]"#, "body:"),
                ("regions", #"{"name":"eu""#, "body:"),
                ("compute/hosts", #"{"uuid":"4C4C4544-0000-1111-2222-333344445555"}"#, "name:"),
                (
                    "compute/os",
                    #"{"name":"x","sha256":"zz","osType":"OS_TYPE_IMMUTABLE","osProvider":"OS_PROVIDER_KIND_INFRA"}"#,
                    "sha256:"
                ),
                (
                    "compute/os",
                    #"{"name":"x","sha256":"\#(String(repeating: "a", count: 64))","osType":"OS_TYPE_BOGUS"}"#,
                    "osType:"
                ),
                ("os-update-policies", #"{"name":"p"}"#, "updatePolicy"),
                (
                    "os-update-policies", #"{"name":"p","updatePolicy":"UPDATE_POLICY_TARGET","updateSources":[1]}"#,
                    "updateSources[0]:"
                ),
                ("schedules/repeated", #"{"scheduleStatus":"SCHEDULE_STATUS_OS_UPDATE"}"#, "durationSeconds:"),
                (
                    "schedules/single", #"{"scheduleStatus":"SCHEDULE_STATUS_OS_UPDATE","startSeconds":0}"#,
                    "startSeconds:"
                ),
            ]
            for (collection, body, field) in cases {
                let answer = try await world.call(.post, "\(world.path)/\(collection)", body)
                #expect(answer.status == .badRequest, "\(collection) \(body): \(answer.text)")
                #expect(answer.string("code") == "InvalidArgument", "\(body)")
                #expect(answer.message.hasPrefix(field), "\(body): \(answer.message)")
            }
            for collection in ["regions", "compute/hosts", "compute/os", "os-update-policies"] {
                let list = try await world.call(.get, "\(world.path)/\(collection)")
                #expect(list.json["totalElements"] == .int(0), "\(collection) changed: \(list.text)")
            }
            let invalidUTF8 = String(
                decoding: [0x7B, 0x22, 0x6E, 0x22, 0x3A, 0x22, 0xFF, 0xFE, 0x22, 0x7D],
                as: UTF8.self
            )
            let answer = try await world.call(.post, "\(world.path)/regions", invalidUTF8)
            #expect(answer.status == .badRequest)
            var query = try await world.call(.get, "\(world.path)/regions?pageSize=0")
            #expect(query.status == .badRequest && query.message.hasPrefix("pageSize:"))
            query = try await world.call(.get, "\(world.path)/regions?filter=")
            #expect(query.status == .badRequest && query.message.hasPrefix("filter:"))
            query = try await world.call(.get, "\(world.path)/regions?orderBy=bogus")
            #expect(query.status == .badRequest)
        }
    }

    @Test("every field is present, exactly as the OpenAPI document lists it", arguments: [StoreBackend.sqliteMemory])
    func responseShapes(backend: StoreBackend) async throws {
        try await APIWorld.run(backend) { world in
            let fleet = try await world.fleet()
            let now = Int64(Date().timeIntervalSince1970)
            _ = try await world.create(
                "schedules/single",
                #"{"scheduleStatus":"SCHEDULE_STATUS_OS_UPDATE","startSeconds":\#(now + 30),"targetSiteId":"\#(fleet.site)"}"#
            )
            _ = try await world.create(
                "schedules/repeated",
                #"{"scheduleStatus":"SCHEDULE_STATUS_MAINTENANCE","durationSeconds":60,"cronMinutes":"0","cronHours":"1","cronDayMonth":"*","cronMonth":"*","cronDayWeek":"*"}"#
            )
            let latest = try await world.create(
                "os-update-policies",
                #"{"name":"l","updatePolicy":"UPDATE_POLICY_LATEST"}"#
            ).string("resourceId")!
            let rollout = try await world.create(
                "rollouts",
                #"{"name":"r","osUpdatePolicyId":"\#(latest)","siteId":"\#(fleet.site)","respectMaintenanceWindows":false}"#
            ).string("resourceId")!
            let document = try await world.call(.get, "/openapi.json", as: .anonymous)
            #expect(document.status == .ok)
            let schemas = try #require(document.json["components"]?["schemas"])
            /// The property names of a component schema.
            func fields(_ name: String) -> Set<String> { Set(schemas[name]?["properties"]?.keys ?? []) }
            let lists: [(String, String, String)] = [
                ("regions", "regions", "RegionResource"), ("sites", "sites", "SiteResource"),
                ("compute/hosts", "hosts", "HostResource"), ("compute/instances", "instances", "InstanceResource"),
                ("compute/os", "OperatingSystemResources", "OperatingSystemResource"),
                ("os-update-policies", "osUpdatePolicies", "OSUpdatePolicy"),
                ("schedules/single", "singleSchedules", "SingleScheduleResource"),
                ("schedules/repeated", "repeatedSchedules", "RepeatedScheduleResource"),
                ("rollouts", "rollouts", "Rollout"), ("rollouts/\(rollout)/hosts", "hosts", "RolloutHost"),
            ]
            for (collection, key, schema) in lists {
                let answer = try await world.call(.get, "\(world.path)/\(collection)")
                #expect(Set(answer.json.keys) == [key, "totalElements", "hasNext"], "\(collection)")
                let items = answer.items(key)
                #expect(!items.isEmpty, "\(collection) is empty")
                for item in items {
                    #expect(Set(item.keys) == fields(schema), "\(collection): \(item.keys) vs \(fields(schema))")
                }
            }
            let host = try await world.call(.get, "\(world.path)/compute/hosts/\(fleet.host)")
            #expect(Set(host.json["instance"]?.keys ?? []) == fields("InstanceResource"))
            #expect(Set(host.json["site"]?.keys ?? []) == fields("SiteResource"))
            #expect(Set(host.json["site"]?["region"]?.keys ?? []) == fields("RegionResource"))
            let rolloutJSON = try await world.call(.get, "\(world.path)/rollouts/\(rollout)").json
            #expect(Set(rolloutJSON.keys) == fields("Rollout"))
            #expect(Set(rolloutJSON.array("waves").first?.keys ?? []) == fields("RolloutWave"))
            for preview in [
                try await world.call(.get, "\(world.path)/rollouts/\(rollout)/preview"),
                try await world.call(
                    .post,
                    "\(world.path)/rollouts/preview",
                    #"{"name":"p","osUpdatePolicyId":"\#(latest)","hostIds":["\#(fleet.host)"]}"#
                ),
            ] {
                #expect(preview.status == .ok, "\(preview.text)")
                #expect(Set(preview.json.keys) == fields("RolloutPreview"))
                #expect(Set(preview.json.array("waves").first?.keys ?? []) == fields("RolloutPreviewWave"))
                #expect(Set(preview.json.array("hosts").first?.keys ?? []) == fields("RolloutPreviewHost"))
            }
            // A skip reason, for the shape of skippedByReason: the host is in the rollout above.
            let skipped = try await world.call(
                .post,
                "\(world.path)/rollouts/preview",
                #"{"name":"p","osUpdatePolicyId":"\#(latest)","hostIds":["\#(fleet.host)"]}"#
            )
            let reason = try #require(skipped.json.array("skippedByReason").first)
            #expect(Set(reason.keys) == fields("RolloutSkipCount"))
        }
    }

    @Test("OS resources: immutable fields refused on PATCH, delete refused while used")
    func operatingSystems() async throws {
        try await APIWorld.run(.sqliteMemory) { world in
            let fleet = try await world.fleet()
            var answer = try await world.call(
                .patch,
                "\(world.path)/compute/os/\(fleet.old)",
                #"{"architecture":"x86_64"}"#
            )
            #expect(answer.status == .ok && answer.string("architecture") == "x86_64")
            #expect(answer.string("imageId") == "3.0.20260101.0100")
            answer = try await world.call(.patch, "\(world.path)/compute/os/\(fleet.old)", #"{"imageUrl":"other"}"#)
            #expect(answer.status == .badRequest && answer.message == "imageUrl: field is immutable")
            answer = try await world.call(.patch, "\(world.path)/compute/os/\(fleet.old)", #"{"name":"renamed"}"#)
            #expect(answer.status == .badRequest && answer.message.hasPrefix("name:"))
            answer = try await world.call(.delete, "\(world.path)/compute/os/\(fleet.old)")
            #expect(answer.status == .badRequest && answer.string("code") == "FailedPrecondition")
            answer = try await world.call(
                .get,
                "\(world.path)/compute/os?filter=osType=OS_TYPE_IMMUTABLE%20AND%20profileName=%22microvisor-nonrt%22&orderBy=imageId%20desc"
            )
            #expect(answer.items("OperatingSystemResources").map { $0.string("resourceId") } == [fleet.new, fleet.old])
        }
    }

    @Test("runs: listed by instance with times as upstream types them; deleted")
    func runs() async throws {
        try await APIWorld.run(.sqliteMemory) { world in
            let fleet = try await world.fleet()
            let run = try await world.store.createRun(
                tenant: world.project.id,
                OSUpdateRun(
                    name: "edge-1 update 20260101-000000",
                    instanceId: fleet.instance,
                    statusIndicator: .inProgress,
                    status: "Updating",
                    statusTimestamp: 1_782_728_100,
                    startTime: 1_782_728_100,
                    endTime: OSUpdateRun.openEndTime
                )
            )
            var answer = try await world.call(
                .get,
                "\(world.path)/os-update-runs?filter=instance.resourceId=%22\(fleet.instance)%22&orderBy=startTime%20desc&pageSize=10"
            )
            let item = try #require(answer.items("osUpdateRuns").first)
            #expect(item["endTime"] == .int(1_410_065_407))
            #expect(item["startTime"] == .int(1_782_728_100))
            #expect(item["appliedPolicy"]?.string("resourceId") == "")
            #expect(item["instance"]?.string("resourceId") == fleet.instance)
            #expect(item["instance"]?["host"] == .null)
            answer = try await world.call(.delete, "\(world.path)/os-update-runs/\(run.resourceId)")
            #expect(answer.status == .ok)
            answer = try await world.call(.get, "\(world.path)/os-update-runs/\(run.resourceId)")
            #expect(answer.status == .notFound)
        }
    }
}
