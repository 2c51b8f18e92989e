import Foundation

/// Reads and writes the metadata file through a `FileSystem`, always atomically (see `writeAtomically`).
public struct MetadataStore<FS: FileSystem>: Sendable {
    /// The file system.
    public let fileSystem: FS
    /// The metadata file (a node path).
    public let path: String

    /// A store for the file at `path`.
    public init(fileSystem: FS, path: String) {
        self.fileSystem = fileSystem
        self.path = path
    }

    /// The document; a missing or empty file gives a fresh one (written at once). A symbolic link is refused. An
    /// unreadable file (written by something else) is kept aside as `<path>.corrupt` and replaced by a fresh
    /// document that reports FAILED with the reason, instead of stopping the agent.
    public func load() async throws -> AgentMetadata {
        guard let bytes = try await fileSystem.read(path, refuseSymlink: true),
            !bytes.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 })
        else {
            try await fileSystem.createDirectory(type(of: fileSystem).folder(of: path))
            let fresh = AgentMetadata()
            try await save(fresh)
            return fresh
        }
        do {
            return try JSONDecoder().decode(AgentMetadata.self, from: Data(bytes))
        } catch {
            try await fileSystem.rename(path, to: path + ".corrupt")
            var fresh = AgentMetadata()
            fresh.updateStatus = .failed
            fresh.updateLog = "metadataPath: \(path) was not valid JSON; kept as \(path).corrupt and started afresh"
            try await save(fresh)
            return fresh
        }
    }

    /// Replaces the document atomically.
    public func save(_ metadata: AgentMetadata) async throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        let data: Data
        do {
            data = try encoder.encode(metadata)
        } catch {
            throw AgentError(.metadata, "metadata could not be encoded: \(error)")
        }
        try await fileSystem.writeAtomically(path, Array(data), mode: 0o600)
    }
}
