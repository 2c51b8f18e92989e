import Day2Model
import Foundation
import Testing

/// A valid rollout to vary, and the IDs the planner tests use.
enum RolloutSamples {
    static let policyId = ResourceID.make(.osUpdatePolicy, number: 0xabcd)

    static func host(_ number: Int) -> String { ResourceID.make(.host, number: UInt32(number)) }
    static func site(_ number: Int) -> String { ResourceID.make(.site, number: UInt32(number)) }

    static let valid = Rollout(
        name: "fleet-2026",
        osUpdatePolicyId: policyId,
        target: .hosts([host(1), host(2)]),
        waves: [RolloutWave(size: .hosts(1)), RolloutWave(size: .percent(100))],
        startSeconds: 1000
    )

    static func with(_ change: (inout Rollout) -> Void) -> Rollout {
        var rollout = valid
        change(&rollout)
        return rollout
    }

    static func waves(_ sizes: WaveSize...) -> [RolloutWave] { sizes.map { RolloutWave(size: $0) } }

    /// Images of the `microvisor` profile.
    static let oldImage = OSResource(
        resourceId: ResourceID.make(.operatingSystem, number: 1),
        name: "microvisor 3.0.20260101.0100",
        imageId: "3.0.20260101.0100",
        profileName: "microvisor",
        osType: .immutable
    )
    static let newImage = OSResource(
        resourceId: ResourceID.make(.operatingSystem, number: 2),
        name: "microvisor 3.0.20260301.0100",
        imageId: "3.0.20260301.0100",
        profileName: "microvisor",
        osType: .immutable
    )
    static let ubuntu = OSResource(
        resourceId: ResourceID.make(.operatingSystem, number: 3),
        name: "Ubuntu 22.04.5",
        imageId: "22.04.5",
        profileName: "ubuntu",
        osType: .mutable
    )

    static let targetPolicy = PolicyResolution(
        policy: OSUpdatePolicy(
            resourceId: policyId,
            name: "to-march",
            targetOsId: newImage.resourceId,
            updatePolicy: .target
        ),
        targetOS: newImage
    )
    static let latestPolicy = PolicyResolution(
        policy: OSUpdatePolicy(resourceId: policyId, name: "latest", updatePolicy: .latest),
        newestByProfile: ["microvisor": newImage]
    )
    static let packagePolicy = PolicyResolution(
        policy: OSUpdatePolicy(resourceId: policyId, name: "pkgs", updatePackages: "curl\nvim", updatePolicy: .target)
    )

    /// A host on site `site` whose instance runs `os`.
    static func candidate(_ number: Int, site: Int?, os: OSResource = oldImage) -> RolloutCandidate {
        RolloutCandidate(
            hostId: host(number),
            hostName: "edge-\(number)",
            siteId: site.map(Self.site),
            instance: .init(
                instanceId: ResourceID.make(.instance, number: UInt32(number)),
                osId: os.resourceId,
                osType: os.osType,
                profileName: os.profileName,
                imageId: os.imageId
            )
        )
    }
}

@Suite("Rollout validation and wave sizes")
struct RolloutValidationTests {
    @Test("a valid rollout passes")
    func valid() throws {
        try RolloutSamples.valid.validate()
        try RolloutSamples.with { $0.target = .filter("name=edge") }.validate()
        try RolloutSamples.with { $0.target = .site(RolloutSamples.site(1)) }.validate()
        try RolloutSamples.with { $0.target = .region(ResourceID.make(.region, number: 1)) }.validate()
    }

