/// An OCI content descriptor: what a manifest says about its config and each layer.
public struct OCIDescriptor: Sendable, Hashable, Codable {
    /// The media type of the content.
    public var mediaType: String
    /// `sha256:…` of the content.
    public var digest: String
    /// Size in bytes.
    public var size: Int
    /// Annotations, e.g. `org.opencontainers.image.title`.
    public var annotations: [String: String]?

    /// Creates a descriptor.
    public init(mediaType: String, digest: String, size: Int, annotations: [String: String]? = nil) {
        self.mediaType = mediaType
        self.digest = digest
        self.size = size
        self.annotations = annotations
    }

    /// The `org.opencontainers.image.title` annotation (the file name oras gives a layer), if any.
    public var title: String? { annotations?[OCIManifest.titleAnnotation] }
}

/// An OCI image manifest (or Docker v2 schema 2 manifest, which has the same shape).
public struct OCIManifest: Sendable, Hashable, Codable {
    /// Always 2.
    public var schemaVersion: Int
    /// The manifest's media type, when it says it.
    public var mediaType: String?
    /// The artifact type (OCI 1.1), e.g. `application/vnd.intel.orch.en` for OS profiles.
    public var artifactType: String?
    /// The config descriptor.
    public var config: OCIDescriptor
    /// The layers, in order; for an OS profile the first one is the profile YAML.
    public var layers: [OCIDescriptor]
    /// Manifest annotations.
    public var annotations: [String: String]?

    /// The annotation that names a layer's file.
    public static let titleAnnotation = "org.opencontainers.image.title"
    /// The OCI image manifest media type.
    public static let ociMediaType = "application/vnd.oci.image.manifest.v1+json"
    /// The Docker v2 schema 2 manifest media type.
    public static let dockerMediaType = "application/vnd.docker.distribution.manifest.v2+json"
    /// The artifact type upstream publishes OS profiles with.
    public static let profileArtifactType = "application/vnd.intel.orch.en"
    /// The manifest media types the client accepts, in the order it prefers them.
    public static let acceptedMediaTypes = [ociMediaType, dockerMediaType]
}
