import Crypto
import Foundation

extension ReleaseFolder {
    /// What `publish` stored.
    public struct Published: Sendable, Hashable {
        /// The repository.
        public var repository: String
        /// The tag.
        public var tag: String
        /// The manifest digest.
        public var manifestDigest: String
        /// The files copied into the folder, relative to it.
        public var files: [String]
    }

    /// One file to copy into the folder: from `source` to the folder-relative `destination`, which must hash to
    /// `sha256` when one is given.
    public struct FileCopy: Sendable, Hashable {
        /// The file to copy.
        public var source: String
        /// Where it goes, relative to the folder.
        public var destination: String
        /// The SHA-256 (hex) it must have, if known.
        public var sha256: String?
        /// The field that names the destination (for messages), e.g. `spec.osImageUrl`.
        public var field: String

        /// Creates a copy order.
        public init(source: String, destination: String, sha256: String? = nil, field: String) {
            self.source = source
            self.destination = destination
            self.sha256 = sha256
            self.field = field
        }
    }

    /// Stores a profile as upstream publishes it (`oras push --artifact-type application/vnd.intel.orch.en
    /// <title>`): an OCI 1.1 image manifest with the empty config and one layer, the profile, annotated with its
    /// file name; tagged `tag` in `repository`. The files are copied first (each checked against its SHA-256 and
    /// given a `<file>.sha256` beside it), so a profile is never published without its image.
    public func publish(
        profile: [UInt8],
        title: String,
        repository: String,
        tag: String,
        files: [FileCopy] = [],
        created: Date = Date()
    ) throws -> Published {
        guard OCIGrammar.isTag(tag) else {
            throw ReleaseServiceError(.badName, "tag \"\(tag.prefix(130))\" is not an OCI tag")
        }
        let layoutPath = try layout(repository)
        guard !title.isEmpty, !title.contains("/") else {
            throw ReleaseServiceError(.badName, "layer title \"\(title.prefix(100))\" must be a file name")
        }
        var copied: [String] = []
        for copy in files {
            try copyFile(copy)
            copied.append(copy.destination)
        }
        let manager = FileManager.default
        let blobs = layoutPath + "/blobs/sha256"
        do {
            try manager.createDirectory(atPath: blobs, withIntermediateDirectories: true)
            try Self.writeAtomically(Data(#"{"imageLayoutVersion":"1.0.0"}"#.utf8), to: layoutPath + "/oci-layout")
        } catch {
            throw ReleaseServiceError(.io, "cannot write the layout of \(repository)", cause: error)
        }
        let empty = Array("{}".utf8)
        let layerDigest = try storeBlob(profile, in: blobs)
        let configDigest = try storeBlob(empty, in: blobs)
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        let manifest: [String: Any] = [
            "schemaVersion": 2,
            "mediaType": LayoutIndex.manifestMediaType,
            "artifactType": "application/vnd.intel.orch.en",
            "config": [
                "mediaType": "application/vnd.oci.empty.v1+json", "digest": configDigest, "size": empty.count,
                "data": "e30=",
            ] as [String: Any],
            "layers": [
                [
                    "mediaType": "application/vnd.oci.image.layer.v1.tar", "digest": layerDigest, "size": profile.count,
                    "annotations": ["org.opencontainers.image.title": title],
                ] as [String: Any]
            ],
            "annotations": ["org.opencontainers.image.created": formatter.string(from: created)],
        ]
        let manifestBytes: [UInt8]
        do {
            manifestBytes = Array(
                try JSONSerialization.data(withJSONObject: manifest, options: [.sortedKeys, .withoutEscapingSlashes])
            )
        } catch {
            throw ReleaseServiceError(.io, "cannot encode the manifest of \(repository):\(tag)", cause: error)
        }
        let manifestDigest = try storeBlob(manifestBytes, in: blobs)
        var index =
            (try? self.index(repository))
            ?? LayoutIndex(schemaVersion: 2, mediaType: LayoutIndex.mediaType, manifests: [])
        // The tag moves to the new manifest; an untagged older manifest stays reachable by digest.
        index.manifests = index.manifests.map { descriptor in
            var descriptor = descriptor
            if descriptor.annotations?[Self.refNameAnnotation] == tag {
                descriptor.annotations?[Self.refNameAnnotation] = nil
                if descriptor.annotations?.isEmpty == true { descriptor.annotations = nil }
            }
            return descriptor
        }
        index.manifests.append(
            LayoutDescriptor(
                mediaType: LayoutIndex.manifestMediaType,
                digest: manifestDigest,
                size: manifestBytes.count,
                annotations: [Self.refNameAnnotation: tag],
                data: nil
            )
        )
        do {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            try Self.writeAtomically(try encoder.encode(index), to: layoutPath + "/index.json")
        } catch {
            throw ReleaseServiceError(.io, "cannot write the index of \(repository)", cause: error)
        }
        return Published(repository: repository, tag: tag, manifestDigest: manifestDigest, files: copied)
    }

    private func storeBlob(_ bytes: [UInt8], in folder: String) throws -> String {
        let hex = OCIGrammar.sha256Hex(bytes)
        let path = folder + "/" + hex
        if !FileManager.default.fileExists(atPath: path) {
            do {
                try Self.writeAtomically(Data(bytes), to: path)
            } catch {
                throw ReleaseServiceError(.io, "cannot write blob sha256:\(hex)", cause: error)
            }
        }
        return "sha256:" + hex
    }

    private func copyFile(_ copy: FileCopy) throws {
        let segments = copy.destination.split(separator: "/", omittingEmptySubsequences: false)
        let bad =
            copy.destination.isEmpty || copy.destination.hasPrefix("/") || copy.destination.contains("\\")
            || copy.destination.contains("://") || segments.contains { $0.isEmpty || $0 == "." || $0 == ".." }
            || segments.first.map { $0 == Substring(Self.layoutsFolder) } == true
        guard !bad else {
            throw ReleaseServiceError(
                .badPath,
                "\(copy.field): \"\(copy.destination.prefix(200))\" must be a plain relative path inside the release folder (not below oci/)"
            )
        }
        let destination = root + "/" + copy.destination
        let manager = FileManager.default
        let folder = (destination as NSString).deletingLastPathComponent
        let hex: String
        do {
            try manager.createDirectory(atPath: folder, withIntermediateDirectories: true)
            let temporary = folder + "/.publish-\(UUID().uuidString)"
            defer { try? manager.removeItem(atPath: temporary) }
            hex = try Self.copyHashing(from: copy.source, to: temporary)
            if let expected = copy.sha256?.lowercased(), expected != hex {
                throw ReleaseServiceError(
                    .digestMismatch,
                    "\(copy.field): \(copy.source) has SHA-256 \(hex), the profile says \(expected)"
                )
            }
            _ = try? manager.removeItem(atPath: destination)
            try manager.moveItem(atPath: temporary, toPath: destination)
        } catch let error as ReleaseServiceError {
            throw error
        } catch {
            throw ReleaseServiceError(.io, "cannot copy \(copy.source) to \(copy.destination)", cause: error)
        }
        let sidecar = "\(hex)  \((copy.destination as NSString).lastPathComponent)\n"
        do {
            try Self.writeAtomically(Data(sidecar.utf8), to: destination + ".sha256")
        } catch {
            throw ReleaseServiceError(.io, "cannot write \(copy.destination).sha256", cause: error)
        }
    }

    /// Copies `source` to `destination` in chunks, returning the SHA-256 (hex) of what was copied.
    static func copyHashing(from source: String, to destination: String) throws -> String {
        guard let input = FileHandle(forReadingAtPath: source) else {
            throw ReleaseServiceError(.notFound, "cannot read \(source)")
        }
        defer { try? input.close() }
        guard FileManager.default.createFile(atPath: destination, contents: nil),
            let output = FileHandle(forWritingAtPath: destination)
        else { throw ReleaseServiceError(.io, "cannot create \(destination)") }
        defer { try? output.close() }
        var hasher = SHA256()
        while let chunk = try input.read(upToCount: 1 << 20), !chunk.isEmpty {
            hasher.update(data: chunk)
            try output.write(contentsOf: chunk)
        }
        try output.synchronize()
        return OCIGrammar.hex(hasher.finalize())
    }

    /// Writes through a temporary file and a rename, so readers see the old or the new content, never a part.
    static func writeAtomically(_ data: Data, to path: String) throws {
        let temporary = (path as NSString).deletingLastPathComponent + "/.tmp-\(UUID().uuidString)"
        try data.write(to: URL(fileURLWithPath: temporary))
        if rename(temporary, path) != 0 {
            try? FileManager.default.removeItem(atPath: temporary)
            throw ReleaseServiceError(.io, "cannot rename \(temporary) to \(path) (errno \(errno))")
        }
    }
}
