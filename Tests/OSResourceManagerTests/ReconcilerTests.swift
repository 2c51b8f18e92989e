import Day2Model
import Day2Testing
import Foundation
import Inventory
import Logging
import MaintenanceManager
import Metrics
import ReleaseService
import Synchronization
import Testing

@testable import OSResourceManager

/// The back ends the reconciler tests run on (PostgreSQL unless `DAY2_SKIP_POSTGRES=1`).
let reconcilerBackends: [StoreBackend] = {
    ProcessInfo.processInfo.environment["DAY2_SKIP_POSTGRES"] == "1"
        ? [.sqliteFile, .sqliteMemory] : StoreBackend.allCases
}()

/// A release folder with profiles, its package manifest and CVE lists.
struct ReleaseWorld {
    let folder: ReleaseFolder
    let url: URL

    static let immutableProfile = "microvisor-nonrt"
    static let mutableProfile = "ubuntu-22.04-lts-generic"

    static func make() throws -> ReleaseWorld {
        let (folder, url) = try ProfileFixtures.folder()
        try ProfileFixtures.write(ProfileFixtures.packageManifest, to: "files-edge-orch/emt/pkg.json", in: folder)
        try ProfileFixtures.write(ProfileFixtures.cves, to: "files-edge-orch/emt/existing.json", in: folder)
        try ProfileFixtures.write("[]", to: "files-edge-orch/emt/fixed.json", in: folder)
        return ReleaseWorld(folder: folder, url: url)
    }

    func publishImmutable(version: String, tag: String) throws {
        let yaml = ProfileFixtures.immutable(
            version: version,
            packageManifest: "files-edge-orch/emt/pkg.json",
            existingCves: "files-edge-orch/emt/existing.json",
            fixedCves: "files-edge-orch/emt/fixed.json",
            release: tag
        )
        try ProfileFixtures.publish(yaml, profile: Self.immutableProfile, tag: tag, in: folder)
    }

    func source(base: String, revision: String = "~0.11.5") throws -> ReleaseSource {
        try #require(
            try ReleaseSourceMap.parse(
                base,
                repositoryPrefix: "edge-orch/en/files/os-profile/",
                revision: revision,
                profiles: [Self.immutableProfile, Self.mutableProfile]
            ).defaultSource
        )
    }

    func remove() { try? FileManager.default.removeItem(at: url) }
}

/// Metrics the tests can read back.
final class CountingMetrics: MetricsFactory, Sendable {
    private let handlers = Mutex<[String: CountingCounter]>([:])
    func makeCounter(label: String, dimensions: [(String, String)]) -> any CounterHandler {
        let key = ([label] + dimensions.map { "\($0.0)=\($0.1)" }).joined(separator: ",")
        return handlers.withLock { all in
            if let known = all[key] { return known }
            let made = CountingCounter()
            all[key] = made
            return made
        }
    }
    func makeRecorder(label: String, dimensions: [(String, String)], aggregate: Bool) -> any RecorderHandler {
        NOOPMetricsHandler.instance
    }
    func makeTimer(label: String, dimensions: [(String, String)]) -> any TimerHandler { NOOPMetricsHandler.instance }
    func destroyCounter(_ handler: any CounterHandler) {}
    func destroyRecorder(_ handler: any RecorderHandler) {}
    func destroyTimer(_ handler: any TimerHandler) {}

    func value(_ key: String) -> Int64 { handlers.withLock { $0[key]?.value ?? 0 } }
}

final class CountingCounter: CounterHandler, Sendable {
    private let count = Mutex<Int64>(0)
    func increment(by amount: Int64) { count.withLock { $0 += amount } }
    func reset() { count.withLock { $0 = 0 } }
    var value: Int64 { count.withLock { $0 } }
}

@Suite("OS resource reconciler")
struct ReconcilerTests {
    static func logger() -> Logger {
        var logger = Logger(label: "test.osrm")
        logger.logLevel = .critical
        return logger
    }

