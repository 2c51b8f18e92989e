import AgentCore
import AgentSimulation
import AsyncHTTPClient
import Foundation
import Testing

@testable import AgentLinux

/// One suite per port, run against the real adapter and its in-memory or simulated twin, so the twins the
/// crash harness relies on behave like the real thing.
@Suite("Port conformance: real adapters and their twins")
struct PortConformanceTests {
    static func folder() throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("day2-port-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    static let image = SimulatedNode.makeImage(label: "conformance", size: (1 << 20) + 12345)

    /// The checks every `ImageFetcher` passes.
    static func checkFetcher(_ fetcher: any ImageFetcher, url: String, missing: String) async throws {
        var all: [UInt8] = []
        var chunks = 0
        let total = try await fetcher.fetch(url, from: 0, { all.append(contentsOf: $0) }, afterChunk: { chunks += 1 })
        #expect(all == image)
        #expect(total == Int64(image.count))
        #expect(chunks >= 1)
        var tail: [UInt8] = []
        _ = try await fetcher.fetch(url, from: 777_777, { tail.append(contentsOf: $0) }, afterChunk: {})
        #expect(tail == Array(image[777_777...]))
        await #expect(throws: AgentError.self) {
            _ = try await fetcher.fetch(missing, from: 0, { _ in }, afterChunk: {})
        }
    }

    @Test("ImageFetcher: HTTP over loopback and the in-memory twin")
    func fetchers() async throws {
        let root = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: root) }
        try Data(Self.image).write(to: URL(fileURLWithPath: root + "/image.raw"))
        let server = try await LoopbackImageServer.start(files: ["/image.raw": root + "/image.raw"])
        let client = try HTTPImageFetcher.makeClient(caFile: "")
        try await Self.checkFetcher(
            HTTPImageFetcher(client: client),
            url: server.baseURL + "/image.raw",
            missing: server.baseURL + "/nothing.raw"
        )
        try await client.shutdown()
        try await server.stop()
        let memory = InMemoryImageFetcher(images: ["mem://image.raw": Self.image], chunkSize: 100_000)
        try await Self.checkFetcher(memory, url: "mem://image.raw", missing: "mem://nothing.raw")
    }

    /// The checks every `SlotStore` passes: write, resume at an offset (later bytes discarded), read back.
    static func checkSlots(_ slots: any SlotStore, contents: (Slot) -> [UInt8]) async throws {
        let first = try await slots.writer(for: .b, at: 0)
        try Self.image.withUnsafeBytes { try first.write(UnsafeRawBufferPointer(rebasing: $0[0..<600_000])) }
        try first.close()
        let resumed = try await slots.writer(for: .b, at: 500_000)
        try Self.image.withUnsafeBytes { try resumed.write(UnsafeRawBufferPointer(rebasing: $0[500_000...])) }
        try resumed.sync()
        try resumed.close()
        #expect(contents(.b) == Self.image)
        var prefix: [UInt8] = []
        try await slots.read(.b, length: 500_000) { prefix.append(contentsOf: $0) }
        #expect(prefix == Array(Self.image[0..<500_000]))
        await #expect(throws: AgentError.self) {
            try await slots.read(.b, length: Int64(Self.image.count) + 1) { _ in }
        }
    }

    @Test("SlotStore: device slots (files here) and the simulated slots")
    func slotStores() async throws {
        let root = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let devices = DeviceSlotStore(devices: [root + "/a.img", root + "/b.img"])
        try await Self.checkSlots(devices) {
            Array(FileManager.default.contents(atPath: devices.devices[$0.index]) ?? Data())
        }
        let simulated = SimulatedSlotStore(root: root, power: PowerSwitch())
        try await Self.checkSlots(simulated) { simulated.contents($0) }
    }

    /// The checks every `FileSystem` passes.
    static func checkFileSystem(_ fs: any FileSystem, hostRoot: String) async throws {
        try await fs.createDirectory("/etc/apt/sources.list.d")
        #expect(try await fs.read("/etc/apt/sources.list.d/x.list", refuseSymlink: true) == nil)
        try await fs.writeAtomically("/etc/apt/sources.list.d/x.list", Array("one".utf8), mode: 0o644)
        try await fs.writeAtomically("/etc/apt/sources.list.d/x.list", Array("two".utf8), mode: 0o644)
        #expect(try await fs.read("/etc/apt/sources.list.d/x.list", refuseSymlink: true) == Array("two".utf8))
        #expect(try await fs.list("/etc/apt/sources.list.d") == ["x.list"])
        let attributes = try FileManager.default.attributesOfItem(atPath: hostRoot + "/etc/apt/sources.list.d/x.list")
        #expect((attributes[.posixPermissions] as? Int) == 0o644)
        try FileManager.default.createSymbolicLink(atPath: hostRoot + "/etc/link", withDestinationPath: "/etc/hostname")
        #expect(try await fs.isSymlink("/etc/link"))
        await #expect(throws: AgentError.self) { _ = try await fs.read("/etc/link", refuseSymlink: true) }
        await #expect(throws: AgentError.self) { try await fs.writeAtomically("/etc/link", [1], mode: 0o600) }
        try await fs.remove("/etc/apt/sources.list.d/x.list")
        try await fs.remove("/etc/apt/sources.list.d/x.list")
        #expect(try await fs.list("/etc/apt/sources.list.d").isEmpty)
        #expect(try await fs.list("/no/such/folder").isEmpty)
    }

    @Test("FileSystem: POSIX and the simulated node's files")
    func fileSystems() async throws {
        let real = try Self.folder()
        let simulated = try Self.folder()
        defer {
            try? FileManager.default.removeItem(atPath: real)
            try? FileManager.default.removeItem(atPath: simulated)
        }
        try await Self.checkFileSystem(PosixFileSystem(root: real), hostRoot: real)
        try await Self.checkFileSystem(SimulatedFileSystem(root: simulated, power: PowerSwitch()), hostRoot: simulated)
    }
}
