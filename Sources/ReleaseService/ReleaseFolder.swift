import Crypto
import Foundation

/// The folder of the built-in Release Service.
///
/// Every file in it is served read-only below `/release/files/`. The OS profiles are OCI artifacts kept in one OCI
/// image layout per repository below `oci/` (`oci/<repository>/oci-layout`, `index.json`, `blobs/sha256/<hex>`;
/// tags are the `org.opencontainers.image.ref.name` annotations of `index.json`), which is also what
/// `oras push --oci-layout` writes, and they are served through the OCI distribution read API at `/v2/`.
public struct ReleaseFolder: Sendable {
    /// The folder, absolute and with symbolic links resolved.
    public let root: String

    /// The annotation that names a tag in `index.json`.
    public static let refNameAnnotation = "org.opencontainers.image.ref.name"
    /// The sub-folder of the OCI layouts.
    public static let layoutsFolder = "oci"

    /// Opens (and creates, if missing) the folder.
    public init(path: String) throws {
        let manager = FileManager.default
        var isFolder: ObjCBool = false
        if !manager.fileExists(atPath: path, isDirectory: &isFolder) {
            do {
                try manager.createDirectory(atPath: path, withIntermediateDirectories: true)
            } catch {
                throw ReleaseServiceError(.io, "cannot create the release folder \(path)", cause: error)
            }
        } else if !isFolder.boolValue {
            throw ReleaseServiceError(.badPath, "release folder \(path) is not a folder")
        }
        root = URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().path
    }

    // MARK: Files

    /// The absolute path of the plain file at `relative` (a `/`-separated path, already percent-decoded), refusing
    /// anything that leaves the folder: `..`, `.`, empty segments, backslashes, NUL, and symbolic links that point
    /// outside.
    public func file(at relative: String) throws -> String {
        let segments = relative.split(separator: "/", omittingEmptySubsequences: false)
        let bad =
            relative.isEmpty || relative.hasPrefix("/") || relative.contains("\\") || relative.contains("\0")
            || segments.contains { $0.isEmpty || $0 == "." || $0 == ".." }
        guard !bad else { throw ReleaseServiceError(.badPath, "path \"\(relative.prefix(200))\" is not a plain path") }
        let joined = root + "/" + relative
        let resolved = URL(fileURLWithPath: joined).resolvingSymlinksInPath().path
        guard resolved.hasPrefix(root + "/") else {
            throw ReleaseServiceError(.badPath, "path \"\(relative.prefix(200))\" leaves the release folder")
        }
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: resolved, isDirectory: &isFolder), !isFolder.boolValue else {
            throw ReleaseServiceError(.notFound, "file \(relative.prefix(200)) not found")
        }
        return resolved
    }

    // MARK: OCI layouts

    /// The layout folder of `repository` (the name must follow the OCI grammar, so it cannot leave the folder).
    func layout(_ repository: String) throws -> String {
        guard OCIGrammar.isRepository(repository) else {
            throw ReleaseServiceError(.badName, "\"\(repository.prefix(260))\" is not a repository name")
        }
        return root + "/" + Self.layoutsFolder + "/" + repository
    }

    /// The `index.json` of a repository.
    func index(_ repository: String) throws -> LayoutIndex {
        let path = try layout(repository) + "/index.json"
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ReleaseServiceError(.notFound, "repository \(repository) not found")
        }
        do {
            return try JSONDecoder().decode(LayoutIndex.self, from: data)
        } catch {
            throw ReleaseServiceError(.corruptLayout, "\(path) is not an OCI index", cause: error)
        }
    }

    /// The tags of `repository`, sorted.
    public func tags(_ repository: String) throws -> [String] {
        let tags = try index(repository).manifests.compactMap { $0.annotations?[Self.refNameAnnotation] }
        return Array(Set(tags)).sorted()
    }

    /// A stored manifest: its bytes, media type and digest.
    public struct StoredManifest: Sendable {
        /// The manifest exactly as stored.
        public var bytes: [UInt8]
        /// Its media type.
        public var mediaType: String
        /// `sha256:…` of the bytes.
        public var digest: String
    }

    /// The manifest of `repository` at `reference` (a tag, or a digest the index lists).
    public func manifest(_ repository: String, reference: String) throws -> StoredManifest {
        let index = try index(repository)
        let descriptor: LayoutDescriptor?
        if OCIGrammar.isDigest(reference) {
            descriptor = index.manifests.first { $0.digest == reference }
        } else if OCIGrammar.isTag(reference) {
            descriptor = index.manifests.last { $0.annotations?[Self.refNameAnnotation] == reference }
        } else {
            throw ReleaseServiceError(.badName, "\"\(reference.prefix(130))\" is neither a tag nor a sha256 digest")
        }
        guard let descriptor else {
            throw ReleaseServiceError(.notFound, "manifest \(repository):\(reference) not found")
        }
        let path = try blob(repository, digest: descriptor.digest)
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ReleaseServiceError(.notFound, "manifest \(repository)@\(descriptor.digest) not found")
        }
        return StoredManifest(
            bytes: Array(data),
            mediaType: descriptor.mediaType ?? LayoutIndex.manifestMediaType,
            digest: descriptor.digest
        )
    }

    /// The file of blob `digest` of `repository`.
    public func blob(_ repository: String, digest: String) throws -> String {
        guard OCIGrammar.isDigest(digest) else {
            throw ReleaseServiceError(.badName, "\"\(digest.prefix(80))\" is not a sha256 digest")
        }
        let path = try layout(repository) + "/blobs/sha256/" + digest.dropFirst(7)
        guard FileManager.default.fileExists(atPath: path) else {
            throw ReleaseServiceError(.notFound, "blob \(repository)@\(digest) not found")
        }
        return path
    }
}

/// `index.json` of an OCI image layout.
struct LayoutIndex: Codable, Sendable {
    var schemaVersion: Int
    var mediaType: String?
    var manifests: [LayoutDescriptor]

    static let mediaType = "application/vnd.oci.image.index.v1+json"
    static let manifestMediaType = "application/vnd.oci.image.manifest.v1+json"
}

/// A descriptor in a layout index or a manifest.
struct LayoutDescriptor: Codable, Sendable, Hashable {
    var mediaType: String?
    var digest: String
    var size: Int
    var annotations: [String: String]?
    var data: String?
}
