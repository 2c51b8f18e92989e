/// A `FileSystem` held as an existential, so generic helpers (`MetadataStore`) can use the environment's one.
public struct AnyFileSystem: FileSystem {
    private let base: any FileSystem

    /// Wraps `base`.
    public init(_ base: any FileSystem) { self.base = base }

    public func read(_ path: String, refuseSymlink: Bool) async throws -> [UInt8]? {
        try await base.read(path, refuseSymlink: refuseSymlink)
    }
    public func write(_ path: String, _ bytes: [UInt8], mode: UInt16) async throws {
        try await base.write(path, bytes, mode: mode)
    }
    public func sync(_ path: String) async throws { try await base.sync(path) }
    public func rename(_ from: String, to: String) async throws { try await base.rename(from, to: to) }
    public func syncDirectory(_ path: String) async throws { try await base.syncDirectory(path) }
    public func remove(_ path: String) async throws { try await base.remove(path) }
    public func list(_ path: String) async throws -> [String] { try await base.list(path) }
    public func createDirectory(_ path: String) async throws { try await base.createDirectory(path) }
    public func isSymlink(_ path: String) async throws -> Bool { try await base.isSymlink(path) }
}
