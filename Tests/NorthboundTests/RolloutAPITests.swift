import Authentication
import Day2Model
import Day2Testing
import Foundation
import HTTPTypes
import Inventory
import Northbound
import Testing

/// The fleet of the rollout tests: the world's fleet plus two more hosts with an instance on the old image and one
/// host with nothing on it, all in one site; a TARGET policy to the new image and one to the old image.
struct RolloutFleet {
    let region: String
    let site: String
    /// The hosts with an instance, in ID order.
    let updatable: [String]
    /// The host without an instance.
    let empty: String
    /// TARGET: the new image (every updatable host gets it).
    let toNew: String
    /// TARGET: the old image (every updatable host is already on it).
    let toOld: String
    let new: String

    init(_ world: APIWorld) async throws {
        let fleet = try await world.fleet()
        var hosts = [fleet.host]
        for name in ["edge-2", "edge-3"] {
            let host = try #require(
                try await world.create("compute/hosts", #"{"name":"\#(name)","siteId":"\#(fleet.site)"}"#)
                    .string("resourceId")
            )
            _ = try await world.create(
                "compute/instances",
                #"{"hostID":"\#(host)","osID":"\#(fleet.old)","kind":"INSTANCE_KIND_METAL","name":"\#(name)"}"#
            )
            hosts.append(host)
        }
        region = fleet.region
        site = fleet.site
        updatable = hosts.sorted()
        empty = try #require(
            try await world.create("compute/hosts", #"{"name":"edge-empty","siteId":"\#(fleet.site)"}"#)
                .string("resourceId")
        )
        toNew = try #require(
            try await world.create(
                "os-update-policies",
                #"{"name":"to-new","updatePolicy":"UPDATE_POLICY_TARGET","targetOsId":"\#(fleet.new)"}"#
            ).string("resourceId")
        )
        toOld = try #require(
            try await world.create(
                "os-update-policies",
                #"{"name":"to-old","updatePolicy":"UPDATE_POLICY_TARGET","targetOsId":"\#(fleet.old)"}"#
            ).string("resourceId")
        )
        new = fleet.new
    }
}

extension JSON {
    /// The array member `key` of an object (empty when missing).
    func array(_ key: String) -> [JSON] {
        if case .array(let items) = self[key] { return items }
        return []
    }
}

@Suite("REST API: rollouts")
struct RolloutAPITests {
    static let rolloutFields: Set<String> = [
        "resourceId", "name", "osUpdatePolicyId", "regionId", "siteId", "hostIds", "filter", "waves",
        "successThreshold", "failureThreshold", "soakSeconds", "commitDeadlineSeconds", "startSeconds",
        "respectMaintenanceWindows", "windowSeconds", "state", "stateReason", "currentWave", "totalHosts",
        "timestamps",
    ]
    static let waveFields: Set<String> = [
        "hosts", "percent", "state", "total", "pending", "updating", "updated", "failed", "skipped", "startTime",
        "endTime",
    ]
    static let hostFields: Set<String> = [
        "hostId", "hostName", "siteId", "wave", "state", "reason", "reasonDetail", "runId", "openedAt", "startedAt",
        "endedAt",
    ]
    static let previewFields: Set<String> = [
        "totalHosts", "waves", "skippedByReason", "earliestFinish", "hosts", "totalElements", "hasNext",
    ]
    static let previewHostFields: Set<String> = [
        "hostId", "hostName", "siteId", "wave", "state", "reason", "osId", "offer", "earliestStart",
        "earliestStartUtc", "earliestStartLocal", "timeZone",
    ]

    /// The number of rollouts of the world's project.
    static func count(_ world: APIWorld) async throws -> JSON? {
        try await world.call(.get, "\(world.path)/rollouts").json["totalElements"]
    }

