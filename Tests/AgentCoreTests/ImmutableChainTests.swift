import AgentCore
import AgentSimulation
import Day2Model
import Foundation
import Synchronization
import Testing

@Suite("Immutable A/B chain (simulated node)")
struct ImmutableChainTests {
    @Test("pre-download, window, one-time boot, health checks, commit: UPDATED with profile, version and image id")
    func success() async throws {
        let harness = try await NodeHarness.make(os: .emt, desired: NodeHarness.immutableDesired())
        defer { harness.remove() }
        try await harness.drive(until: NodeHarness.settled)
        let metadata = try await harness.metadata()
        #expect(metadata.updateStatus == .upToDate)
        #expect(metadata.osProfileUpdateSourceActual == NodeHarness.newImageSource())
        let boot = try await harness.bootloader()
        #expect(boot.bootedSlot == .b && boot.defaultSlot == .b && boot.oneTimeSlot == nil)
        #expect(harness.node.slots.contents(.b) == NodeHarness.newImage)
        #expect(harness.node.slots.contents(.a) == NodeHarness.oldImage)
        let statuses = harness.client.reports.map(\.status)
        let order: [UpdateStatusType] = [.upToDate, .downloading, .downloaded, .started, .updated]
        let indices = order.compactMap { statuses.firstIndex(of: $0) }
        #expect(indices.count == order.count && indices == indices.sorted(), "\(statuses)")
        let updated = harness.client.reports.first { $0.status == .updated }
        #expect(updated?.profileName == "microvisor-nonrt")
        #expect(updated?.osImageID == "3.0.2")
        #expect(updated?.profileVersion == "3.0.2")
        #expect(updated?.detail.contains("\"status\":\"installed\"") == true)
        // The download happened before the window (pre-download), not in it.
        let started = try #require(harness.client.reports.firstIndex { $0.status == .started })
        let downloaded = try #require(harness.client.reports.firstIndex { $0.status == .downloaded })
        #expect(downloaded < started)
        #expect(harness.node.rebooter.reboots == 1)
    }

    @Test("the new slot fails to boot: the firmware falls back, FAILED (rolledback, bootloader), OS unchanged")
    func failedBoot() async throws {
        let harness = try await NodeHarness.make(os: .emt, desired: NodeHarness.immutableDesired())
        defer { harness.remove() }
        _ = FileManager.default.createFile(
            atPath: harness.root + SimulatedBootloader.failNextBootPath,
            contents: Data()
        )
        try await harness.drive(until: NodeHarness.settled)
        let metadata = try await harness.metadata()
        #expect(metadata.updateStatus == .failed)
        #expect(metadata.osProfileUpdateSourceActual == nil)
        #expect(metadata.updateLog.contains("\"failure_reason\":\"bootloader\""))
        #expect(metadata.updateLog.contains("\"status\":\"rolledback\""))
        let boot = try await harness.bootloader()
        #expect(boot.bootedSlot == .a && boot.defaultSlot == .a && boot.oneTimeSlot == nil)
        #expect(harness.client.reports.last?.status == .failed)
    }

    @Test("a failing health check rolls back: FAILED (oscommit), old slot running and default")
    func healthCheckFails() async throws {
        let harness = try await NodeHarness.make(os: .emt, desired: NodeHarness.immutableDesired())
        defer { harness.remove() }
        _ = FileManager.default.createFile(atPath: harness.root + "/fail-health-check", contents: Data())
        try await harness.drive(until: NodeHarness.settled)
        let metadata = try await harness.metadata()
        #expect(metadata.updateStatus == .failed)
        #expect(metadata.updateLog.contains("\"failure_reason\":\"oscommit\""))
        #expect(metadata.updateLog.contains("health check 0"))
        let boot = try await harness.bootloader()
        #expect(boot.bootedSlot == .a && boot.defaultSlot == .a)
        #expect(harness.node.rebooter.reboots == 2)
        #expect(metadata.osProfileUpdateSourceActual == nil)
    }

    @Test("a corrupted image (sha mismatch) fails with signaturecheck and is never made bootable")
    func corruptedImage() async throws {
        let wrong = String(repeating: "0", count: 64)
        let harness = try await NodeHarness.make(
            os: .emt,
            desired: NodeHarness.immutableDesired(image: NodeHarness.newImageSource(sha: wrong))
        )
        defer { harness.remove() }
        harness.clock.set(Double(NodeHarness.window.startSeconds))  // straight into the window
        try await harness.drive(until: NodeHarness.settled)
        let metadata = try await harness.metadata()
        #expect(metadata.updateStatus == .failed)
        #expect(metadata.updateLog.contains("\"failure_reason\":\"signaturecheck\""))
        #expect(metadata.day2.download == nil)
        let boot = try await harness.bootloader()
        #expect(boot.oneTimeSlot == nil && boot.bootedSlot == .a && boot.boots == 0)
        #expect(harness.node.rebooter.reboots == 0)
    }