    @Test(
        "each bad input names its field",
        arguments: [
            (RolloutSamples.with { $0.name = "" }, "name"),
            (RolloutSamples.with { $0.osUpdatePolicyId = "policy-1" }, "osUpdatePolicyId"),
            (RolloutSamples.with { $0.target = .region(RolloutSamples.site(1)) }, "regionId"),
            (RolloutSamples.with { $0.target = .site("site-xyz") }, "siteId"),
            (RolloutSamples.with { $0.target = .hosts([]) }, "hostIds"),
            (RolloutSamples.with { $0.target = .hosts([RolloutSamples.host(1), "host-1"]) }, "hostIds[1]"),
            (
                RolloutSamples.with { $0.target = .hosts([RolloutSamples.host(1), RolloutSamples.host(1)]) },
                "hostIds[1]"
            ),
            (RolloutSamples.with { $0.target = .filter("   ") }, "filter"),
            (RolloutSamples.with { $0.target = .filter("name=") }, "filter"),
            (RolloutSamples.with { $0.waves = [] }, "waves"),
            (RolloutSamples.with { $0.waves = Array(repeating: RolloutWave(size: .hosts(1)), count: 101) }, "waves"),
            (RolloutSamples.with { $0.waves = RolloutSamples.waves(.hosts(0)) }, "waves[0].hosts"),
            (RolloutSamples.with { $0.waves = RolloutSamples.waves(.hosts(100_001)) }, "waves[0].hosts"),
            (RolloutSamples.with { $0.waves = RolloutSamples.waves(.percent(1), .percent(101)) }, "waves[1].percent"),
            (RolloutSamples.with { $0.waves = RolloutSamples.waves(.percent(0)) }, "waves[0].percent"),
            (RolloutSamples.with { $0.successThreshold = 101 }, "successThreshold"),
            (RolloutSamples.with { $0.successThreshold = -1 }, "successThreshold"),
            (RolloutSamples.with { $0.failureThreshold = 101 }, "failureThreshold"),
            (RolloutSamples.with { $0.failureThreshold = -1 }, "failureThreshold"),
            (RolloutSamples.with { $0.soakSeconds = -1 }, "soakSeconds"),
            (RolloutSamples.with { $0.soakSeconds = 30 * 86_400 + 1 }, "soakSeconds"),
            (RolloutSamples.with { $0.commitDeadlineSeconds = 59 }, "commitDeadlineSeconds"),
            (RolloutSamples.with { $0.commitDeadlineSeconds = 30 * 86_400 + 1 }, "commitDeadlineSeconds"),
            (RolloutSamples.with { $0.startSeconds = -1 }, "startSeconds"),
            (RolloutSamples.with { $0.startSeconds = Int64(UInt32.max) + 1 }, "startSeconds"),
            (RolloutSamples.with { $0.windowSeconds = 59 }, "windowSeconds"),
            (RolloutSamples.with { $0.windowSeconds = 86_401 }, "windowSeconds"),
        ]
    )
    func badInput(rollout: Rollout, field: String) {
        #expect(throws: ValidationError.self) { try rollout.validate() }
        do {
            try rollout.validate()
        } catch {
            #expect(error.field == field, "\(error)")
        }
    }

    @Test(
        "wave sizes: percentages round up, the last wave takes the rest",
        arguments: [
            ([WaveSize.percent(100)], 7, [7]),
            ([.hosts(1), .percent(100)], 10, [1, 9]),
            ([.percent(10), .percent(50)], 15, [2, 13]),
            ([.percent(10), .percent(90)], 15, [2, 13]),
            ([.hosts(1), .percent(25), .hosts(1)], 10, [1, 3, 6]),
            ([.percent(33), .percent(33), .percent(34)], 10, [4, 4, 2]),
            ([.percent(1), .percent(1), .percent(98)], 3, [1, 1, 1]),
            ([.hosts(2), .hosts(2)], 4, [2, 2]),
            ([.hosts(1), .hosts(1)], 5, [1, 4]),
        ]
    )
    func waveSizes(sizes: [WaveSize], total: Int, expected: [Int]) throws {
        #expect(try Rollout.waveSizes(sizes, total: total) == expected)
    }

