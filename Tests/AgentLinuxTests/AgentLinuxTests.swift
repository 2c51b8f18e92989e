import AgentCore
import AgentSimulation
import AsyncHTTPClient
import Day2Model
import Foundation
import SouthboundContract
import Synchronization
import Testing

@testable import AgentLinux

/// Records commands and answers with canned output (for the boot-loader backends).
final class CannedRunner: CommandRunner {
    let output: String
    let recorded = Mutex<[Command]>([])
    init(output: String = "") { self.output = output }
    func run(_ command: Command) async throws -> CommandResult {
        recorded.withLock { $0.append(command) }
        return CommandResult(exitCode: 0, standardOutput: output)
    }
}

@Suite("Agent Linux adapters")
struct AgentLinuxTests {
    static func folder() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("day2-linux-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    @Test("the upstream YAML file loads; a symbolic link is refused; a wrong type names the key")
    func yaml() throws {
        let root = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let text = """
            version: v0.1.0
            logLevel: info
            GUID: 4c4c4544-0042-3510-8052-b4c04f4e4d32
            updateServiceURL: mm.example.com:443
            metadataPath: /var/edge-node/pua/metadata.json
            INBCLogsPath: /var/log/inbm-update-status.log
            tickerInterval: 20s
            jwt:
              accessTokenPath: /etc/intel_edge_node/tokens/platform-update-agent/access_token
            immediateDownloadWindow: 10m
            downloadWindow: 6h
            releaseServiceFQDN: https://files-rs.example.com
            slots: [/dev/sda2, /dev/sda3]
            bootBackend: systemd-boot
            bootEntries: [emt-a.conf, emt-b.conf]
            healthChecks:
              - [systemctl, is-system-running]
            """
        try text.write(toFile: root + "/agent.yaml", atomically: true, encoding: .utf8)
        let configuration = try YAMLConfigurationLoader.load(path: root + "/agent.yaml")
        #expect(configuration.slots == ["/dev/sda2", "/dev/sda3"])
        #expect(configuration.bootBackend == .systemdBoot)
        #expect(configuration.downloadWindow == 21600)
        try FileManager.default.createSymbolicLink(
            atPath: root + "/link.yaml",
            withDestinationPath: root + "/agent.yaml"
        )
        #expect(throws: AgentError.self) { try YAMLConfigurationLoader.load(path: root + "/link.yaml") }
        do {
            _ = try YAMLConfigurationLoader.parse("slots: 7\n", source: "x.yaml")
            Issue.record("a number was accepted as the slot list")
        } catch let error as AgentError {
            #expect(error.message.contains("slots"))
        }
    }

    @Test("the HTTP downloader resumes with Range and the pipeline verifies across the restart")
    func rangeResume() async throws {
        let root = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let image = SimulatedNode.makeImage(label: "range", size: 3 << 20)
        try Data(image).write(to: URL(fileURLWithPath: root + "/image.raw"))
        let server = try await LoopbackImageServer.start(files: ["/image.raw": root + "/image.raw"])
        let client = try HTTPImageFetcher.makeClient(caFile: "")
        let fetcher = HTTPImageFetcher(client: client)
        let url = server.baseURL + "/image.raw"
        var tail: [UInt8] = []
        let total = try await fetcher.fetch(url, from: 1_000_000, { tail.append(contentsOf: $0) }, afterChunk: {})
        #expect(total == Int64(image.count))
        #expect(tail == Array(image[1_000_000...]))
        // An interrupted download: the first megabyte is in the slot; the pipeline re-hashes it and fetches the rest.
        let slot = root + "/slot.img"
        try Data(image[0..<(1 << 20)]).write(to: URL(fileURLWithPath: slot))
        var record = DownloadRecord(url: url, sha256: CryptoDigestFactory.hex(image), slot: .a)
        record.bytesDone = 1 << 20
        let pipeline = ImagePipeline(
            fetcher: fetcher,
            slots: DeviceSlotStore(devices: [slot, slot]),
            digests: CryptoDigestFactory()
        )
        let done = try await pipeline.run(record) { _ in }
        #expect(done.verified)
        #expect(try Data(contentsOf: URL(fileURLWithPath: slot)) == Data(image))
        await #expect(throws: AgentError.self) {
            _ = try await fetcher.fetch(server.baseURL + "/missing", from: 0, { _ in }, afterChunk: {})
        }
        try await client.shutdown()
        try await server.stop()
    }