    @Test(
        "create → get → list → hosts → preview → pause → resume → cancel → delete",
        arguments: backends
    )
    func lifecycle(backend: StoreBackend) async throws {
        try await APIWorld.run(backend) { world in
            let fleet = try await RolloutFleet(world)
            let start = Int64(Date().timeIntervalSince1970) + 86_400
            let body =
                #"{"name":"canary-first","osUpdatePolicyId":"\#(fleet.toNew)","siteId":"\#(fleet.site)","waves":[{"hosts":1},{"percent":100}],"failureThreshold":20,"soakSeconds":600,"startSeconds":\#(start),"respectMaintenanceWindows":false,"windowSeconds":1800}"#

            // The preview of the body: every host, its wave and OS, the earliest start; nothing written.
            var answer = try await world.call(.post, "\(world.path)/rollouts/preview", body)
            #expect(answer.status == .ok, "\(answer.text)")
            #expect(Set(answer.json.keys) == Self.previewFields)
            #expect(answer.json["totalHosts"] == .int(4))
            #expect(answer.json["totalElements"] == .int(4))
            #expect(answer.json["hasNext"] == .bool(false))
            let previewWaves = answer.json.array("waves")
            #expect(previewWaves.map { $0["wave"] } == [.int(1), .int(2)])
            #expect(previewWaves.map { $0["hosts"] } == [.int(1), .int(3)])
            #expect(previewWaves.map { $0["skipped"] } == [.int(0), .int(1)])
            #expect(previewWaves.first?["earliestStart"] == .int(start))
            #expect(previewWaves.last?["earliestStart"] == .int(start + 600), "wave 2 opens after the soak")
            #expect(answer.json["earliestFinish"] == .int(start + 600))
            #expect(
                answer.json["skippedByReason"]
                    == .array([.object([("reason", .string("no-instance")), ("hosts", .int(1))])])
            )
            let previewHosts = answer.json.array("hosts")
            #expect(previewHosts.count == 4)
            #expect(Set(previewHosts.first?.keys ?? []) == Self.previewHostFields)
            let canary = try #require(previewHosts.first)
            #expect(canary["wave"] == .int(1))
            #expect(fleet.updatable.contains(canary.string("hostId") ?? ""))
            #expect(canary.string("siteId") == fleet.site)
            #expect(canary.string("state") == "ROLLOUT_HOST_STATE_PENDING")
            #expect(canary.string("reason") == "")
            #expect(canary.string("osId") == fleet.new)
            #expect(canary.string("offer")?.contains("3.0.20260202.0100") == true, "\(canary)")
            #expect(canary["earliestStart"] == .int(start))
            let utc = Date(timeIntervalSince1970: TimeInterval(start)).formatted(.iso8601)
            #expect(canary.string("earliestStartUtc") == utc)
            #expect(canary.string("earliestStartUtc")?.hasSuffix("Z") == true)
            #expect(canary.string("earliestStartLocal") == utc)
            #expect(canary.string("timeZone") == "UTC")
            let skipped = try #require(previewHosts.last)
            #expect(skipped.string("hostId") == fleet.empty)
            #expect(skipped.string("state") == "ROLLOUT_HOST_STATE_SKIPPED")
            #expect(skipped.string("reason") == "no-instance")
            #expect(skipped["wave"] == .int(2))
            #expect(skipped["earliestStart"] == .int(0))
            #expect(skipped.string("earliestStartUtc") == "" && skipped.string("timeZone") == "")
            answer = try await world.call(.post, "\(world.path)/rollouts/preview?pageSize=1&offset=1", body)
            #expect(answer.json.array("hosts").map { $0.string("hostId") } == [previewHosts[1].string("hostId")])
            #expect(answer.json["hasNext"] == .bool(true) && answer.json["totalElements"] == .int(4))
            answer = try await world.call(.post, "\(world.path)/rollouts/preview?pageSize=1001", body)
            #expect(answer.status == .badRequest && answer.message.hasPrefix("pageSize:"))
            #expect(try await Self.count(world) == .int(0), "a preview wrote a rollout")

            // Create: the same plan, kept.
            answer = try await world.call(.post, "\(world.path)/rollouts", body)
            #expect(answer.status == .ok, "\(answer.text)")
            let created = answer.json
            #expect(Set(created.keys) == Self.rolloutFields)
            let id = try #require(created.string("resourceId"))
            #expect(id.hasPrefix("rollout-"))
            #expect(created.string("name") == "canary-first")
            #expect(created.string("osUpdatePolicyId") == fleet.toNew)
            #expect(created.string("siteId") == fleet.site)
            #expect(created.string("regionId") == "" && created.string("filter") == "")
            #expect(created["hostIds"] == .array([]))
            #expect(created.string("state") == "ROLLOUT_STATE_SCHEDULED")
            #expect(created.string("stateReason") == "")
            #expect(created["currentWave"] == .int(0))
            #expect(created["totalHosts"] == .int(4))
            #expect(created["successThreshold"] == .int(80), "the default: 100 - failureThreshold")
            #expect(created["failureThreshold"] == .int(20))
            #expect(created["soakSeconds"] == .int(600))
            #expect(created["commitDeadlineSeconds"] == .int(7200), "the default")
            #expect(created["startSeconds"] == .int(start))
            #expect(created["respectMaintenanceWindows"] == .bool(false))
            #expect(created["windowSeconds"] == .int(1800))
            #expect(Set(created["timestamps"]?.keys ?? []) == ["createdAt", "updatedAt"])
            let waves = created.array("waves")
            #expect(waves.count == 2)
            #expect(waves.allSatisfy { Set($0.keys) == Self.waveFields })
            #expect(waves.map { $0["hosts"] } == [.int(1), .int(0)])
            #expect(waves.map { $0["percent"] } == [.int(0), .int(100)])
            #expect(waves.map { $0["total"] } == [.int(1), .int(3)])
            #expect(waves.map { $0["pending"] } == [.int(1), .int(2)])
            #expect(waves.map { $0["skipped"] } == [.int(0), .int(1)])
            #expect(waves.map { $0.string("state") } == ["WAVE_STATE_PENDING", "WAVE_STATE_PENDING"])
            #expect(waves.map { $0["startTime"] } == [.int(0), .int(0)])

            answer = try await world.call(.get, "\(world.path)/rollouts/\(id)")
            #expect(answer.status == .ok)
            #expect(answer.json == created)

            // List, filtered by state.
            answer = try await world.call(.get, "\(world.path)/rollouts?filter=state=ROLLOUT_STATE_SCHEDULED")
            #expect(answer.status == .ok, "\(answer.text)")
            #expect(Set(answer.json.keys) == ["rollouts", "totalElements", "hasNext"])
            #expect(answer.items("rollouts").map { $0.string("resourceId") } == [id])
            answer = try await world.call(.get, "\(world.path)/rollouts?filter=state=ROLLOUT_STATE_RUNNING")
            #expect(answer.status == .ok && answer.json["totalElements"] == .int(0), "\(answer.text)")

            // Hosts, in rollout order, by wave and state.
            answer = try await world.call(.get, "\(world.path)/rollouts/\(id)/hosts")
            #expect(answer.status == .ok, "\(answer.text)")
            #expect(Set(answer.json.keys) == ["hosts", "totalElements", "hasNext"])
            let hosts = answer.items("hosts")
            #expect(hosts.map { $0.string("hostId") } == previewHosts.map { $0.string("hostId") })
            #expect(hosts.allSatisfy { Set($0.keys) == Self.hostFields })
            #expect(hosts.first?["wave"] == .int(1) && hosts.first?["openedAt"] == .int(0))
            #expect(hosts.first?.string("runId") == "" && hosts.first?.string("hostName")?.hasPrefix("edge-") == true)
            answer = try await world.call(.get, "\(world.path)/rollouts/\(id)/hosts?wave=2")
            #expect(answer.items("hosts").count == 3 && answer.items("hosts").allSatisfy { $0["wave"] == .int(2) })
            answer = try await world.call(.get, "\(world.path)/rollouts/\(id)/hosts?state=ROLLOUT_HOST_STATE_SKIPPED")
            #expect(answer.items("hosts").map { $0.string("hostId") } == [fleet.empty])
            #expect(answer.items("hosts").first?.string("reason") == "no-instance")
            answer = try await world.call(.get, "\(world.path)/rollouts/\(id)/hosts?pageSize=2&offset=1")
            #expect(answer.items("hosts").count == 2 && answer.json["hasNext"] == .bool(true))
            #expect(answer.json["totalElements"] == .int(4))
            for (query, field) in [
                ("wave=0", "wave:"), ("state=PENDING", "state:"), ("pageSize=1001", "pageSize:"),
                ("offset=-1", "offset:"),
            ] {
                answer = try await world.call(.get, "\(world.path)/rollouts/\(id)/hosts?\(query)")
                #expect(answer.status == .badRequest && answer.message.hasPrefix(field), "\(query): \(answer.text)")
            }

            // The preview of the rollout as stored.
            answer = try await world.call(.get, "\(world.path)/rollouts/\(id)/preview")
            #expect(answer.status == .ok, "\(answer.text)")
            #expect(answer.json["totalHosts"] == .int(4))
            #expect(answer.json.array("hosts").map { $0.string("hostId") } == previewHosts.map { $0.string("hostId") })

            // A second rollout over two of the same hosts is refused, naming how many overlap; nothing written.
            answer = try await world.call(
                .post,
                "\(world.path)/rollouts",
                #"{"name":"overlap","osUpdatePolicyId":"\#(fleet.toNew)","hostIds":["\#(fleet.updatable[0])","\#(fleet.updatable[1])"]}"#
            )
            #expect(answer.status == .conflict, "\(answer.text)")
            #expect(answer.string("code") == "Aborted")
            #expect(answer.message.contains("2 hosts"), "\(answer.message)")
            #expect(try await Self.count(world) == .int(1))
            // Its preview says why each host would be left out.
            answer = try await world.call(
                .post,
                "\(world.path)/rollouts/preview",
                #"{"name":"overlap","osUpdatePolicyId":"\#(fleet.toNew)","hostIds":["\#(fleet.updatable[0])","\#(fleet.updatable[1])"]}"#
            )
            #expect(answer.json.array("hosts").allSatisfy { $0.string("reason") == "in-another-rollout" })

            // Pause, pause again (refused, naming the state), resume, delete refused, cancel.
            answer = try await world.call(.post, "\(world.path)/rollouts/\(id)/pause")
            #expect(answer.status == .ok, "\(answer.text)")
            #expect(answer.string("state") == "ROLLOUT_STATE_PAUSED")
            #expect(answer.string("stateReason") == "paused by admin")
            #expect(Set(answer.json.keys) == Self.rolloutFields)
            answer = try await world.call(.post, "\(world.path)/rollouts/\(id)/pause", "{}")
            #expect(answer.status == .conflict)
            #expect(answer.message == "cannot pause a rollout in state ROLLOUT_STATE_PAUSED")
            answer = try await world.call(.post, "\(world.path)/rollouts/\(id)/resume", #"{"force":true}"#)
            #expect(answer.status == .badRequest && answer.message.hasPrefix("force:"), "\(answer.text)")
            answer = try await world.call(.post, "\(world.path)/rollouts/\(id)/resume", "{}")
            #expect(answer.status == .ok, "\(answer.text)")
            #expect(answer.string("state") == "ROLLOUT_STATE_SCHEDULED", "no wave had opened")
            #expect(answer.string("stateReason") == "")
            answer = try await world.call(.delete, "\(world.path)/rollouts/\(id)")
            #expect(answer.status == .conflict && answer.message.contains("ROLLOUT_STATE_SCHEDULED"))
            answer = try await world.call(.post, "\(world.path)/rollouts/\(id)/cancel")
            #expect(answer.status == .ok, "\(answer.text)")
            #expect(answer.string("state") == "ROLLOUT_STATE_CANCELLED")
            #expect(answer.string("stateReason") == "cancelled by admin")
            #expect(answer.json.array("waves").allSatisfy { $0.string("state") == "WAVE_STATE_CANCELLED" })
            let cancelled = answer.json
            answer = try await world.call(.get, "\(world.path)/rollouts/\(id)/hosts?state=ROLLOUT_HOST_STATE_PENDING")
            #expect(answer.json["totalElements"] == .int(0))
            answer = try await world.call(.get, "\(world.path)/rollouts/\(id)/hosts?state=ROLLOUT_HOST_STATE_SKIPPED")
            #expect(answer.items("hosts").filter { $0.string("reason") == "cancelled" }.count == 3)

            // Resume of a cancelled rollout: 409 naming the state, nothing written.
            answer = try await world.call(.post, "\(world.path)/rollouts/\(id)/resume")
            #expect(answer.status == .conflict)
            #expect(answer.string("code") == "Aborted")
            #expect(answer.message == "cannot resume a rollout in state ROLLOUT_STATE_CANCELLED")
            answer = try await world.call(.get, "\(world.path)/rollouts/\(id)")
            #expect(answer.json == cancelled)

            // The hosts are free again; then delete.
            answer = try await world.call(
                .post,
                "\(world.path)/rollouts/preview",
                #"{"name":"again","osUpdatePolicyId":"\#(fleet.toNew)","hostIds":["\#(fleet.updatable[0])"]}"#
            )
            #expect(answer.json.array("hosts").first?.string("reason") == "")
            answer = try await world.call(.delete, "\(world.path)/rollouts/\(id)")
            #expect(answer.status == .ok, "\(answer.text)")
            #expect(answer.json == .object([]))
            answer = try await world.call(.get, "\(world.path)/rollouts/\(id)")
            #expect(answer.status == .notFound)
            #expect(try await Self.count(world) == .int(0))
        }
    }