    @Test(
        "wave sizes refused: more than the set (naming the wave), or a wave leaving later ones empty",
        arguments: [
            ([WaveSize.hosts(6)], 5, "waves[0].hosts", "take 6 hosts, but the target set has 5"),
            ([.hosts(3), .hosts(3)], 5, "waves[1].hosts", "take 6 hosts, but the target set has 5"),
            ([.percent(60), .percent(50)], 10, "waves[1].percent", "take 11 hosts"),
            ([.hosts(1), .hosts(5), .percent(50)], 5, "waves[1].hosts", "the target set has 5"),
            ([.hosts(5), .percent(100)], 5, "waves[0].hosts", "waves after it would be empty"),
            ([.percent(50), .percent(50)], 1, "waves[0].percent", "waves after it would be empty"),
            ([.hosts(1), .hosts(1), .hosts(1)], 2, "waves[1].hosts", "waves after it would be empty"),
            ([.percent(100)], 0, "target", "matches no host"),
        ]
    )
    func waveSizesRefused(sizes: [WaveSize], total: Int, field: String, message: String) {
        do {
            let counts = try Rollout.waveSizes(sizes, total: total)
            Issue.record("expected a refusal, got \(counts)")
        } catch {
            #expect(error.field == field, "\(error)")
            #expect(error.rule.contains(message), "\(error)")
        }
    }

    @Test("the planner refuses wave sizes that do not fit the set, naming the wave")
    func plannerRefusesSizes() {
        let rollout = RolloutSamples.with { $0.waves = RolloutSamples.waves(.hosts(3), .percent(100)) }
        let candidates = (0..<3).map { RolloutSamples.candidate($0, site: 1) }
        do {
            _ = try RolloutPlanner.plan(rollout, candidates: candidates, policy: RolloutSamples.targetPolicy)
            Issue.record("expected a refusal")
        } catch {
            #expect(error.field == "waves[0].hosts")
        }
    }
}

@Suite("Rollout planner")
struct RolloutPlannerTests {
    /// 4 sites of 3 hosts each (host numbers 0…11; site `s` holds hosts s, s+4, s+8).
    static let fourSites = (0..<12).map { RolloutSamples.candidate($0, site: $0 % 4) }

    @Test("a 4-host canary over 4 sites takes one host per site; later waves keep interleaving")
    func siteInterleaving() throws {
        let rollout = RolloutSamples.with {
            $0.waves = RolloutSamples.waves(.hosts(4), .hosts(2), .percent(100))
        }
        let plan = try RolloutPlanner.plan(
            rollout,
            candidates: Self.fourSites,
            policy: RolloutSamples.targetPolicy
        )
        #expect(plan.count == 12)
        let canary = plan.filter { $0.wave == 0 }
        #expect(canary.count == 4)
        #expect(Set(canary.compactMap(\.candidate.siteId)) == Set((0..<4).map(RolloutSamples.site)))
        // Sites in ID order, hosts in ID order within a site.
        #expect(canary.map(\.candidate.hostId) == (0..<4).map(RolloutSamples.host))
        #expect(plan.filter { $0.wave == 1 }.map(\.candidate.hostId) == [4, 5].map(RolloutSamples.host))
        #expect(plan.filter { $0.wave == 2 }.count == 6)
        #expect(plan.map(\.position) == Array(0..<12))
        #expect(plan.allSatisfy { $0.state == .pending && $0.offer == .image(RolloutSamples.newImage) })
        let waves = RolloutPlanner.waves(of: rollout, plan: plan)
        #expect(waves.map(\.total) == [4, 2, 6])
        #expect(waves.map(\.pending) == [4, 2, 6])
        #expect(waves.allSatisfy { $0.state == .pending })
    }

