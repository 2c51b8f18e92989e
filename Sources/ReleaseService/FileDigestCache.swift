import Crypto
import Foundation
import NIOPosix
import Synchronization

/// The SHA-256 of the files served, computed once per (path, size, modification time): from a fresh
/// `<file>.sha256` beside the file when there is one (`release publish` writes it), otherwise by reading the file on
/// a thread pool.
final class FileDigestCache: Sendable {
    private struct Key: Hashable {
        var path: String
        var size: Int
        var modified: Double
    }

    private let known: Mutex<[Key: String]>
    private let threadPool: NIOThreadPool

    init(threadPool: NIOThreadPool = .singleton) {
        self.known = Mutex([:])
        self.threadPool = threadPool
    }

    /// The hex SHA-256 of the file at `path`, and its size.
    func digest(of path: String) async throws -> (hex: String, size: Int) {
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        let size = (attributes[.size] as? NSNumber)?.intValue ?? 0
        let modified = (attributes[.modificationDate] as? Date)?.timeIntervalSince1970 ?? 0
        let key = Key(path: path, size: size, modified: modified)
        if let hex = known.withLock({ $0[key] }) { return (hex, size) }
        let hex: String
        if let sidecar = Self.sidecar(for: path, notOlderThan: modified) {
            hex = sidecar
        } else {
            hex = try await threadPool.runIfActive { try Self.hash(path) }
        }
        known.withLock { cache in
            if cache.count > 4096 { cache.removeAll() }
            cache[key] = hex
        }
        return (hex, size)
    }

    /// The digest in `<path>.sha256`, when that file is at least as new as the file and holds 64 hex characters.
    private static func sidecar(for path: String, notOlderThan modified: Double) -> String? {
        let sidecar = path + ".sha256"
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: sidecar),
            let date = attributes[.modificationDate] as? Date, date.timeIntervalSince1970 >= modified,
            let data = FileManager.default.contents(atPath: sidecar)
        else { return nil }
        let hex = String(decoding: data.prefix(64), as: UTF8.self).lowercased()
        guard hex.utf8.count == 64, hex.utf8.allSatisfy({ (48...57).contains($0) || (97...102).contains($0) }) else {
            return nil
        }
        return hex
    }

    private static func hash(_ path: String) throws -> String {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw ReleaseServiceError(.notFound, "cannot read \(path)")
        }
        defer { try? handle.close() }
        var hasher = SHA256()
        while let chunk = try handle.read(upToCount: 1 << 20), !chunk.isEmpty { hasher.update(data: chunk) }
        return OCIGrammar.hex(hasher.finalize())
    }
}