    @Test("an image URL outside the release service fails before anything is fetched")
    func foreignURL() async throws {
        let image = NodeHarness.newImageSource(path: "https://elsewhere.example.test/images/emt-3.0.2.raw")
        let harness = try await NodeHarness.make(os: .emt, desired: NodeHarness.immutableDesired(image: image))
        defer { harness.remove() }
        harness.clock.set(Double(NodeHarness.window.startSeconds))
        try await harness.drive(until: NodeHarness.settled)
        let metadata = try await harness.metadata()
        #expect(metadata.updateStatus == .failed)
        #expect(metadata.updateLog.contains("rsauthentication"))
        #expect(harness.node.slots.contents(.b).isEmpty)
    }

    @Test("the pre-download moment is chosen once and kept across restarts; an interrupted download resumes")
    func preDownloadAcrossRestarts() async throws {
        let harness = try await NodeHarness.make(os: .emt, desired: NodeHarness.immutableDesired(), chunkSize: 16 << 10)
        defer { harness.remove() }
        _ = try await harness.agent().tick()
        let plan = try #require(try await harness.metadata().day2.preDownload)
        #expect(
            plan.startAt >= NodeHarness.window.startSeconds - 360
                && plan.startAt < NodeHarness.window.startSeconds - 300
        )
        // A restarted agent with another random source keeps the plan.
        let other = UpdateAgent(
            configuration: harness.configuration,
            environment: harness.node.environment(
                client: harness.client,
                fetcher: harness.fetcher,
                clock: harness.clock,
                random: { 0.99 }
            ),
            logger: harness.logger
        )
        _ = try await other.tick()
        #expect(try await harness.metadata().day2.preDownload == plan)
        // Cut the power in the middle of the download, then let it finish.
        harness.clock.set(Double(plan.startAt))
        harness.node.power.cut(after: 40)
        await #expect(throws: AgentError.self) { _ = try await harness.agent().tick() }
        try await harness.node.powerCycle()
        let partial = try #require(try await harness.metadata().day2.download)
        #expect(partial.bytesDone > 0 && !partial.verified)
        _ = try await harness.agent().tick()
        let done = try #require(try await harness.metadata().day2.download)
        #expect(done.verified && done.bytesDone == Int64(NodeHarness.newImage.count))
        #expect(harness.node.slots.contents(.b) == NodeHarness.newImage)
    }

    @Test("the node already runs the desired image: nothing is downloaded or rebooted")
    func alreadyApplied() async throws {
        let harness = try await NodeHarness.make(os: .emt, desired: NodeHarness.immutableDesired())
        defer { harness.remove() }
        let store = MetadataStore(
            fileSystem: PosixFileSystem(root: harness.root),
            path: harness.configuration.metadataPath
        )
        var metadata = try await store.load()
        metadata.osProfileUpdateSourceActual = NodeHarness.newImageSource()
        try await store.save(metadata)
        for _ in 0..<20 {
            _ = try await harness.agent().tick()
            harness.clock.advance(60)
        }
        #expect(harness.node.rebooter.reboots == 0)
        #expect(harness.node.slots.contents(.b).isEmpty)
        #expect(try await harness.metadata().updateStatus == .upToDate)
    }

    @Test("a reboot that fails is asked for again on the next pass; the update still completes")
    func rebootFailsOnce() async throws {
        var harness = try await NodeHarness.make(os: .emt, desired: NodeHarness.immutableDesired())
        defer { harness.remove() }
        let failing = FailingOnceRebooter(inner: harness.node.rebooter)
        harness.rebooter = failing
        try await harness.drive(until: NodeHarness.settled)
        #expect(try await harness.metadata().updateStatus == .upToDate)
        #expect(failing.failures == 1)
        #expect(try await harness.bootloader().bootedSlot == .b)
    }

    @Test(
        "kernel parameters for an immutable node are reported as not applied (FAILED with the reason), once per window"
    )
    func immutableKernelCommand() async throws {
        let desired = DesiredState(
            osType: .immutable,
            updateSource: UpdateSourceRecord(kernelCommand: "hugepages=2"),
            singleWindow: NodeHarness.window,
            repeatedWindows: [],
            image: ImageSource()
        )
        let harness = try await NodeHarness.make(os: .emt, desired: desired)
        defer { harness.remove() }
        try await harness.drive { $0.updateStatus == .failed }
        let metadata = try await harness.metadata()
        #expect(metadata.updateLog.contains("kernel_command"))
        #expect(metadata.day2.usedWindows.count == 1)
        #expect(harness.node.rebooter.reboots == 0)
    }
}

/// Fails the first reboot request, then passes them on.
final class FailingOnceRebooter: Rebooter {
    let inner: any Rebooter
    private let count = Mutex(0)
    init(inner: any Rebooter) { self.inner = inner }
    var failures: Int { count.withLock { $0 } }
    func reboot() async throws {
        let first = count.withLock { value -> Bool in
            defer { value = max(value, 1) }
            return value == 0
        }
        if first { throw AgentError(.command, "systemctl reboot exited with 1") }
        try await inner.reboot()
    }
}
