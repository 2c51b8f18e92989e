import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The real file system through POSIX calls, with every path placed under `root` (`/` on a node, the simulation
/// folder in simulated mode).
public struct PosixFileSystem: FileSystem {
    /// Prefix of every path (no trailing slash; empty for the real root).
    public let root: String

    /// A file system rooted at `root` (`/` or a folder).
    public init(root: String = "/") {
        self.root = root == "/" ? "" : (root.hasSuffix("/") ? String(root.dropLast()) : root)
    }

    /// The host path of a node path.
    public func hostPath(_ path: String) -> String { root + path }

    public func read(_ path: String, refuseSymlink: Bool) async throws -> [UInt8]? {
        let host = hostPath(path)
        if refuseSymlink, try await isSymlink(path) {
            throw AgentError(.fileSystem, "\(path): is a symbolic link; refused")
        }
        let fd = open(host, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            if errno == ENOENT { return nil }
            throw Self.error("open", path)
        }
        defer { close(fd) }
        var result: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw Self.error("read", path)
            }
            if count == 0 { break }
            result.append(contentsOf: buffer[0..<count])
        }
        return result
    }

    public func write(_ path: String, _ bytes: [UInt8], mode: UInt16) async throws {
        let fd = open(hostPath(path), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode_t(mode))
        guard fd >= 0 else { throw Self.error("open for writing", path) }
        defer { close(fd) }
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + offset, $0.count - offset) }
            if written < 0 {
                if errno == EINTR { continue }
                throw Self.error("write", path)
            }
            offset += written
        }
        _ = fchmod(fd, mode_t(mode))
    }

    public func sync(_ path: String) async throws {
        let fd = open(hostPath(path), O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw Self.error("open for sync", path) }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw Self.error("fsync", path) }
    }

    public func rename(_ from: String, to: String) async throws {
        guard Glibc.rename(hostPath(from), hostPath(to)) == 0 else { throw Self.error("rename to \(to)", from) }
    }

    public func syncDirectory(_ path: String) async throws {
        let fd = open(hostPath(path), O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw Self.error("open folder", path) }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw Self.error("fsync folder", path) }
    }

    public func remove(_ path: String) async throws {
        guard unlink(hostPath(path)) == 0 || errno == ENOENT else { throw Self.error("remove", path) }
    }

    public func list(_ path: String) async throws -> [String] {
        guard let dir = opendir(hostPath(path)) else {
            if errno == ENOENT { return [] }
            throw Self.error("list", path)
        }
        defer { closedir(dir) }
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    public func createDirectory(_ path: String) async throws {
        do {
            try FileManager.default.createDirectory(atPath: hostPath(path), withIntermediateDirectories: true)
        } catch {
            throw AgentError(.fileSystem, "\(path): cannot create folder", cause: error)
        }
    }

    public func isSymlink(_ path: String) async throws -> Bool {
        var info = stat()
        guard lstat(hostPath(path), &info) == 0 else {
            if errno == ENOENT || errno == ENOTDIR { return false }
            throw Self.error("stat", path)
        }
        return (info.st_mode & S_IFMT) == S_IFLNK
    }

    private static func error(_ operation: String, _ path: String) -> AgentError {
        AgentError(.fileSystem, "\(path): \(operation) failed: \(String(cString: strerror(errno)))")
    }
}
