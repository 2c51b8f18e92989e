import AgentCore
import AgentSimulation
import Day2Model
import Foundation
import Testing

/// Cuts the power after every single I/O operation of a complete update (each one a separate run from a fresh
/// node), restarts the agent from the metadata file, the simulated disk and the boot loader, and checks that
/// every run ends on a bootable, known slot with the right final status and no corrupted file.
@Suite("Crash harness: power cut after every step", .serialized)
struct CrashHarnessTests {
    /// Operations of an uninterrupted run (the crash points to try).
    static func operations(os: NodeOS, desired: DesiredState) async throws -> (total: Int, reboot: Int) {
        let harness = try await NodeHarness.make(os: os, desired: desired, chunkSize: 32 << 10)
        defer { harness.remove() }
        var rebootAt = 0
        var agent = harness.agent()
        for _ in 0..<200 {
            if try await agent.tick() == .rebootRequested {
                if rebootAt == 0 { rebootAt = harness.node.power.operations }
                try await harness.node.powerCycle()
                agent = harness.agent()
                continue
            }
            if NodeHarness.settled(try await harness.metadata()) { break }
            harness.clock.advance(60)
        }
        #expect(NodeHarness.settled(try await harness.metadata()))
        return (harness.node.power.operations, rebootAt)
    }

    @Test("immutable chain: every crash point ends UPDATED on the new slot or FAILED on the old one")
    func immutable() async throws {
        let desired = NodeHarness.immutableDesired()
        let (total, rebootAt) = try await Self.operations(os: .emt, desired: desired)
        #expect(total > 50)
        var updated = 0
        var failed = 0
        for point in 0..<total {
            let harness = try await NodeHarness.make(os: .emt, desired: desired, chunkSize: 32 << 10)
            defer { harness.remove() }
            harness.node.power.cut(after: point)
            let losses = try await harness.drive(maxTicks: 300, until: NodeHarness.settled)
            #expect(losses == 1, "crash point \(point): \(losses) power losses")
            // Every file still parses: the metadata, the boot loader state.
            let metadata = try await harness.metadata()
            let boot = try await harness.bootloader()
            #expect(harness.temporaryFiles().isEmpty, "crash point \(point): \(harness.temporaryFiles())")
            #expect(boot.oneTimeSlot == nil, "crash point \(point)")
            #expect(
                boot.bootedSlot == boot.defaultSlot,
                "crash point \(point): runs \(boot.bootedSlot), default \(boot.defaultSlot)"
            )
            #expect(harness.node.slots.contents(.a) == NodeHarness.oldImage, "crash point \(point): slot A changed")
            switch metadata.updateStatus {
            case .upToDate:
                updated += 1
                #expect(boot.bootedSlot == .b, "crash point \(point)")
                #expect(harness.node.slots.contents(.b) == NodeHarness.newImage, "crash point \(point)")
                #expect(metadata.osProfileUpdateSourceActual == desired.image, "crash point \(point)")
            case .failed:
                failed += 1
                #expect(point >= rebootAt, "crash point \(point) before the reboot must not fail the update")
                #expect(boot.bootedSlot == .a, "crash point \(point)")
                #expect(metadata.osProfileUpdateSourceActual == nil, "crash point \(point)")
                #expect(metadata.updateLog.contains("\"failure_reason\":\"bootloader\""), "crash point \(point)")
            default:
                Issue.record("crash point \(point): final status \(metadata.updateStatus)")
            }
        }
        print(
            "crash harness (immutable): \(total) crash points covered, \(updated) ended UPDATED on slot B, \(failed) ended FAILED on slot A (power lost before the commit)"
        )
        #expect(updated + failed == total)
        #expect(updated > failed)
    }

    @Test("mutable chain: every crash point resumes and ends UPDATED with our files complete and others untouched")
    func mutable() async throws {
        let desired = NodeHarness.mutableDesired()
        let (total, _) = try await Self.operations(os: .ubuntu, desired: desired)
        #expect(total > 30)
        for point in 0..<total {
            let harness = try await NodeHarness.make(os: .ubuntu, desired: desired)
            defer { harness.remove() }
            harness.node.power.cut(after: point)
            let losses = try await harness.drive(maxTicks: 300, until: NodeHarness.settled)
            #expect(losses == 1, "crash point \(point)")
            let metadata = try await harness.metadata()
            #expect(
                metadata.updateStatus == .upToDate,
                "crash point \(point): \(metadata.updateStatus) \(metadata.updateLog)"
            )
            #expect(harness.temporaryFiles().isEmpty, "crash point \(point): \(harness.temporaryFiles())")
            let folder = harness.root + "/etc/apt/sources.list.d/"
            #expect(
                try String(contentsOfFile: folder + "day2-agent-0.sources", encoding: .utf8) == NodeHarness.signedRepo
                    + "\n"
            )
            #expect(
                try String(contentsOfFile: folder + "ubuntu.list", encoding: .utf8).hasPrefix("deb [signed-by=/k.gpg]")
            )
            #expect(
                try String(contentsOfFile: harness.root + AptChain.grubDropIn, encoding: .utf8)
                    == AptChain.grubDropInContent("intel_iommu=on")
            )
            let db = try await harness.node.commands.database()
            #expect(db.installed["htop"] == "3.0.5-7" && db.installed["net-tools"] == "1.60-26", "crash point \(point)")
        }
        print("crash harness (mutable): \(total) crash points covered, all ended UPDATED")
    }
}