    @Test("wire mapping: the report's fields, and absent sub-messages stay absent")
    func wireMapping() {
        let request = WireMapping.request(
            StatusReport(
                hostGUID: "g",
                status: .downloaded,
                detail: "d",
                profileName: "p",
                osImageID: "i",
                osUpdateAvailable: "[]"
            )
        )
        #expect(request.updateStatus.statusType == .downloaded)
        #expect(request.updateStatus.profileName == "p" && request.updateStatus.osImageID == "i")
        var response = Maintmgr_V1_PlatformUpdateStatusResponse()
        response.osType = .immutable
        var desired = WireMapping.desired(response)
        #expect(desired.updateSource == nil && desired.image == nil && !desired.hasSchedule)
        var schedule = Maintmgr_V1_UpdateSchedule()
        var single = Maintmgr_V1_SingleSchedule()
        single.startSeconds = 100
        schedule.singleSchedule = single
        response.updateSchedule = schedule
        response.osProfileUpdateSource = Maintmgr_V1_OSProfileUpdateSource()
        desired = WireMapping.desired(response)
        #expect(desired.hasSchedule && desired.singleWindow == SingleWindow(startSeconds: 100, endSeconds: 0))
        #expect(desired.image == ImageSource() && desired.osType == .immutable)
    }

    @Test("swift-subprocess runner: exit code, output and extra environment")
    func subprocess() async throws {
        let result = try await SubprocessCommandRunner().run(
            Command("/bin/sh", ["-c", "echo $DAY2_TEST; echo oops >&2; exit 3"], environment: ["DAY2_TEST": "hello"])
        )
        #expect(result.exitCode == 3)
        #expect(result.standardOutput == "hello\n")
        #expect(result.standardError == "oops\n")
        await #expect(throws: AgentError.self) {
            _ = try await SubprocessCommandRunner().run(Command("no-such-program-day2"))
        }
    }

    @Test("GRUB and systemd-boot backends issue the one-time boot, the commit and read the default")
    func bootLoaders() async throws {
        let grubRunner = CannedRunner(output: "saved_entry=EMT B\nnext_entry=\n")
        let grub = GrubBootControl(
            slotDevices: ["/dev/x1", "/dev/x2"],
            entries: ["EMT A", "EMT B"],
            commands: grubRunner
        )
        try await grub.setOneTimeBoot(.b)
        try await grub.setDefault(.a)
        try await grub.clearOneTimeBoot()
        #expect(try await grub.defaultSlot() == .b)
        #expect(
            grubRunner.recorded.withLock { $0.map(\.description) }.prefix(3) == [
                "grub-reboot EMT B", "grub-set-default EMT A", "grub-editenv - unset next_entry",
            ]
        )
        let bootctlRunner = CannedRunner(
            output: #"[{"id":"emt-a.conf","isDefault":false},{"id":"emt-b.conf","isDefault":true}]"#
        )
        let systemd = SystemdBootControl(
            slotDevices: ["/dev/x1", "/dev/x2"],
            entries: ["emt-a.conf", "emt-b.conf"],
            commands: bootctlRunner
        )
        try await systemd.setOneTimeBoot(.a)
        #expect(try await systemd.defaultSlot() == .b)
        #expect(bootctlRunner.recorded.withLock { $0.first?.description } == "bootctl set-oneshot emt-a.conf")
        #expect(
            try BootedSlot.detect(slotDevices: ["/dev/x1", "/dev/x2"], cmdline: "BOOT_IMAGE=/vmlinuz root=/dev/x2 ro")
                == .b
        )
    }
}