    @Test("a rollout that starts now opens its first wave; pause, resume and cancel follow it", arguments: backends)
    func running(backend: StoreBackend) async throws {
        try await APIWorld.run(backend) { world in
            let fleet = try await RolloutFleet(world)
            let before = Int64(Date().timeIntervalSince1970)
            var answer = try await world.call(
                .post,
                "\(world.path)/rollouts",
                #"{"name":"now","osUpdatePolicyId":"\#(fleet.toNew)","regionId":"\#(fleet.region)","waves":[{"percent":25},{"percent":100}]}"#
            )
            #expect(answer.status == .ok, "\(answer.text)")
            let id = try #require(answer.string("resourceId"))
            #expect(answer.string("state") == "ROLLOUT_STATE_RUNNING")
            #expect(answer.json["currentWave"] == .int(1))
            #expect(answer.string("regionId") == fleet.region && answer.string("siteId") == "")
            guard case .int(let startSeconds) = answer.json["startSeconds"] else {
                Issue.record("no startSeconds: \(answer.text)")
                return
            }
            #expect(startSeconds >= before, "omitted startSeconds is now")
            let waves = answer.json.array("waves")
            #expect(waves.map { $0.string("state") } == ["WAVE_STATE_RUNNING", "WAVE_STATE_PENDING"])
            #expect(waves.first?["total"] == .int(1))
            answer = try await world.call(.get, "\(world.path)/rollouts/\(id)/hosts?wave=1")
            #expect(answer.items("hosts").count == 1)
            #expect(answer.items("hosts").first?["openedAt"] != .int(0))

            answer = try await world.call(.post, "\(world.path)/rollouts/\(id)/pause")
            #expect(answer.string("state") == "ROLLOUT_STATE_PAUSED" && answer.json["currentWave"] == .int(1))
            answer = try await world.call(.post, "\(world.path)/rollouts/\(id)/resume")
            #expect(answer.status == .ok, "\(answer.text)")
            #expect(answer.string("state") == "ROLLOUT_STATE_RUNNING")
            answer = try await world.call(.post, "\(world.path)/rollouts/\(id)/cancel")
            #expect(answer.string("state") == "ROLLOUT_STATE_CANCELLED")
            answer = try await world.call(.post, "\(world.path)/rollouts/\(id)/cancel")
            #expect(answer.status == .conflict)
            #expect(answer.message == "cannot cancel a rollout in state ROLLOUT_STATE_CANCELLED")
            answer = try await world.call(.get, "\(world.path)/rollouts?filter=state=ROLLOUT_STATE_CANCELLED")
            #expect(answer.items("rollouts").map { $0.string("resourceId") } == [id])
        }
    }

