import AgentCore
import AgentSimulation
import Day2Model
import Foundation
import Logging
import Testing

/// A simulated node in a temporary folder with an in-memory Maintenance Manager and image server, a manual
/// clock, and helpers to drive the agent through reboots and power cuts.
struct NodeHarness {
    static let start: Double = 1_900_000_000
    static let releaseService = "https://rs.example.test"
    static let oldImage = SimulatedNode.makeImage(label: "emt-3.0.1", size: 48 << 10)
    static let newImage = SimulatedNode.makeImage(label: "emt-3.0.2", size: 200 << 10)

    let root: String
    let node: SimulatedNode
    let clock: ManualWallClock
    let client: InMemoryMaintenanceClient
    let fetcher: InMemoryImageFetcher
    let configuration: AgentConfiguration
    let os: NodeOS
    var logger: Logger
    /// Replaces the simulated node's rebooter when set.
    var rebooter: (any Rebooter)?
    /// Replaces the image server when set.
    var imageFetcher: (any ImageFetcher)?

    static func newImageSource(sha: String? = nil, path: String = "images/emt-3.0.2.raw") -> ImageSource {
        ImageSource(
            osImageURL: path,
            osImageID: "3.0.2",
            osImageSHA: sha ?? CryptoDigestFactory.hex(newImage),
            profileName: "microvisor-nonrt",
            profileVersion: "3.0.2"
        )
    }

    /// The window used by most tests: opens 10 minutes after the start, for an hour.
    static let window = SingleWindow(startSeconds: Int64(start) + 600, endSeconds: Int64(start) + 4200)

    static func immutableDesired(image: ImageSource = newImageSource(), window: SingleWindow? = window) -> DesiredState
    {
        DesiredState(
            osType: .immutable,
            updateSource: UpdateSourceRecord(),
            singleWindow: window,
            repeatedWindows: [],
            image: image
        )
    }

    static let signedRepo =
        "Types: deb\nURIs: https://apt.example.test/ubuntu\nSuites: jammy\nComponents: main\nSigned-By: /usr/share/keyrings/example.gpg"

    static func mutableDesired(
        kernel: String = "intel_iommu=on",
        repos: [String] = [signedRepo],
        packages: String = "htop\nnet-tools"
    ) -> DesiredState {
        DesiredState(
            osType: .mutable,
            updateSource: UpdateSourceRecord(kernelCommand: kernel, customRepos: repos),
            singleWindow: window,
            repeatedWindows: [],
            installedPackages: packages,
            image: ImageSource()
        )
    }

    static func make(
        os: NodeOS,
        desired: DesiredState,
        healthChecks: [[String]] = [["systemctl", "is-system-running"]],
        chunkSize: Int = 64 << 10
    ) async throws -> NodeHarness {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("day2-agent-\(UUID().uuidString)").path
        let node = SimulatedNode(root: root)
        try await node.prepare(
            os: os,
            initialImage: oldImage,
            packages: PackageDatabase(
                installed: ["openssl": "3.0.2-1", "bash": "5.1-6"],
                available: ["openssl": "3.0.2-2", "bash": "5.1-6", "htop": "3.0.5-7", "net-tools": "1.60-26"]
            )
        )
        // A source file the agent does not own: it must never be touched.
        try Data("deb [signed-by=/k.gpg] http://archive.ubuntu.com/ubuntu jammy main\n".utf8)
            .write(to: URL(fileURLWithPath: root + "/etc/apt/sources.list.d/ubuntu.list"))
        var raw = RawAgentConfiguration()
        raw.GUID = "4c4c4544-0042-3510-8052-b4c04f4e4d32"
        raw.updateServiceURL = "http://127.0.0.1:50002"
        raw.metadataPath = "/var/edge-node/pua/metadata.json"
        raw.jwt = .init(accessTokenPath: "/tmp/token")
        raw.tickerInterval = "60s"
        raw.immediateDownloadWindow = "5m"
        raw.downloadWindow = "1m"
        raw.releaseServiceFQDN = releaseService
        raw.bootBackend = "simulated"
        raw.healthChecks = healthChecks
        let fetcher = InMemoryImageFetcher(chunkSize: chunkSize, power: node.power)
        fetcher.serve(releaseService + "/images/emt-3.0.2.raw", newImage)
        var logger = Logger(label: "agent-test")
        logger.logLevel = .critical
        return NodeHarness(
            root: root,
            node: node,
            clock: ManualWallClock(start: start),
            client: InMemoryMaintenanceClient(desired: desired),
            fetcher: fetcher,
            configuration: try AgentConfiguration(raw: raw),
            os: os,
            logger: logger,
            rebooter: nil,
            imageFetcher: nil
        )
    }

    func agent() -> UpdateAgent {
        var environment = node.environment(
            client: client,
            fetcher: imageFetcher ?? fetcher,
            clock: clock,
            random: { 0.5 }
        )
        if let rebooter { environment.rebooter = rebooter }
        return UpdateAgent(
            configuration: configuration,
            environment: environment,
            logger: logger,
            downloadCheckpointBytes: 32 << 10
        )
    }

    /// The metadata as on disk (read without the power switch).
    func metadata() async throws -> AgentMetadata {
        try await MetadataStore(fileSystem: PosixFileSystem(root: root), path: configuration.metadataPath).load()
    }

    func bootloader() async throws -> BootloaderState {
        let data = try Data(contentsOf: URL(fileURLWithPath: root + SimulatedBootloader.statePath))
        return try JSONDecoder().decode(BootloaderState.self, from: data)
    }

    /// Ticks (a tick every `tickerInterval` of virtual time) until `done` holds, booting after each reboot and
    /// power-cycling after each power loss. Returns the number of power losses seen.
    @discardableResult
    func drive(maxTicks: Int = 200, until done: (AgentMetadata) -> Bool) async throws -> Int {
        var agent = agent()
        var powerLosses = 0
        var errors = 0
        for _ in 0..<maxTicks {
            do {
                if try await agent.tick() == .rebootRequested {
                    try await node.powerCycle()
                    agent = self.agent()
                    continue
                }
            } catch let error as AgentError where error.code == .powerLost {
                powerLosses += 1
                try await node.powerCycle()
                agent = self.agent()
                continue
            } catch {
                // As `UpdateAgent.run()` does: a failed pass is logged and the next one goes on.
                errors += 1
            }
            if !node.power.isOff, done(try await metadata()) { return powerLosses }
            clock.advance(configuration.tickerInterval)
        }
        Issue.record("the node did not settle in \(maxTicks) ticks (\(errors) failed passes)")
        return powerLosses
    }

    /// Settled: no job, and the final status (UPDATED is turned into UP_TO_DATE after it was reported).
    static func settled(_ metadata: AgentMetadata) -> Bool {
        metadata.day2.job == nil && (metadata.updateStatus == .upToDate || metadata.updateStatus == .failed)
            && (metadata.osProfileUpdateSourceActual != nil || metadata.updateStatus == .failed
                || metadata.updateLog.contains("installed"))
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: root)
    }

    /// Every file below the node's folder whose name ends in `.tmp` (left by an interrupted atomic write).
    func temporaryFiles() -> [String] {
        let enumerator = FileManager.default.enumerator(atPath: root)
        var found: [String] = []
        while let path = enumerator?.nextObject() as? String {
            if path.hasSuffix(".tmp") { found.append(path) }
        }
        return found
    }
}