    @Test("uneven sites: no site gets a second host before every site has one")
    func unevenSites() throws {
        // Site 0 has 5 hosts, site 1 has 1, site 2 has 2; hosts without a site come after every site.
        let candidates =
            (0..<5).map { RolloutSamples.candidate($0, site: 0) } + [RolloutSamples.candidate(5, site: 1)]
            + (6..<8).map { RolloutSamples.candidate($0, site: 2) } + [RolloutSamples.candidate(8, site: nil)]
        let rollout = RolloutSamples.with { $0.waves = RolloutSamples.waves(.hosts(4), .percent(100)) }
        let plan = try RolloutPlanner.plan(rollout, candidates: candidates, policy: RolloutSamples.targetPolicy)
        #expect(plan.filter { $0.wave == 0 }.map(\.candidate.hostId) == [0, 5, 6, 8].map(RolloutSamples.host))
        #expect(plan.filter { $0.wave == 1 }.map(\.candidate.hostId) == [1, 7, 2, 3, 4].map(RolloutSamples.host))
    }

    @Test(
        "the plan does not depend on the order the candidates come in",
        arguments: [0, 1, 5, 11]
    )
    func deterministic(rotation: Int) throws {
        let rollout = RolloutSamples.with { $0.waves = RolloutSamples.waves(.percent(25), .percent(100)) }
        let base = try RolloutPlanner.plan(rollout, candidates: Self.fourSites, policy: RolloutSamples.targetPolicy)
        let rotated = Array(Self.fourSites[rotation...] + Self.fourSites[..<rotation])
        let reordered = try RolloutPlanner.plan(
            rollout,
            candidates: rotation % 2 == 0 ? rotated : rotated.reversed(),
            policy: RolloutSamples.targetPolicy
        )
        #expect(reordered == base)
    }