    @Test("an omitted successThreshold leaves room for the tolerated failures; a given one is kept")
    func thresholdDefaults() async throws {
        try await APIWorld.run(.sqliteMemory) { world in
            let fleet = try await RolloutFleet(world)
            var answer = try await world.call(
                .post,
                "\(world.path)/rollouts/preview",
                #"{"name":"tolerant","osUpdatePolicyId":"\#(fleet.toNew)","siteId":"\#(fleet.site)","failureThreshold":20}"#
            )
            #expect(answer.status == .ok, "\(answer.text)")
            answer = try await world.call(
                .post,
                "\(world.path)/rollouts",
                #"{"name":"tolerant","osUpdatePolicyId":"\#(fleet.toNew)","siteId":"\#(fleet.site)","failureThreshold":20}"#
            )
            #expect(answer.json["successThreshold"] == .int(80), "\(answer.text)")
            #expect(answer.json["failureThreshold"] == .int(20))
            let id = try #require(answer.string("resourceId"))
            _ = try await world.call(.post, "\(world.path)/rollouts/\(id)/cancel")
            answer = try await world.call(
                .post,
                "\(world.path)/rollouts",
                #"{"name":"strict","osUpdatePolicyId":"\#(fleet.toNew)","siteId":"\#(fleet.site)","failureThreshold":100,"successThreshold":100}"#
            )
            #expect(answer.json["successThreshold"] == .int(100), "\(answer.text)")
            answer = try await world.call(
                .post,
                "\(world.path)/rollouts/preview",
                #"{"name":"zero","osUpdatePolicyId":"\#(fleet.toNew)","siteId":"\#(fleet.site)","successThreshold":0}"#
            )
            #expect(answer.status == .badRequest)
            #expect(answer.message.hasPrefix("successThreshold:"), "\(answer.text)")
        }
    }

