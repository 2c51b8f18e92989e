import AgentCore
import AgentSimulation
import Foundation
import Testing

@Suite("Metadata file")
struct MetadataTests {
    static func folder() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("day2-meta-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    @Test("upstream keys round-trip; a missing file starts UP_TO_DATE; older files read with defaults")
    func roundTrip() async throws {
        let root = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let store = MetadataStore(fileSystem: PosixFileSystem(root: root), path: "/pua/metadata.json")
        var metadata = try await store.load()
        #expect(metadata.updateStatus == .upToDate)
        metadata.singleSchedule = SingleWindow(startSeconds: 1, endSeconds: 2)
        metadata.updateSource = UpdateSourceRecord(kernelCommand: "quiet")
        try await store.save(metadata)
        #expect(try await store.load() == metadata)
        let text = try String(contentsOfFile: root + "/pua/metadata.json", encoding: .utf8)
        for key in [
            "updateTime", "updateDuration", "updateInProgress", "updateStatus", "updateLog", "singleSchedule",
            "repeatedSchedules", "updateSource", "singleScheduleFinished", "installedPackages", "\"start_seconds\":1",
            "\"kernel_command\":\"quiet\"",
        ] {
            #expect(text.contains(key), "\(key)")
        }
        let old =
            #"{"updateStatus":"STATUS_TYPE_STARTED","updateInProgress":"OS","singleSchedule":{"start_seconds":5},"repeatedSchedule":null,"updateLog":""}"#
        try Data(old.utf8).write(to: URL(fileURLWithPath: root + "/pua/metadata.json"))
        let read = try await store.load()
        #expect(read.updateStatus == .started && read.singleSchedule?.startSeconds == 5 && read.day2.job == nil)
    }

    @Test("a symlinked metadata file is refused; a corrupted one is kept aside and reported")
    func symlinkAndCorruption() async throws {
        let root = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let store = MetadataStore(fileSystem: PosixFileSystem(root: root), path: "/metadata.json")
        try FileManager.default.createSymbolicLink(atPath: root + "/metadata.json", withDestinationPath: "/etc/passwd")
        await #expect(throws: AgentError.self) { _ = try await store.load() }
        try FileManager.default.removeItem(atPath: root + "/metadata.json")
        try Data("{\"updateStatus\": \"STATUS_TY".utf8).write(to: URL(fileURLWithPath: root + "/metadata.json"))
        let fresh = try await store.load()
        #expect(fresh.updateStatus == .failed)
        #expect(fresh.updateLog.contains("metadataPath"))
        #expect(FileManager.default.fileExists(atPath: root + "/metadata.json.corrupt"))
    }

    @Test("an atomic write interrupted before the rename leaves the old document intact")
    func interruptedWrite() async throws {
        let root = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let power = PowerSwitch()
        let store = MetadataStore(fileSystem: SimulatedFileSystem(root: root, power: power), path: "/metadata.json")
        var metadata = try await store.load()
        metadata.updateLog = "first"
        try await store.save(metadata)
        for cut in 0..<4 {
            metadata.updateLog = "second \(cut)"
            power.cut(after: cut)
            await #expect(throws: AgentError.self) { try await store.save(metadata) }
            power.powerOn()
            let read = try await MetadataStore(fileSystem: PosixFileSystem(root: root), path: "/metadata.json").load()
            // Before the rename the old document is there; after it, the new one: never a mix.
            #expect(read.updateLog == "first" || read.updateLog == "second \(cut)")
            #expect(read.updateLog == (cut < 3 ? "first" : "second \(cut)"))
        }
    }
}