    @Test("skipped hosts come last, each with its reason, and count in the wave sizes")
    func skippedLast() throws {
        var noInstance = RolloutCandidate(hostId: RolloutSamples.host(20), siteId: RolloutSamples.site(0))
        noInstance.instance = nil
        var untrustedHost = RolloutSamples.candidate(21, site: 0)
        untrustedHost.untrusted = true
        var untrustedInstance = RolloutSamples.candidate(22, site: 1)
        untrustedInstance.instance?.untrusted = true
        var owned = RolloutSamples.candidate(23, site: 1)
        owned.otherRollout = ResourceID.make(.rollout, number: 9)
        let ubuntu = RolloutSamples.candidate(24, site: 2, os: RolloutSamples.ubuntu)
        let onTarget = RolloutSamples.candidate(25, site: 2, os: RolloutSamples.newImage)
        let eligible = (0..<3).map { RolloutSamples.candidate($0, site: $0) }
        let candidates = [noInstance, untrustedHost, untrustedInstance, owned, ubuntu, onTarget] + eligible
        let rollout = RolloutSamples.with { $0.waves = RolloutSamples.waves(.hosts(2), .hosts(2), .percent(100)) }
        let plan = try RolloutPlanner.plan(rollout, candidates: candidates, policy: RolloutSamples.targetPolicy)

        #expect(plan.prefix(3).map(\.state) == [.pending, .pending, .pending])
        #expect(plan.prefix(3).map(\.candidate.hostId) == (0..<3).map(RolloutSamples.host))
        let reasons = Dictionary(uniqueKeysWithValues: plan.dropFirst(3).map { ($0.candidate.hostId, $0.reason) })
        #expect(
            reasons == [
                RolloutSamples.host(20): .noInstance, RolloutSamples.host(21): .untrusted,
                RolloutSamples.host(22): .untrusted, RolloutSamples.host(23): .inAnotherRollout,
                RolloutSamples.host(24): .osTypeNotServed, RolloutSamples.host(25): .alreadyOnTarget,
            ]
        )
        #expect(plan.dropFirst(3).allSatisfy { $0.state == .skipped && $0.offer == nil })
        // Skipped hosts are spread over sites too: sites in order.
        #expect(plan[3].candidate.siteId == RolloutSamples.site(0))
        // Waves are slices of that order: the third wave holds one eligible host and the skipped ones.
        #expect(plan.map(\.wave) == [0, 0, 1, 1, 2, 2, 2, 2, 2])
        let waves = RolloutPlanner.waves(of: rollout, plan: plan)
        #expect(waves.map(\.pending) == [2, 1, 0])
        #expect(waves.map(\.skipped) == [0, 1, 5])
    }

    @Test(
        "what each policy resolves to for each kind of node",
        arguments: [
            // TARGET image policy: an immutable node gets the image; on the target already it is skipped.
            (
                RolloutSamples.targetPolicy, RolloutSamples.oldImage,
                RolloutOffer?.some(.image(RolloutSamples.newImage)), RolloutHostReason?.none
            ),
            (RolloutSamples.targetPolicy, RolloutSamples.newImage, nil, .alreadyOnTarget),
            // A TARGET image on an Ubuntu node is not served.
            (RolloutSamples.targetPolicy, RolloutSamples.ubuntu, nil, .osTypeNotServed),
            // A package policy on an immutable node is not served; on an Ubuntu node it is.
            (RolloutSamples.packagePolicy, RolloutSamples.oldImage, nil, .osTypeNotServed),
            (RolloutSamples.packagePolicy, RolloutSamples.ubuntu, .packages("curl\nvim"), nil),
            // LATEST: the newest image of the profile, skipped when already on it, an upgrade on Ubuntu.
            (RolloutSamples.latestPolicy, RolloutSamples.oldImage, .image(RolloutSamples.newImage), nil),
            (RolloutSamples.latestPolicy, RolloutSamples.newImage, nil, .alreadyOnTarget),
            (RolloutSamples.latestPolicy, RolloutSamples.ubuntu, .upgrade, nil),
        ]
    )
    func resolution(policy: PolicyResolution, os: OSResource, offer: RolloutOffer?, reason: RolloutHostReason?) throws {
        let rollout = RolloutSamples.with { $0.waves = RolloutSamples.waves(.percent(100)) }
        let plan = try RolloutPlanner.plan(
            rollout,
            candidates: [RolloutSamples.candidate(1, site: 1, os: os)],
            policy: policy
        )
        #expect(plan.count == 1)
        #expect(plan.first?.offer == offer)
        #expect(plan.first?.reason == reason)
        #expect(plan.first?.state == (reason == nil ? .pending : .skipped))
    }

    @Test("LATEST: a node whose profile has no image has no target image")
    func noTargetImage() {
        let other = OSResource(
            resourceId: ResourceID.make(.operatingSystem, number: 7),
            name: "other",
            imageId: "1.0",
            profileName: "other-profile",
            osType: .immutable
        )
        let facts = RolloutSamples.candidate(1, site: 1, os: other).instance!
        #expect(RolloutSamples.latestPolicy.resolve(facts) == .failure(.noTargetImage))
    }

    @Test("LATEST: a node already on a newer image than the profile's newest known one is on target")
    func newerThanNewest() {
        var facts = RolloutSamples.candidate(1, site: 1, os: RolloutSamples.oldImage).instance!
        facts.imageId = "3.0.20270101.0100"
        facts.osId = ResourceID.make(.operatingSystem, number: 8)
        #expect(RolloutSamples.latestPolicy.resolve(facts) == .failure(.alreadyOnTarget))
    }
}

@Suite("Rollout preview")
struct RolloutPreviewTests {
    static let now: Int64 = 1_800_000_000

    static func rollout(
        _ sizes: [WaveSize],
        respect: Bool = true,
        soak: Int64 = 0,
        start: Int64 = now,
        successThreshold: Int = 100
    ) -> Rollout {
        RolloutSamples.with {
            $0.waves = sizes.map { RolloutWave(size: $0) }
            $0.respectMaintenanceWindows = respect
            $0.soakSeconds = soak
            $0.startSeconds = start
            $0.successThreshold = successThreshold
        }
    }

