import AgentCore
import AgentSimulation
import Day2Model
import Foundation
import Testing

@Suite("Poll loop: reports, retries, response filtering")
struct PollTests {
    @Test("an unreachable Maintenance Manager: three retries with growing, jittered delays, then the next pass")
    func backoff() async throws {
        let harness = try await NodeHarness.make(os: .emt, desired: NodeHarness.immutableDesired(window: nil))
        defer { harness.remove() }
        harness.client.setUnreachable(true)
        let before = harness.clock.now()
        _ = try await harness.agent().tick()
        // random() is 0.5 in the harness, so each delay is exactly its base: 0.5 + 0.75 + 1.125 s.
        #expect(harness.clock.now() - before == 2.375)
        #expect(harness.client.reports.isEmpty)
        harness.client.setUnreachable(false)
        _ = try await harness.agent().tick()
        #expect(harness.client.reports.count == 1)
        #expect(harness.client.reports[0].hostGUID == "4c4c4544-0042-3510-8052-b4c04f4e4d32")
    }

    @Test("UPDATED is reported until a poll carrying it succeeds, then becomes UP_TO_DATE")
    func updatedOnce() async throws {
        let harness = try await NodeHarness.make(os: .emt, desired: NodeHarness.immutableDesired(window: nil))
        defer { harness.remove() }
        let store = MetadataStore(
            fileSystem: PosixFileSystem(root: harness.root),
            path: harness.configuration.metadataPath
        )
        var metadata = try await store.load()
        metadata.updateStatus = .updated
        metadata.updateLog = "done"
        try await store.save(metadata)
        harness.client.setUnreachable(true)
        _ = try await harness.agent().tick()
        #expect(try await harness.metadata().updateStatus == .updated)
        harness.client.setUnreachable(false)
        _ = try await harness.agent().tick()
        #expect(harness.client.reports.map(\.status).first == .updated)
        #expect(harness.client.reports.first?.detail == "done")
        #expect(try await harness.metadata().updateStatus == .upToDate)
    }

    @Test(
        "responses for the other OS type, or without the parts this OS needs, are dropped",
        arguments: [
            (
                NodeOS.emt,
                DesiredState(osType: .mutable, singleWindow: NodeHarness.window, image: NodeHarness.newImageSource())
            ),
            (
                NodeOS.emt,
                DesiredState(
                    osType: .immutable,
                    singleWindow: NodeHarness.window,
                    repeatedWindows: nil,
                    image: NodeHarness.newImageSource()
                )
            ),
            (
                NodeOS.emt,
                DesiredState(
                    osType: .unspecified,
                    singleWindow: NodeHarness.window,
                    image: NodeHarness.newImageSource()
                )
            ),
            (NodeOS.emt, DesiredState(osType: .immutable, singleWindow: NodeHarness.window, image: nil)),
            (NodeOS.ubuntu, DesiredState(osType: .immutable, singleWindow: NodeHarness.window)),
            (NodeOS.ubuntu, DesiredState(osType: .mutable, updateSource: nil, singleWindow: NodeHarness.window)),
        ]
    )
    func filtering(os: NodeOS, desired: DesiredState) async throws {
        let harness = try await NodeHarness.make(os: os, desired: desired)
        defer { harness.remove() }
        _ = try await harness.agent().tick()
        let metadata = try await harness.metadata()
        #expect(metadata.singleSchedule == nil)
        #expect(metadata.osProfileUpdateSourceDesired == nil)
        #expect(metadata.day2.osType == "")
        #expect(harness.client.reports.count == 1)
    }

    @Test("an accepted response is stored: windows, source, packages, image")
    func accepted() async throws {
        let harness = try await NodeHarness.make(os: .ubuntu, desired: NodeHarness.mutableDesired())
        defer { harness.remove() }
        _ = try await harness.agent().tick()
        let metadata = try await harness.metadata()
        #expect(metadata.singleSchedule == NodeHarness.window)
        #expect(metadata.updateSource?.kernelCommand == "intel_iommu=on")
        #expect(metadata.installedPackages == "htop\nnet-tools")
        #expect(metadata.day2.osType == OSType.mutable.rawValue)
        #expect(!metadata.singleScheduleFinished)
    }
}
