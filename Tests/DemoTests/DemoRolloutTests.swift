import AgentCore
import AgentSimulation
import Day2Model
import Demo
import Foundation
import Inventory
import Logging
import Orchestrator
import Prometheus
import ServiceLifecycle
import Synchronization
import Testing

/// `day2-orchestrator demo` in process, exactly as `main` runs it (one `DemoService` in a `ServiceGroup`), on free
/// loopback ports with a small fleet and fast timings.
@Suite("Demo rollout (orchestrator + simulated fleet in one process)", .serialized)
struct DemoRolloutTests {
    @Test(
        "6 nodes: the failing canary pauses the rollout with no wave-2 host started; resumed, every node UPDATED but the failing one, which rolled back; the inventory agrees"
    )
    func rollout() async throws {
        let work = FileManager.default.temporaryDirectory.appendingPathComponent(
            "day2-demo-\(UUID().uuidString.prefix(8))"
        )
        .path
        defer { try? FileManager.default.removeItem(atPath: work) }
        var logger = Logger(label: "demo-test")
        logger.logLevel = .warning
        var configuration = OrchestratorConfiguration.demoDefaults
        configuration.dataDirectory = work
        configuration.httpPort = 0
        configuration.grpcPort = 0
        var settings = DemoSettings()
        settings.nodes = 6
        settings.failNodes = 1
        settings.windowDelaySeconds = 2
        settings.pollIntervalSeconds = 0.3
        settings.imageBytes = 64 << 10
        settings.progressIntervalSeconds = 0.2

        let output = Text()
        let (reports, reportContinuation) = AsyncStream.makeStream(of: RolloutReport.self)
        let service = try DemoService(
            configuration: configuration,
            settings: settings,
            logger: logger,
            registry: PrometheusCollectorRegistry(),
            terminal: DemoTerminal(isInteractive: false) { output.append($0) },
            onRolloutComplete: { report in
                reportContinuation.yield(report)
                reportContinuation.finish()
            }
        )
        let password = service.configuration.adminPassword
        let group = ServiceGroup(configuration: .init(services: [service], logger: logger))
        let started = ContinuousClock.now
        let done = Flag()
        let pausedCheck = Flag()
        let report: RolloutReport? = try await withThrowingTaskGroup(of: RolloutReport?.self) { tasks in
            tasks.addTask {
                try await group.run()
                return nil
            }
            tasks.addTask {
                var iterator = reports.makeAsyncIterator()
                let report = await iterator.next()
                done.set()
                await group.triggerGracefulShutdown()
                return report
            }
            tasks.addTask {
                // The operator's part: once the canary's failure paused the rollout, check that no later wave
                // started, then resume it (as the REST API's resume does).
                // The fleet exists once the banner is out; only then is the demo's folder settled.
                while !output.value.contains("rollout   rollout-") && !done.isSet {
                    try await Task.sleep(for: .milliseconds(100))
                }
                let store = try await SQLInventoryStore.sqlite(
                    path: work + "/day2.sqlite",
                    logger: Logger(label: "demo-test-operator")
                )
                while !done.isSet {
                    try await Task.sleep(for: .milliseconds(200))
                    guard let tenant = try? await store.project(named: "default")?.id,
                        let rollout = try? await store.rollouts(tenant: tenant, ListQuery()).items.first,
                        rollout.state == .paused
                    else { continue }
                    let later = try await store.rolloutHosts(
                        tenant: tenant,
                        rolloutId: rollout.resourceId,
                        try RolloutHostQuery()
                    ).items.filter { $0.host.wave > 0 }
                    let instances = try await store.instances(tenant: tenant, hostIds: later.map(\.host.hostId))
                    let runs = try await store.runs(tenant: tenant, ListQuery()).items
                    if rollout.stateReason.hasPrefix("wave 1: 1 of 2 hosts failed")
                        && later.allSatisfy({ $0.host.state == .pending && $0.host.openedAt == nil })
                        && !runs.contains(where: { run in instances.values.contains { $0.resourceId == run.instanceId } })
                    {
                        pausedCheck.set()
                    }
                    // As an operator would: resume once the terminal has said why it paused.
                    for _ in 0..<50 where !output.value.contains(" PAUSED: ") {
                        try await Task.sleep(for: .milliseconds(100))
                    }
                    let work = try await store.rolloutWork(tenant: tenant, id: rollout.resourceId)
                    let resumed = try RolloutMachine.resume(work.rollout, now: Int64(Date().timeIntervalSince1970))
                    _ = try await store.applyRolloutAdvance(
                        tenant: tenant,
                        resumed,
                        version: work.version,
                        now: Int64(Date().timeIntervalSince1970)
                    )
                    return nil
                }
                return nil
            }
            tasks.addTask {
                // A rollout that never completes fails the test instead of hanging it.
                for _ in 0..<240 where !done.isSet { try await Task.sleep(for: .milliseconds(500)) }
                if !done.isSet { await group.triggerGracefulShutdown() }
                return nil
            }
            var result: RolloutReport?
            for try await value in tasks where value != nil { result = value }
            return result
        }
        let elapsed = ContinuousClock.now - started
        let text = output.value
        let finished = try #require(report, "the rollout did not complete; output:\n\(text)")
        #expect(elapsed < .seconds(90), "took \(elapsed)")
        #expect(pausedCheck.isSet, "the rollout paused on the canary's failure with no later host started")

        // What the nodes reported.
        #expect(finished.count(.updated) == 5, "\(text)")
        #expect(finished.count(.failed) == 1)
        let failed = try #require(finished.outcomes.first { $0.phase == .failed })
        #expect(failed.node.failsFirstBoot && failed.node.kind == .immutable)
        #expect(failed.rolledBack && failed.failureReason == "bootloader")
        #expect(finished.inventoryAgrees, "\(finished.outcomes.compactMap(\.disagreement))")

        // What the terminal said.
        #expect(text.contains("UPDATED 5  FAILED 1"), "\(text)")
        #expect(text.contains("rollout complete: 5 UPDATED, 1 FAILED (1 rolled back to the old image)"), "\(text)")
        #expect(text.contains("the inventory agrees with every node"))
        #expect(text.contains("PAUSED: wave 1: 1 of 2 hosts failed") && text.contains("day2ctl rollouts resume"), "\(text)")
        #expect(text.contains("SUCCEEDED"), "\(text)")
        #expect(text.contains("/ui  (user admin, password \(password))"))
        #expect(text.contains("day2ctl list hosts") && text.contains("Serving until Ctrl-C."))

        // The inventory, read on its own after the demo stopped.
        let store = try await SQLInventoryStore.sqlite(path: work + "/day2.sqlite", logger: logger)
        let tenant = try #require(try await store.project(named: "default")).id
        let images = try await store.osResources(
            tenant: tenant,
            profileName: DemoRelease.immutableProfile,
            osType: .immutable
        )
        let older = try #require(images.first { $0.imageId == DemoRelease.olderVersion })
        let newer = try #require(images.first { $0.imageId == DemoRelease.newerVersion })
        let hosts = try await store.hosts(tenant: tenant, ListQuery()).items
        #expect(hosts.count == 6)
        let instances = try await store.instances(tenant: tenant, hostIds: hosts.map(\.resourceId))
        let runs = try await store.runs(tenant: tenant, ListQuery()).items
        #expect(runs.allSatisfy { !$0.isOpen })
        let rollout = try #require(try await store.rollouts(tenant: tenant, ListQuery()).items.first)
        #expect(rollout.state == .succeeded && rollout.waves.count == 3)
        #expect(rollout.waves.map(\.total) == [2, 1, 1])
        for node in finished.outcomes.map(\.node) {
            let host = try #require(hosts.first { $0.name == node.name })
            let instance = try #require(instances[host.resourceId])
            let own = runs.filter { $0.instanceId == instance.resourceId }
            let simulated = SimulatedNode(root: work + "/nodes/" + node.name)
            switch (node.kind, node.failsFirstBoot) {
            case (.immutable, false):
                #expect(instance.osId == newer.resourceId, "\(node.name)")
                #expect(own.contains { $0.status.hasPrefix("Update completed") }, "\(node.name): \(own.map(\.status))")
                let boot = try await simulated.bootloader.state()
                #expect(boot.bootedSlot == .b && boot.defaultSlot == .b, "\(node.name)")
                #expect(
                    simulated.slots.contents(.b) == DemoRelease.image(version: DemoRelease.newerVersion, size: 64 << 10)
                )
            case (.immutable, true):
                #expect(instance.osId == older.resourceId)
                #expect(instance.updateStatus.status.hasPrefix("Update failed"))
                #expect(
                    own.contains { $0.status.hasPrefix("Update failed") && $0.statusDetails.contains("rolledback") }
                )
                let boot = try await simulated.bootloader.state()
                #expect(boot.bootedSlot == .a && boot.defaultSlot == .a)
            case (.mutable, _):
                #expect(own.contains { $0.status.hasPrefix("Update completed") }, "\(node.name): \(own.map(\.status))")
                let packages = try await simulated.commands.database()
                #expect(packages.installed["tree"] != nil && packages.installed["htop"] != nil, "\(packages)")
                #expect(packages.installed["openssl"] == "3.0.2-0ubuntu1.19")
            }
        }
    }
}

/// A flag set once, read from several tasks.
final class Flag: Sendable {
    private let state = Mutex(false)
    func set() { state.withLock { $0 = true } }
    var isSet: Bool { state.withLock { $0 } }
}

/// Text collected from several tasks.
final class Text: Sendable {
    private let state = Mutex("")
    func append(_ text: String) { state.withLock { $0 += text } }
    var value: String { state.withLock { $0 } }
}
