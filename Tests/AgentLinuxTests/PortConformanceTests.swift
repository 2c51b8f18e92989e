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
        let memory = InMemorySlotStore()
        try await Self.checkSlots(memory) { (try? memory.contents($0)) ?? [] }
        #expect(try memory.sha256(.b) == CryptoDigestFactory.hex(Self.image))
    }

    @Test("in-memory slots keep a digest, not the bytes: bytes that are not a synthetic image cannot be read back")
    func inMemorySlotLimits() async throws {
        let memory = InMemorySlotStore()
        let writer = try await memory.writer(for: .a, at: 0)
        let bytes = [UInt8](repeating: 7, count: 10_000)
        try bytes.withUnsafeBytes { try writer.write($0) }
        try writer.close()
        #expect(memory.length(.a) == 10_000)
        #expect(try memory.sha256(.a) == CryptoDigestFactory.hex(bytes))
        #expect(!memory.isBootable(.a))
        // Resuming at the end needs no bytes; resuming earlier, or reading back, does.
        let resumed = try await memory.writer(for: .a, at: 10_000)
        try bytes.withUnsafeBytes { try resumed.write($0) }
        #expect(try memory.sha256(.a) == CryptoDigestFactory.hex(bytes + bytes))
        await #expect(throws: AgentError.self) { try await memory.read(.a, length: 5_000) { _ in } }
        await #expect(throws: AgentError.self) { _ = try await memory.writer(for: .a, at: 5_000) }
        // A synthetic image installed at start: bootable, and readable from its label.
        let installed = InMemorySlotStore(initialLabel: "emt-1", initialLength: 50_000)
        #expect(installed.isBootable(.a) && !installed.isBootable(.b))
        #expect(try installed.contents(.a) == SimulatedNode.makeImage(label: "emt-1", size: 50_000))
    }

    /// The checks every `FileSystem` passes.
    static func checkFileSystem(
        _ fs: any FileSystem,
        mode: (String) throws -> Int?,
        makeSymlink: (String) throws -> Void
    ) async throws {
        try await fs.createDirectory("/etc/apt/sources.list.d")
        #expect(try await fs.read("/etc/apt/sources.list.d/x.list", refuseSymlink: true) == nil)
        try await fs.writeAtomically("/etc/apt/sources.list.d/x.list", Array("one".utf8), mode: 0o644)
        try await fs.writeAtomically("/etc/apt/sources.list.d/x.list", Array("two".utf8), mode: 0o644)
        #expect(try await fs.read("/etc/apt/sources.list.d/x.list", refuseSymlink: true) == Array("two".utf8))
        #expect(try await fs.list("/etc/apt/sources.list.d") == ["x.list"])
        #expect(try mode("/etc/apt/sources.list.d/x.list") == 0o644)
        try makeSymlink("/etc/link")
        #expect(try await fs.isSymlink("/etc/link"))
        await #expect(throws: AgentError.self) { _ = try await fs.read("/etc/link", refuseSymlink: true) }
        await #expect(throws: AgentError.self) { try await fs.writeAtomically("/etc/link", [1], mode: 0o600) }
        try await fs.remove("/etc/apt/sources.list.d/x.list")
        try await fs.remove("/etc/apt/sources.list.d/x.list")
        #expect(try await fs.list("/etc/apt/sources.list.d").isEmpty)
        #expect(try await fs.list("/no/such/folder").isEmpty)
    }

    /// The checks of `checkFileSystem` against the files below `hostRoot`.
    static func checkFileSystem(_ fs: any FileSystem, hostRoot: String) async throws {
        try await checkFileSystem(
            fs,
            mode: { path in
                try FileManager.default.attributesOfItem(atPath: hostRoot + path)[.posixPermissions] as? Int
            },
            makeSymlink: { path in
                try FileManager.default.createSymbolicLink(
                    atPath: hostRoot + path,
                    withDestinationPath: "/etc/hostname"
                )
            }
        )
    }

    @Test("FileSystem: POSIX, the simulated node's files, and the in-memory files")
    func fileSystems() async throws {
        let real = try Self.folder()
        let simulated = try Self.folder()
        defer {
            try? FileManager.default.removeItem(atPath: real)
            try? FileManager.default.removeItem(atPath: simulated)
        }
        try await Self.checkFileSystem(PosixFileSystem(root: real), hostRoot: real)
        try await Self.checkFileSystem(SimulatedFileSystem(root: simulated, power: PowerSwitch()), hostRoot: simulated)
        let memory = InMemoryFileSystem()
        try await Self.checkFileSystem(
            memory,
            mode: { memory.mode(of: $0).map(Int.init) },
            makeSymlink: { memory.makeSymlink($0) }
        )
    }
}