    static func preview(
        _ rollout: Rollout,
        hosts: Int = 2,
        own: [String: HostSchedules] = [:],
        site: HostSchedules = HostSchedules()
    ) throws -> RolloutPreview {
        let candidates = (0..<hosts).map { RolloutSamples.candidate($0, site: 1) }
        let plan = try RolloutPlanner.plan(rollout, candidates: candidates, policy: RolloutSamples.targetPolicy)
        return RolloutPreview.build(
            rollout,
            plan: plan,
            now: now,
            ownSchedules: { own[$0] },
            siteSchedules: { _ in site }
        )
    }

    static func single(_ start: Int64, _ end: Int64?) -> SingleSchedule {
        SingleSchedule(
            name: "w",
            scheduleStatus: .osUpdate,
            target: .site(RolloutSamples.site(1)),
            startSeconds: start,
            endSeconds: end
        )
    }

    @Test(
        "a single window: the earliest start is its start, or now when it is open already",
        arguments: [
            (RolloutPreviewTests.now + 3600, RolloutPreviewTests.now + 7200, RolloutPreviewTests.now + 3600),
            (RolloutPreviewTests.now - 60, RolloutPreviewTests.now + 7200, RolloutPreviewTests.now),
            (RolloutPreviewTests.now - 60, nil, RolloutPreviewTests.now),
        ] as [(Int64, Int64?, Int64)]
    )
    func singleWindow(start: Int64, end: Int64?, expected: Int64) throws {
        let preview = try Self.preview(
            Self.rollout([.percent(100)]),
            site: HostSchedules(single: [Self.single(start, end)])
        )
        #expect(preview.hosts.map(\.earliestStart) == [expected, expected])
        #expect(preview.hosts.allSatisfy { $0.timeZone == "UTC" })
        #expect(preview.waves.map(\.earliestStart) == [Self.now])
        #expect(preview.waves.map(\.earliestFinish) == [expected])
        #expect(preview.earliestFinish == expected)
    }

    @Test("a window that has ended opens nothing")
    func endedWindow() throws {
        let preview = try Self.preview(
            Self.rollout([.percent(100)]),
            site: HostSchedules(single: [Self.single(Self.now - 7200, Self.now - 3600)])
        )
        #expect(preview.hosts.allSatisfy { $0.earliestStart == nil })
        #expect(preview.earliestFinish == nil)
    }

    @Test(
        "a repeated (cron, UTC) window: its next tick, now inside it, the tick itself at a tick",
        arguments: [
            ("2026-03-10T00:00:00Z", "2026-03-10T02:00:00Z"),
            ("2026-03-10T02:00:00Z", "2026-03-10T02:00:00Z"),
            ("2026-03-10T02:30:00Z", "2026-03-10T02:30:00Z"),
            ("2026-03-10T03:00:00Z", "2026-03-10T03:00:00Z"),
            ("2026-03-10T03:00:01Z", "2026-03-11T02:00:00Z"),
        ]
    )
    func repeatedWindow(at: String, expected: String) throws {
        let start = try unixSeconds(at)
        let daily = RepeatedSchedule(
            name: "nightly",
            scheduleStatus: .maintenance,
            target: .site(RolloutSamples.site(1)),
            durationSeconds: 3600,
            cronMinutes: "0",
            cronHours: "2"
        )
        let rollout = Self.rollout([.percent(100)], start: start)
        let candidates = [RolloutSamples.candidate(0, site: 1)]
        let plan = try RolloutPlanner.plan(rollout, candidates: candidates, policy: RolloutSamples.targetPolicy)
        let preview = RolloutPreview.build(
            rollout,
            plan: plan,
            now: start,
            ownSchedules: { _ in nil },
            siteSchedules: { _ in HostSchedules(repeated: [daily]) }
        )
        #expect(preview.hosts.first?.earliestStart == (try unixSeconds(expected)))
    }