    static func reconciler<S: InventoryStore>(
        _ store: S,
        sources: ReleaseSourceMap,
        autoLink: Bool = false,
        metrics: any MetricsFactory = CountingMetrics()
    ) -> OSResourceReconciler<S> {
        OSResourceReconciler(
            store: store,
            configuration: .init(
                sources: sources,
                autoLink: autoLink,
                retry: RetryPolicy(attempts: 2, initialDelay: .milliseconds(1), sleep: { _ in })
            ),
            logger: logger(),
            metrics: metrics
        )
    }

    @Test(
        "profiles become OS resources; a newer tag becomes a new one that the MM offers to LATEST instances",
        arguments: reconcilerBackends
    )
    func discoverAndOffer(_ backend: StoreBackend) async throws {
        let world = try ReleaseWorld.make()
        defer { world.remove() }
        try world.publishImmutable(version: "3.0.20260401.0100", tag: "0.11.5")
        try ProfileFixtures.publish(
            ProfileFixtures.mutable(),
            profile: ReleaseWorld.mutableProfile,
            tag: "0.11.5",
            in: world.folder
        )
        try await backend.withStore { store in try await Self.discoverAndOffer(store, world: world) }
    }

    static func discoverAndOffer<S: InventoryStore>(_ store: S, world: ReleaseWorld) async throws {
        do {
            let project = try await store.createProject(name: "acme", id: nil)
            try await ProfileFixtures.serving(world.folder) { base in
                let metrics = CountingMetrics()
                let reconciler = Self.reconciler(
                    store,
                    sources: ReleaseSourceMap(defaultSource: try world.source(base: base)),
                    metrics: metrics
                )
                let first = try await reconciler.reconcile()
                #expect(first.created == 2 && first.failures.isEmpty && first.writeFailures.isEmpty, "\(first)")
                #expect(metrics.value("day2_osrm_os_resources_created_total") == 2)
                let all = try await store.osResources(tenant: project.id, .all).items
                let emt = try #require(all.first { $0.profileName == ReleaseWorld.immutableProfile })
                #expect(emt.imageId == "3.0.20260401.0100")
                #expect(emt.installedPackages.hasPrefix(#"{"repo":[{"name":"systemd""#))
                #expect(
                    emt.existingCves
                        == #"[{"cve_id":"CVE-2025-0001","priority":"high","affected_packages":["openssl 3.3.2"]}]"#
                )
                #expect(emt.fixedCves == "[]")
                #expect(emt.existingCvesUrl == "files-edge-orch/emt/existing.json")
                let ubuntu = try #require(all.first { $0.profileName == ReleaseWorld.mutableProfile })
                #expect(ubuntu.osType == .mutable && ubuntu.installedPackages.isEmpty)

                // A second pass changes nothing.
                let again = try await reconciler.reconcile()
                #expect(again.created == 0 && again.refreshed == 0, "\(again)")

                // An immutable node on the old image, with a LATEST policy.
                let policy = try await store.createPolicy(
                    tenant: project.id,
                    OSUpdatePolicy(name: "latest", updatePolicy: .latest)
                )
                let host = try await store.createHost(
                    tenant: project.id,
                    HostResource(name: "edge-1", uuid: Fixtures.uuid(1))
                )
                _ = try await store.createInstance(
                    tenant: project.id,
                    Instance(
                        name: "edge-1",
                        hostId: host.resourceId,
                        osId: emt.resourceId,
                        provisioningStatus: StatusTriplet(status: "Provisioned", indicator: .idle, timestamp: 1),
                        osUpdatePolicyId: policy.resourceId
                    )
                )
                let manager = MaintenanceManager(store: store, now: { Date() }, logger: Self.logger())
                let before = try await manager.poll(
                    tenant: project.id,
                    PollRequest(hostGUID: host.uuid!, status: .upToDate)
                )
                #expect(before.image == nil)

                // A new tag with a newer image; the CVE list changes too.
                try world.publishImmutable(version: "3.0.20260602.2200", tag: "0.11.6")
                try ProfileFixtures.write(
                    #"[{"cve_id":"CVE-2026-0002","priority":"low","affected_packages":[]}]"#,
                    to: "files-edge-orch/emt/existing.json",
                    in: world.folder
                )
                let second = try await reconciler.reconcile()
                #expect(second.created == 1 && second.refreshed == 1, "\(second)")
                let newer = try #require(
                    try await store.osResources(
                        tenant: project.id,
                        profileName: ReleaseWorld.immutableProfile,
                        osType: .immutable
                    )
                    .first { $0.imageId == "3.0.20260602.2200" }
                )
                let refreshedOld = try await store.osResource(tenant: project.id, id: emt.resourceId)
                #expect(refreshedOld.existingCves.contains("CVE-2026-0002"))
                #expect(refreshedOld.name == emt.name && refreshedOld.sha256 == emt.sha256)

                let after = try await manager.poll(
                    tenant: project.id,
                    PollRequest(hostGUID: host.uuid!, status: .upToDate)
                )
                #expect(after.image?.imageId == "3.0.20260602.2200")
                #expect(after.image?.sha256 == newer.sha256)
                let instance = try #require(try await store.instance(tenant: project.id, hostId: host.resourceId))
                #expect(instance.osUpdateAvailable == "Edge Microvisor Toolkit 3.0.20260602.2200")
            }
        }
    }

    @Test(
        "bad input is skipped by profile: malformed YAML, wrong digest, unreachable registry; nothing existing changes",
        arguments: reconcilerBackends
    )
    func badInput(_ backend: StoreBackend) async throws {
        let world = try ReleaseWorld.make()
        defer { world.remove() }
        try world.publishImmutable(version: "3.0.1.1", tag: "0.11.5")
        try ProfileFixtures.publish(
            ProfileFixtures.mutable(),
            profile: ReleaseWorld.mutableProfile,
            tag: "0.11.5",
            in: world.folder
        )
        try await backend.withStore { store in try await Self.badInput(store, world: world) }
    }

    static func badInput<S: InventoryStore>(_ store: S, world: ReleaseWorld) async throws {
        do {
            let project = try await store.createProject(name: "acme", id: nil)
            try await ProfileFixtures.serving(world.folder) { base in
                let sources = ReleaseSourceMap(defaultSource: try world.source(base: base))
                let reconciler = Self.reconciler(store, sources: sources)
                #expect(try await reconciler.reconcile().created == 2)

                // A malformed newer profile of one profile: skipped, the other profile still syncs.
                let broken = ProfileFixtures.immutable(version: "3.0.2.1", release: "0.11.6")
                    .replacingOccurrences(of: "OS_TYPE_IMMUTABLE", with: "OS_TYPE_SOMETHING")
                try ProfileFixtures.publish(
                    broken,
                    profile: ReleaseWorld.immutableProfile,
                    tag: "0.11.6",
                    in: world.folder
                )
                try ProfileFixtures.publish(
                    ProfileFixtures.mutable(version: "22.04.6"),
                    profile: ReleaseWorld.mutableProfile,
                    tag: "0.11.6",
                    in: world.folder
                )
                let malformed = try await reconciler.reconcile()
                #expect(malformed.created == 1, "\(malformed)")
                #expect(malformed.failures.count == 1)
                #expect(malformed.failures[0].hasPrefix("microvisor-nonrt:0.11.6: "))
                #expect(malformed.failures[0].contains("spec.type"))

                // A wrong digest (the stored profile blob altered): skipped, naming the digest.
                try world.publishImmutable(version: "3.0.3.1", tag: "0.11.7")
                let manifest = try world.folder.manifest(
                    "edge-orch/en/files/os-profile/microvisor-nonrt",
                    reference: "0.11.7"
                )
                let layerDigest = try #require(
                    String(decoding: manifest.bytes, as: UTF8.self).components(separatedBy: "\"digest\":\"").dropFirst()
                        .map { String($0.prefix(71)) }.first {
                            $0.hasPrefix("sha256:")
                                && $0 != "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a"
                        }
                )
                let blobFile = try world.folder.blob(
                    "edge-orch/en/files/os-profile/microvisor-nonrt",
                    digest: layerDigest
                )
                try Data(ProfileFixtures.immutable(version: "6.6.6.6", release: "0.11.7").utf8).write(
                    to: URL(fileURLWithPath: blobFile)
                )
                let tampered = try await reconciler.reconcile()
                #expect(tampered.created == 0, "\(tampered)")
                #expect(
                    tampered.failures.contains {
                        $0.hasPrefix("microvisor-nonrt:0.11.7: digestMismatch") && $0.contains(layerDigest)
                    },
                    "\(tampered.failures)"
                )
                let images = try await store.osResources(tenant: project.id, .all).items.map(\.imageId)
                #expect(!images.contains("6.6.6.6") && !images.contains("3.0.3.1"))

                // A profile that disappears from the Release Service keeps its OS resource.
                try FileManager.default.removeItem(
                    atPath: world.folder.root + "/oci/edge-orch/en/files/os-profile/ubuntu-22.04-lts-generic"
                )
                let gone = try await reconciler.reconcile()
                #expect(
                    gone.failures.contains { $0.hasPrefix("ubuntu-22.04-lts-generic: notFound") },
                    "\(gone.failures)"
                )
            }
            // The registry is gone: every profile is skipped and nothing is changed or lost.
            let everything = try await store.osResources(tenant: project.id, .all).items
            let unreachable = ReleaseSourceMap(defaultSource: try world.source(base: "http://127.0.0.1:9"))
            let report = try await Self.reconciler(store, sources: unreachable).reconcile()
            #expect(report.failures.count == 2 && report.created == 0, "\(report)")
            #expect(report.failures.allSatisfy { $0.contains("unreachable") })
            #expect(try await store.osResources(tenant: project.id, .all).items == everything)
            #expect(everything.count == 3)
        }
    }

    @Test(
        "per-project sources: a project with its own Release Service gets its profiles, an 'off' project none",
        arguments: [StoreBackend.sqliteMemory]
    )
    func perProject(_ backend: StoreBackend) async throws {
        let world = try ReleaseWorld.make()
        let custom = try ReleaseWorld.make()
        defer {
            world.remove()
            custom.remove()
        }
        try world.publishImmutable(version: "3.0.1.1", tag: "0.11.5")
        try ProfileFixtures.publish(
            ProfileFixtures.mutable(),
            profile: ReleaseWorld.mutableProfile,
            tag: "0.11.5",
            in: world.folder
        )
        try ProfileFixtures.publish(
            ProfileFixtures.immutable(profile: "acme-os", version: "7.1.0", name: "Acme OS 7.1.0", release: "1.0.0"),
            profile: "acme-os",
            tag: "1.0.0",
            in: custom.folder,
            prefix: "acme/profiles/"
        )
        try await backend.withStore { store in try await Self.perProject(store, world: world, custom: custom) }
    }

    static func perProject<S: InventoryStore>(_ store: S, world: ReleaseWorld, custom: ReleaseWorld) async throws {
        do {
            let main = try await store.createProject(name: "main", id: nil)
            let acme = try await store.createProject(name: "acme", id: nil)
            let lab = try await store.createProject(name: "lab", id: nil)
            try await ProfileFixtures.serving(world.folder) { base in
                try await ProfileFixtures.serving(custom.folder) { customBase in
                    let sources = try ReleaseSourceMap.parse(
                        "\(base) acme=\(customBase)?repo=acme/profiles/&revision=1.0.0&profile=acme-os lab=off",
                        repositoryPrefix: "edge-orch/en/files/os-profile/",
                        revision: "0.11.5",
                        profiles: [ReleaseWorld.immutableProfile, ReleaseWorld.mutableProfile]
                    )
                    let report = try await Self.reconciler(store, sources: sources).reconcile()
                    #expect(report.projects == 2 && report.created == 3, "\(report)")
                }
            }
            #expect(try await store.osResources(tenant: main.id, .all).items.count == 2)
            #expect(try await store.osResources(tenant: acme.id, .all).items.map(\.name) == ["Acme OS 7.1.0"])
            #expect(try await store.osResources(tenant: lab.id, .all).items.isEmpty)
        }
    }

    @Test(
        "automatic mode links immutable instances without a policy to one LATEST policy; others are left alone",
        arguments: reconcilerBackends
    )
    func autoLink(_ backend: StoreBackend) async throws {
        let world = try ReleaseWorld.make()
        defer { world.remove() }
        try world.publishImmutable(version: "3.0.1.1", tag: "0.11.5")
        try ProfileFixtures.publish(
            ProfileFixtures.mutable(),
            profile: ReleaseWorld.mutableProfile,
            tag: "0.11.5",
            in: world.folder
        )
        try await backend.withStore { store in try await Self.autoLink(store, world: world) }
    }

    static func autoLink<S: InventoryStore>(_ store: S, world: ReleaseWorld) async throws {
        do {
            let project = try await store.createProject(name: "acme", id: nil)
            try await ProfileFixtures.serving(world.folder) { base in
                let sources = ReleaseSourceMap(defaultSource: try world.source(base: base))
                _ = try await Self.reconciler(store, sources: sources).reconcile()
                let all = try await store.osResources(tenant: project.id, .all).items
                let emt = try #require(all.first { $0.osType == .immutable })
                let ubuntu = try #require(all.first { $0.osType == .mutable })
                let target = try await store.createPolicy(
                    tenant: project.id,
                    OSUpdatePolicy(name: "pinned", targetOsId: emt.resourceId, updatePolicy: .target)
                )
                var instances: [Instance] = []
                for (index, (os, policy)) in [(emt, nil), (emt, nil), (emt, target.resourceId), (ubuntu, nil)]
                    .enumerated()
                {
                    let host = try await store.createHost(
                        tenant: project.id,
                        HostResource(name: "edge-\(index)", uuid: Fixtures.uuid(index))
                    )
                    instances.append(
                        try await store.createInstance(
                            tenant: project.id,
                            Instance(
                                name: "edge-\(index)",
                                hostId: host.resourceId,
                                osId: os.resourceId,
                                osUpdatePolicyId: policy
                            )
                        )
                    )
                }
                let manual = try await Self.reconciler(store, sources: sources).reconcile()
                #expect(manual.linked == 0)
                let report = try await Self.reconciler(store, sources: sources, autoLink: true).reconcile()
                #expect(report.linked == 2, "\(report)")
                let policies = try await store.policies(tenant: project.id, .all).items
                let latest = try #require(policies.first { $0.name == OSResourceReconciler<S>.autoLinkPolicyName })
                #expect(latest.updatePolicy == .latest)
                let after = try await store.instances(tenant: project.id, .all).items
                let byId = Dictionary(uniqueKeysWithValues: after.map { ($0.resourceId, $0) })
                #expect(byId[instances[0].resourceId]?.osUpdatePolicyId == latest.resourceId)
                #expect(byId[instances[1].resourceId]?.osUpdatePolicyId == latest.resourceId)
                #expect(byId[instances[2].resourceId]?.osUpdatePolicyId == target.resourceId)
                #expect(byId[instances[3].resourceId]?.osUpdatePolicyId == nil)
                let again = try await Self.reconciler(store, sources: sources, autoLink: true).reconcile()
                #expect(again.linked == 0)
                #expect(try await store.policies(tenant: project.id, .all).items.count == 2)
            }
        }
    }
}
