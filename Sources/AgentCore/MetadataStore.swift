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
    @inline(never)
    public func load() async throws -> AgentMetadata {
        let bytes = try await fileSystem.read(path, refuseSymlink: true)
        switch Self.interpret(bytes, path: path) {
        case .document(let metadata):
            return metadata
        case .missing:
            try await fileSystem.createDirectory(FS.folder(of: path))
            let fresh = AgentMetadata()
            try await save(fresh)
            return fresh
        case .corrupt(let fresh):
            try await fileSystem.rename(path, to: path + ".corrupt")
            try await save(fresh)
            return fresh
        }
    }

    /// What the file's bytes hold.
    enum Contents {
        /// A document.
        case document(AgentMetadata)
        /// No file, or only white space.
        case missing
        /// Not a document: the fresh one that replaces it (reporting FAILED with the reason).
        case corrupt(AgentMetadata)
    }

    /// Decodes the file's bytes (synchronously, so the async `load` keeps little in its frame).
    static func interpret(_ bytes: [UInt8]?, path: String) -> Contents {
        guard let bytes, !bytes.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) else {
            return .missing
        }
        do {
            return .document(try JSONDecoder().decode(AgentMetadata.self, from: Data(bytes)))
        } catch {
            var fresh = AgentMetadata()
            fresh.updateStatus = .failed
            fresh.updateLog = "metadataPath: \(path) was not valid JSON; kept as \(path).corrupt and started afresh"
            return .corrupt(fresh)
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
