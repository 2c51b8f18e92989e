import AgentCore
import AgentSimulation
import Day2Model
import Foundation
import Testing

@Suite("Mutable apt chain (simulated node)")
struct MutableChainTests {
    @Test("sources, self-update, kernel drop-in, packages, full upgrade, reboot, dpkg verification: UPDATED")
    func success() async throws {
        let harness = try await NodeHarness.make(os: .ubuntu, desired: NodeHarness.mutableDesired())
        defer { harness.remove() }
        try await harness.drive(until: NodeHarness.settled)
        let metadata = try await harness.metadata()
        #expect(metadata.updateStatus == .upToDate)
        #expect(metadata.updateLog.contains("\"package_name\":\"htop\""))
        #expect(metadata.updateLog.contains("\"version\":\"3.0.5-7\""))
        let programs = try await harness.node.commands.recorded().map {
            ([$0.program] + $0.arguments.filter { !$0.hasPrefix("-") && !$0.contains("::") }).prefix(3).joined(
                separator: " "
            )
        }
        let chain = programs.filter { !$0.hasPrefix("apt list") }
        #expect(
            chain == [
                "apt-get update", "apt-get install day2-agent", "update-grub", "apt-get install htop",
                "apt-get install htop",
                "apt-get upgrade", "dpkg htop net-tools",
            ],
            "\(chain)"
        )
        let sources = try FileManager.default.contentsOfDirectory(atPath: harness.root + "/etc/apt/sources.list.d")
            .sorted()
        #expect(sources == ["day2-agent-0.sources", "ubuntu.list"])
        let dropIn = try String(contentsOfFile: harness.root + AptChain.grubDropIn, encoding: .utf8)
        #expect(dropIn.contains("${GRUB_CMDLINE_LINUX_DEFAULT} intel_iommu=on"))
        let db = try await harness.node.commands.database()
        #expect(db.installed["htop"] == "3.0.5-7" && db.installed["openssl"] == "3.0.2-2")
        #expect(harness.node.rebooter.reboots == 1)
        // The upgradable-packages report came with the polls before the upgrade.
        #expect(harness.client.reports.first?.osUpdateAvailable.contains("\"name\":\"openssl\"") == true)
    }

    @Test("a stale source file of ours is removed when the policy drops it; others are never touched")
    func ownSourcesOnly() async throws {
        let harness = try await NodeHarness.make(os: .ubuntu, desired: NodeHarness.mutableDesired(repos: []))
        defer { harness.remove() }
        try Data("stale".utf8).write(
            to: URL(fileURLWithPath: harness.root + "/etc/apt/sources.list.d/day2-agent-7.sources")
        )
        try await harness.drive(until: NodeHarness.settled)
        let sources = try FileManager.default.contentsOfDirectory(atPath: harness.root + "/etc/apt/sources.list.d")
        #expect(sources == ["ubuntu.list"])
    }

    @Test(
        "bad input fails the window with a reason and applies nothing",
        arguments: [
            (NodeHarness.mutableDesired(kernel: "quiet; rm -rf /"), "kernel_command"),
            (
                NodeHarness.mutableDesired(repos: ["Types: deb\nURIs: https://x\nSuites: jammy\nComponents: main"]),
                "Signed-By"
            ),
            (NodeHarness.mutableDesired(packages: "htop\n--force-yes"), "installed_packages[1]"),
        ]
    )
    func badInput(desired: DesiredState, named: String) async throws {
        let harness = try await NodeHarness.make(os: .ubuntu, desired: desired)
        defer { harness.remove() }
        try await harness.drive { $0.updateStatus == .failed }
        let metadata = try await harness.metadata()
        #expect(metadata.updateLog.contains(named), "\(metadata.updateLog)")
        let commands = try await harness.node.commands.recorded().filter { $0.program != "apt" }
        #expect(commands.isEmpty, "\(commands)")
        #expect(!FileManager.default.fileExists(atPath: harness.root + AptChain.grubDropIn))
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: harness.root + "/etc/apt/sources.list.d") == [
                "ubuntu.list"
            ]
        )
        #expect(harness.node.rebooter.reboots == 0)
    }

    @Test("a failing step is named in the FAILED detail and the chain stops there")
    func failingStep() async throws {
        let harness = try await NodeHarness.make(os: .ubuntu, desired: NodeHarness.mutableDesired())
        defer { harness.remove() }
        _ = FileManager.default.createFile(atPath: harness.root + "/fail-command-update-grub", contents: Data())
        try await harness.drive { $0.updateStatus == .failed }
        let metadata = try await harness.metadata()
        #expect(metadata.updateLog.contains("step kernelCommandLine"))
        #expect(metadata.updateLog.contains("utbootconfiguration"))
        #expect(try await harness.node.commands.recorded().contains { $0.arguments.contains("upgrade") } == false)
        #expect(harness.node.rebooter.reboots == 0)
    }

    @Test("a window used once is not run again on later polls")
    func windowUsedOnce() async throws {
        let harness = try await NodeHarness.make(os: .ubuntu, desired: NodeHarness.mutableDesired())
        defer { harness.remove() }
        try await harness.drive(until: NodeHarness.settled)
        let before = try await harness.node.commands.recorded().count
        for _ in 0..<10 {
            _ = try await harness.agent().tick()
            harness.clock.advance(60)
        }
        let after = try await harness.node.commands.recorded().filter { $0.program != "apt" }.count
        #expect(
            after == (try await harness.node.commands.recorded().prefix(before).filter { $0.program != "apt" }.count)
        )
        #expect(harness.node.rebooter.reboots == 1)
    }
}
