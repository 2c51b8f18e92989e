/// The file-system operations the agent needs, as a port, so that a crash test can cut power between any two.
///
/// Paths are absolute paths of the node (`/etc/apt/sources.list.d/…`); an implementation may root them elsewhere
/// (the simulator roots them in its folder).
public protocol FileSystem: Sendable {
    /// The file's bytes, or nil when it does not exist. Throws for a symbolic link when `refuseSymlink` is set.
    func read(_ path: String, refuseSymlink: Bool) async throws -> [UInt8]?
    /// Creates or replaces the file with `bytes` (mode `mode`), without syncing.
    func write(_ path: String, _ bytes: [UInt8], mode: UInt16) async throws
    /// Flushes the file's data to stable storage.
    func sync(_ path: String) async throws
    /// Renames `from` to `to` atomically (replacing `to`).
    func rename(_ from: String, to: String) async throws
    /// Flushes the folder's entries (after a rename or a removal) to stable storage.
    func syncDirectory(_ path: String) async throws
    /// Removes the file; no error when it does not exist.
    func remove(_ path: String) async throws
    /// The names of the entries of a folder (empty when it does not exist).
    func list(_ path: String) async throws -> [String]
    /// Creates the folder and its parents.
    func createDirectory(_ path: String) async throws
    /// Whether `path` is a symbolic link.
    func isSymlink(_ path: String) async throws -> Bool
}

extension FileSystem {
    /// Replaces `path` so that a power cut leaves either the old or the new content, never a mix:
    /// write a temporary file beside it, sync it, rename it over the file, sync the folder.
    public func writeAtomically(_ path: String, _ bytes: [UInt8], mode: UInt16 = 0o600) async throws {
        if try await isSymlink(path) {
            throw AgentError(.fileSystem, "\(path): is a symbolic link; refusing to write through it")
        }
        let folder = Self.folder(of: path)
        let temporary = path + ".tmp"
        try await write(temporary, bytes, mode: mode)
        try await sync(temporary)
        try await rename(temporary, to: path)
        try await syncDirectory(folder)
    }

    /// The folder part of an absolute path (`/` for a file at the root).
    public static func folder(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/"), slash != path.startIndex else { return "/" }
        return String(path[..<slash])
    }
}
