import AgentCore

/// The node's files in a folder (a `PosixFileSystem` rooted there), each operation counted by the power switch.
public struct SimulatedFileSystem: FileSystem {
    /// The real files.
    public let base: PosixFileSystem
    /// The node's power.
    public let power: PowerSwitch

    /// Files under `root`.
    public init(root: String, power: PowerSwitch) {
        base = PosixFileSystem(root: root)
        self.power = power
    }

    public func read(_ path: String, refuseSymlink: Bool) async throws -> [UInt8]? {
        try power.check("read \(path)")
        return try await base.read(path, refuseSymlink: refuseSymlink)
    }
    public func write(_ path: String, _ bytes: [UInt8], mode: UInt16) async throws {
        try power.check("write \(path)")
        try await base.write(path, bytes, mode: mode)
    }
    public func sync(_ path: String) async throws {
        try power.check("sync \(path)")
        try await base.sync(path)
    }
    public func rename(_ from: String, to: String) async throws {
        try power.check("rename \(from)")
        try await base.rename(from, to: to)
    }
    public func syncDirectory(_ path: String) async throws {
        try power.check("sync folder \(path)")
        try await base.syncDirectory(path)
    }
    public func remove(_ path: String) async throws {
        try power.check("remove \(path)")
        try await base.remove(path)
    }
    public func list(_ path: String) async throws -> [String] {
        try power.check("list \(path)")
        return try await base.list(path)
    }
    public func createDirectory(_ path: String) async throws {
        try power.check("create folder \(path)")
        try await base.createDirectory(path)
    }
    public func isSymlink(_ path: String) async throws -> Bool {
        try await base.isSymlink(path)
    }
}