    @Test("resume of a finished rollout is 409 naming its state, and writes nothing")
    func resumeFinished() async throws {
        try await APIWorld.run(.sqliteMemory) { world in
            let fleet = try await RolloutFleet(world)
            // Every host already runs the target OS (or runs nothing): the only wave succeeds at once.
            var answer = try await world.call(
                .post,
                "\(world.path)/rollouts",
                #"{"name":"nothing-to-do","osUpdatePolicyId":"\#(fleet.toOld)","siteId":"\#(fleet.site)"}"#
            )
            #expect(answer.status == .ok, "\(answer.text)")
            let id = try #require(answer.string("resourceId"))
            #expect(answer.string("state") == "ROLLOUT_STATE_SUCCEEDED")
            let finished = try await world.call(.get, "\(world.path)/rollouts/\(id)").json
            for action in ["resume", "pause", "cancel"] {
                answer = try await world.call(.post, "\(world.path)/rollouts/\(id)/\(action)")
                #expect(answer.status == .conflict, "\(action): \(answer.text)")
                #expect(answer.message == "cannot \(action) a rollout in state ROLLOUT_STATE_SUCCEEDED")
            }
            #expect(try await world.call(.get, "\(world.path)/rollouts/\(id)").json == finished)
            // Finished, it owns no host: it can be deleted.
            answer = try await world.call(.delete, "\(world.path)/rollouts/\(id)")
            #expect(answer.status == .ok, "\(answer.text)")
        }
    }