    @Test("a host's own window is taken with the inherited ones; the earliest of them wins")
    func ownAndInherited() throws {
        let own = [RolloutSamples.host(0): HostSchedules(single: [Self.single(Self.now + 100, nil)])]
        let preview = try Self.preview(
            Self.rollout([.percent(100)]),
            own: own,
            site: HostSchedules(single: [Self.single(Self.now + 500, nil)])
        )
        #expect(preview.hosts.map(\.earliestStart) == [Self.now + 100, Self.now + 500])
        #expect(preview.earliestFinish == Self.now + 500)
    }

    @Test("no window: no earliest start, and the rollout can never finish")
    func noWindow() throws {
        let preview = try Self.preview(Self.rollout([.hosts(1), .percent(100)]))
        #expect(preview.hosts.allSatisfy { $0.earliestStart == nil })
        #expect(preview.waves.map(\.earliestFinish) == [nil, nil])
        #expect(preview.waves.map(\.earliestStart) == [Self.now, nil])
        #expect(preview.earliestFinish == nil)
    }

    @Test("respectMaintenanceWindows false: each host can start when its wave opens")
    func ownWindows() throws {
        let preview = try Self.preview(Self.rollout([.hosts(1), .percent(100)], respect: false, start: Self.now + 60))
        #expect(preview.hosts.map(\.earliestStart) == [Self.now + 60, Self.now + 60])
        #expect(preview.earliestFinish == Self.now + 60)
    }

    @Test("earliestFinish: soak between waves, none after the last")
    func soakBetweenWaves() throws {
        let preview = try Self.preview(
            Self.rollout([.hosts(1), .hosts(1), .percent(100)], respect: false, soak: 600),
            hosts: 3
        )
        #expect(preview.waves.map(\.earliestStart) == [Self.now, Self.now + 600, Self.now + 1200])
        #expect(preview.waves.map(\.earliestFinish) == [Self.now, Self.now + 600, Self.now + 1200])
        #expect(preview.hosts.map(\.earliestStart) == [Self.now, Self.now + 600, Self.now + 1200])
        #expect(preview.earliestFinish == Self.now + 1200)
    }

    @Test("earliestFinish of a wave is the start of the host that reaches its success threshold")
    func thresholdHost() throws {
        let own = [
            RolloutSamples.host(0): HostSchedules(single: [Self.single(Self.now + 100, nil)]),
            RolloutSamples.host(1): HostSchedules(single: [Self.single(Self.now + 300, nil)]),
            RolloutSamples.host(2): HostSchedules(single: [Self.single(Self.now + 200, nil)]),
        ]
        let half = try Self.preview(Self.rollout([.percent(100)], successThreshold: 50), hosts: 4, own: own)
        #expect(half.earliestFinish == Self.now + 200)
        let all = try Self.preview(Self.rollout([.percent(100)]), hosts: 4, own: own)
        #expect(all.earliestFinish == nil)
    }

    @Test("skipped hosts are counted by reason and need no window")
    func skippedByReason() throws {
        let rollout = Self.rollout([.percent(100)], respect: false)
        let candidates = [
            RolloutSamples.candidate(0, site: 1), RolloutSamples.candidate(1, site: 1, os: RolloutSamples.newImage),
            RolloutSamples.candidate(2, site: 1, os: RolloutSamples.ubuntu),
        ]
        let plan = try RolloutPlanner.plan(rollout, candidates: candidates, policy: RolloutSamples.targetPolicy)
        let preview = RolloutPreview.build(
            rollout,
            plan: plan,
            now: Self.now,
            ownSchedules: { _ in nil },
            siteSchedules: { _ in HostSchedules() }
        )
        #expect(preview.skippedByReason == [.alreadyOnTarget: 1, .osTypeNotServed: 1])
        #expect(preview.waves.map(\.skipped) == [2])
        #expect(preview.hosts.filter { $0.state == .skipped }.allSatisfy { $0.earliestStart == nil })
        #expect(preview.earliestFinish == Self.now)
    }
}
