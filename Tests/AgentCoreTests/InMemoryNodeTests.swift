import AgentCore
import AgentSimulation
import Day2Model
import Logging
import Testing

/// The real agent on the in-memory node (what `day2-fleetsim` runs by the thousand): the same chains and outcomes
/// as on the on-disk simulated node.
@Suite("In-memory node (fleet simulation twin)")
struct InMemoryNodeTests {
    struct Rig {
        let node: InMemoryNode
        let clock = ManualWallClock(start: NodeHarness.start)
        let client = InMemoryMaintenanceClient(desired: NodeHarness.immutableDesired())
        let fetcher = InMemoryImageFetcher(chunkSize: 16 << 10)
        let configuration: AgentConfiguration

        init(os: NodeOS = .emt, failNextBoot: Bool = false, desired: DesiredState? = nil) throws {
            node = InMemoryNode(
                os: os,
                initialImage: ("emt-3.0.1", Int64(NodeHarness.oldImage.count)),
                packages: PackageDatabase(installed: ["bash": "5.1-6"], available: ["bash": "5.1-6", "htop": "3"]),
                failNextBoot: failNextBoot
            )
            fetcher.serve(NodeHarness.releaseService + "/images/emt-3.0.2.raw", NodeHarness.newImage)
            if let desired { client.setDesired(desired) }
            var raw = RawAgentConfiguration()
            raw.GUID = "4c4c4544-0042-3510-8052-b4c04f4e4d32"
            raw.updateServiceURL = "http://127.0.0.1:50002"
            raw.metadataPath = "/var/edge-node/pua/metadata.json"
            raw.jwt = .init(accessTokenPath: "/tmp/token")
            raw.tickerInterval = "60s"
            raw.immediateDownloadWindow = "5m"
            raw.downloadWindow = "1m"
            raw.releaseServiceFQDN = NodeHarness.releaseService
            raw.bootBackend = "simulated"
            raw.healthChecks = [["systemctl", "is-system-running"]]
            configuration = try AgentConfiguration(raw: raw)
        }

        func agent() -> UpdateAgent {
            var logger = Logger(label: "in-memory-node-test")
            logger.logLevel = .critical
            return UpdateAgent(
                configuration: configuration,
                environment: node.environment(client: client, fetcher: fetcher, clock: clock, random: { 0.5 }),
                logger: logger,
                downloadCheckpointBytes: 32 << 10
            )
        }

        /// Ticks until the agent settles (no job, UP_TO_DATE or FAILED after the window), rebooting as asked.
        func drive() async throws -> AgentMetadata {
            var agent = agent()
            for _ in 0..<200 {
                if try await agent.tick() == .rebootRequested {
                    node.bootloader.boot()
                    agent = self.agent()
                    continue
                }
                let metadata = await agent.metadata
                if NodeHarness.settled(metadata) { return metadata }
                clock.advance(configuration.tickerInterval)
            }
            Issue.record("the node did not settle")
            return await agent.metadata
        }
    }

    @Test("immutable: pre-download, window, one-time boot, commit: UPDATED; slot B holds the image's digest")
    func immutableUpdate() async throws {
        let rig = try Rig()
        let metadata = try await rig.drive()
        #expect(metadata.updateStatus == .upToDate)
        #expect(metadata.osProfileUpdateSourceActual == NodeHarness.newImageSource())
        #expect(rig.node.bootloader.current.bootedSlot == .b && rig.node.bootloader.current.defaultSlot == .b)
        #expect(try rig.node.slots.sha256(.b) == CryptoDigestFactory.hex(NodeHarness.newImage))
        #expect(try rig.node.slots.contents(.b) == NodeHarness.newImage)
        let statuses = rig.client.reports.map(\.status)
        let order: [UpdateStatusType] = [.upToDate, .downloading, .downloaded, .started, .updated]
        let indices = order.compactMap { statuses.firstIndex(of: $0) }
        #expect(indices.count == order.count && indices == indices.sorted(), "\(statuses)")
        // The metadata file lives in memory, written atomically as on disk (no temporary file left).
        #expect(try await rig.node.fileSystem.list("/var/edge-node/pua") == ["metadata.json"])
    }

    @Test("immutable: the new slot fails to boot: rolled back, FAILED, OS unchanged")
    func failedBoot() async throws {
        let rig = try Rig(failNextBoot: true)
        let metadata = try await rig.drive()
        #expect(metadata.updateStatus == .failed)
        #expect(metadata.updateLog.contains("\"status\":\"rolledback\""))
        #expect(rig.node.bootloader.current.bootedSlot == .a && rig.node.bootloader.current.defaultSlot == .a)
        #expect(rig.client.reports.last?.status == .failed)
    }

    @Test("immutable: a corrupted image fails the SHA-256 check and is never booted")
    func corruptedImage() async throws {
        let rig = try Rig(
            desired: NodeHarness.immutableDesired(
                image: NodeHarness.newImageSource(sha: String(repeating: "ab", count: 32))
            )
        )
        let metadata = try await rig.drive()
        #expect(metadata.updateStatus == .failed)
        #expect(metadata.updateLog.contains("signaturecheck"))
        #expect(rig.node.bootloader.current.boots == 0)
    }

    @Test("mutable: the apt chain against the in-memory package database")
    func mutableUpdate() async throws {
        let rig = try Rig(os: .ubuntu, desired: NodeHarness.mutableDesired(packages: "htop"))
        let metadata = try await rig.drive()
        #expect(metadata.updateStatus == .upToDate, "\(metadata.updateLog)")
        #expect(rig.node.commands.database.installed["htop"] == "3")
        #expect(try await rig.node.fileSystem.read(AptChain.grubDropIn, refuseSymlink: false) != nil)
    }
}