    @Test("bad bodies are 400 naming the field, on create and preview, and write nothing", arguments: backends)
    func badInput(backend: StoreBackend) async throws {
        try await APIWorld.run(backend) { world in
            let fleet = try await RolloutFleet(world)
            let base = #""name":"bad","osUpdatePolicyId":"\#(fleet.toNew)""#
            let site = #""siteId":"\#(fleet.site)""#
            let cases: [(String, String)] = [
                (#"{\#(base),\#(site),"waves":[{"hosts":3},{"hosts":3}]}"#, "waves[1].hosts:"),
                (#"{\#(base),\#(site),"waves":[{"hosts":5}]}"#, "waves[0].hosts:"),
                (#"{\#(base),\#(site),"waves":[]}"#, "waves:"),
                (#"{\#(base),\#(site),"waves":[{"percent":0}]}"#, "waves[0].percent:"),
                (#"{\#(base),\#(site),"waves":[{"percent":101}]}"#, "waves[0].percent:"),
                (#"{\#(base),\#(site),"waves":[{"hosts":1,"percent":50}]}"#, "waves[0]:"),
                (#"{\#(base),\#(site),"waves":[{"hosts":1},{}]}"#, "waves[1]:"),
                (#"{\#(base),\#(site),"waves":[{"percent":50,"total":3}]}"#, "waves[0].total:"),
                (#"{\#(base),\#(site),"successThreshold":-1}"#, "successThreshold:"),
                (#"{\#(base),\#(site),"successThreshold":101}"#, "successThreshold:"),
                (#"{\#(base),\#(site),"failureThreshold":-1}"#, "failureThreshold:"),
                (#"{\#(base),\#(site),"failureThreshold":101}"#, "failureThreshold:"),
                (#"{\#(base),\#(site),"commitDeadlineSeconds":59}"#, "commitDeadlineSeconds:"),
                (#"{\#(base),\#(site),"windowSeconds":86401}"#, "windowSeconds:"),
                (#"{\#(base),\#(site),"respectMaintenanceWindows":"yes"}"#, "respectMaintenanceWindows:"),
                (#"{\#(base),\#(site),"colour":"red"}"#, "colour:"),
                (#"{\#(base),\#(site),"state":"ROLLOUT_STATE_RUNNING"}"#, "state:"),
                (#"{\#(base),\#(site),"hostIds":["\#(fleet.updatable[0])"]}"#, "siteId:"),
                (#"{\#(base)}"#, "target:"),
                (#"{\#(base),"hostIds":["\#(fleet.updatable[0])","\#(fleet.updatable[0])"]}"#, "hostIds[1]:"),
                (#"{\#(base),"hostIds":["\#(fleet.site)"]}"#, "hostIds[0]:"),
                (#"{\#(base),"filter":"name=="}"#, "filter:"),
                (#"{"name":"bad",\#(site)}"#, "osUpdatePolicyId:"),
                (#"{"osUpdatePolicyId":"\#(fleet.toNew)",\#(site)}"#, "name:"),
                (#"{\#(base),"siteId":"\#(fleet.region)"}"#, "siteId:"),
            ]
            for path in ["rollouts", "rollouts/preview"] {
                for (body, field) in cases {
                    let answer = try await world.call(.post, "\(world.path)/\(path)", body)
                    #expect(answer.status == .badRequest, "\(path) \(body): \(answer.text)")
                    #expect(answer.string("code") == "InvalidArgument", "\(body)")
                    #expect(answer.message.hasPrefix(field), "\(body): \(answer.message)")
                }
            }
            // Both targets are named when two are given.
            let both = try await world.call(
                .post,
                "\(world.path)/rollouts",
                #"{\#(base),\#(site),"hostIds":["\#(fleet.updatable[0])"]}"#
            )
            #expect(both.message.contains("hostIds") && both.message.contains("siteId"), "\(both.message)")
            let none = try await world.call(.post, "\(world.path)/rollouts", #"{\#(base)}"#)
            for field in ["regionId", "siteId", "hostIds", "filter"] {
                #expect(none.message.contains(field), "\(none.message)")
            }
            #expect(try await Self.count(world) == .int(0), "a refused body wrote a rollout")
            // The hosts were not taken by a refused rollout: a good one over all of them is accepted.
            let good = try await world.call(.post, "\(world.path)/rollouts", #"{\#(base),\#(site)}"#)
            #expect(good.status == .ok, "\(good.text)")
        }
    }

    @Test("another project's policy, site and rollout are 404; a read-only role cannot write")
    func isolation() async throws {
        try await APIWorld.run(.sqliteMemory) { world in
            let fleet = try await RolloutFleet(world)
            let other = try #require(try await world.call(.post, "/v1/projects", #"{"name":"other"}"#).string("id"))
            let foreignPolicy = try #require(
                try await world.call(
                    .post,
                    "/v1/projects/other/os-update-policies",
                    #"{"name":"theirs","updatePolicy":"UPDATE_POLICY_LATEST"}"#
                ).string("resourceId")
            )
            let foreignRegion = try #require(
                try await world.call(.post, "/v1/projects/other/regions", #"{"name":"theirs"}"#).string("resourceId")
            )
            let foreignSite = try #require(
                try await world.call(.post, "/v1/projects/other/regions/\(foreignRegion)/sites", #"{"name":"theirs"}"#)
                    .string("resourceId")
            )
            for path in ["rollouts", "rollouts/preview"] {
                var answer = try await world.call(
                    .post,
                    "\(world.path)/\(path)",
                    #"{"name":"x","osUpdatePolicyId":"\#(foreignPolicy)","siteId":"\#(fleet.site)"}"#
                )
                #expect(answer.status == .notFound, "\(path): \(answer.text)")
                #expect(answer.message.hasPrefix("osUpdatePolicyId:"), "\(answer.message)")
                answer = try await world.call(
                    .post,
                    "\(world.path)/\(path)",
                    #"{"name":"x","osUpdatePolicyId":"\#(fleet.toNew)","siteId":"\#(foreignSite)"}"#
                )
                #expect(answer.status == .notFound, "\(path): \(answer.text)")
                #expect(answer.message.contains(foreignSite), "\(answer.message)")
            }
            #expect(try await Self.count(world) == .int(0))

            let body = #"{"name":"mine","osUpdatePolicyId":"\#(fleet.toNew)","siteId":"\#(fleet.site)"}"#
            let reader = try await world.token(["\(world.project.id)_im-r"])
            var answer = try await world.call(.post, "\(world.path)/rollouts", body, as: .bearer(reader))
            #expect(answer.status == .forbidden && answer.string("code") == "PermissionDenied")
            #expect(try await Self.count(world) == .int(0))
            let id = try #require(try await world.create("rollouts", body).string("resourceId"))
            let stored = try await world.call(.get, "\(world.path)/rollouts/\(id)").json
            for action in ["pause", "cancel"] {
                answer = try await world.call(.post, "\(world.path)/rollouts/\(id)/\(action)", as: .bearer(reader))
                #expect(answer.status == .forbidden, "\(action): \(answer.text)")
            }
            answer = try await world.call(.delete, "\(world.path)/rollouts/\(id)", as: .bearer(reader))
            #expect(answer.status == .forbidden)
            answer = try await world.call(.get, "\(world.path)/rollouts/\(id)/hosts", as: .bearer(reader))
            #expect(answer.status == .ok && answer.items("hosts").count == 4)
            #expect(try await world.call(.get, "\(world.path)/rollouts/\(id)").json == stored)

            let outsider = try await world.token(["\(other)_im-rw"])
            for path in ["rollouts/\(id)", "rollouts/\(id)/hosts", "rollouts/\(id)/preview"] {
                answer = try await world.call(.get, "/v1/projects/other/\(path)", as: .bearer(outsider))
                #expect(answer.status == .notFound, "\(path): \(answer.text)")
            }
            answer = try await world.call(.post, "/v1/projects/other/rollouts/\(id)/cancel", as: .bearer(outsider))
            #expect(answer.status == .notFound)
            answer = try await world.call(.get, "/v1/projects/other/rollouts", as: .bearer(outsider))
            #expect(answer.json["totalElements"] == .int(0))
            #expect(try await world.call(.get, "\(world.path)/rollouts/\(id)").json == stored)
            // An ID of another kind in the path is 400, a missing one 404.
            answer = try await world.call(.get, "\(world.path)/rollouts/\(fleet.site)")
            #expect(answer.status == .badRequest && answer.message.hasPrefix("resourceId:"))
            answer = try await world.call(.post, "\(world.path)/rollouts/rollout-00000000/pause")
            #expect(answer.status == .notFound)
            // `preview` is never taken for a rollout ID: only POST is routed there.
            for method in [HTTPRequest.Method.get, .delete] {
                answer = try await world.call(method, "\(world.path)/rollouts/preview")
                #expect(answer.status == .notFound && !answer.message.hasPrefix("resourceId"), "\(answer.text)")
            }
        }
    }

    @Test("preview of a filter target and of a region target covers the hosts they select")
    func previewTargets() async throws {
        try await APIWorld.run(.sqliteMemory) { world in
            let fleet = try await RolloutFleet(world)
            var answer = try await world.call(
                .post,
                "\(world.path)/rollouts/preview",
                #"{"name":"one","osUpdatePolicyId":"\#(fleet.toNew)","filter":"name=\"edge-2\""}"#
            )
            #expect(answer.status == .ok, "\(answer.text)")
            #expect(answer.json["totalHosts"] == .int(1))
            #expect(answer.json.array("hosts").first?.string("hostName") == "edge-2")
            answer = try await world.call(
                .post,
                "\(world.path)/rollouts/preview",
                #"{"name":"all","osUpdatePolicyId":"\#(fleet.toNew)","regionId":"\#(fleet.region)"}"#
            )
            #expect(answer.json["totalHosts"] == .int(4))
            // Skip counts are sorted by reason.
            answer = try await world.call(
                .post,
                "\(world.path)/rollouts/preview",
                #"{"name":"none","osUpdatePolicyId":"\#(fleet.toOld)","siteId":"\#(fleet.site)"}"#
            )
            #expect(
                answer.json["skippedByReason"]
                    == .array([
                        .object([("reason", .string("already-on-target")), ("hosts", .int(3))]),
                        .object([("reason", .string("no-instance")), ("hosts", .int(1))]),
                    ])
            )
            answer = try await world.call(
                .post,
                "\(world.path)/rollouts/preview",
                #"{"name":"all","osUpdatePolicyId":"\#(fleet.toNew)","regionId":"\#(fleet.region)"}"#
            )
            // Windows respected and none defined: no host ever starts, and the rollout cannot finish.
            #expect(answer.json.array("hosts").allSatisfy { $0["earliestStart"] == .int(0) })
            #expect(answer.json["earliestFinish"] == .int(0))
        }
    }
}
