/// An OS resource: one installable OS image or distribution version (an "OS profile" to users).
public struct OSResource: Sendable, Hashable, Codable {
    /// `os-xxxxxxxx`.
    public var resourceId: String
    /// Unique name within the project; immutable.
    public var name: String
    /// CPU architecture, e.g. `x86_64`.
    public var architecture: String
    /// Image location: a full URL (mutable OS) or a Release Service file path (immutable OS).
    public var imageUrl: String
    /// The version readable on the running OS; the key for "newest" ordering.
    public var imageId: String
    /// SHA-256 of the image, 64 lower-case hex characters.
    public var sha256: String
    /// The family this resource belongs to, e.g. `microvisor-nonrt`.
    public var profileName: String
    /// The profile revision it came from.
    public var profileVersion: String
    /// Installed packages (immutable OS), JSON.
    public var installedPackages: String
    /// Where the installed-package list came from.
    public var installedPackagesUrl: String
    /// Security features of the image.
    public var securityFeature: SecurityFeature
    /// Mutable (apt) or immutable (A/B image).
    public var osType: OSType
    /// Who provides the OS.
    public var osProvider: OSProviderKind
    /// Opaque platform bundle JSON.
    public var platformBundle: String
    /// Free text.
    public var description: String
    /// Metadata, a JSON object string.
    public var metadata: String
    /// Base64 CA certificate for the image source.
    public var tlsCaCert: String
    /// Where the existing-CVE list came from.
    public var existingCvesUrl: String
    /// CVEs present in the image (JSON list).
    public var existingCves: String
    /// Where the fixed-CVE list came from.
    public var fixedCvesUrl: String
    /// CVEs fixed by the image (JSON list).
    public var fixedCves: String
    /// Creation and change times.
    public var timestamps: Timestamps

    /// Creates an OS resource value.
    public init(
        resourceId: String = "",
        name: String = "",
        architecture: String = "",
        imageUrl: String = "",
        imageId: String = "",
        sha256: String = "",
        profileName: String = "",
        profileVersion: String = "",
        installedPackages: String = "",
        installedPackagesUrl: String = "",
        securityFeature: SecurityFeature = .unspecified,
        osType: OSType = .unspecified,
        osProvider: OSProviderKind = .infra,
        platformBundle: String = "",
        description: String = "",
        metadata: String = "",
        tlsCaCert: String = "",
        existingCvesUrl: String = "",
        existingCves: String = "",
        fixedCvesUrl: String = "",
        fixedCves: String = "",
        timestamps: Timestamps = Timestamps()
    ) {
        self.resourceId = resourceId
        self.name = name
        self.architecture = architecture
        self.imageUrl = imageUrl
        self.imageId = imageId
        self.sha256 = sha256
        self.profileName = profileName
        self.profileVersion = profileVersion
        self.installedPackages = installedPackages
        self.installedPackagesUrl = installedPackagesUrl
        self.securityFeature = securityFeature
        self.osType = osType
        self.osProvider = osProvider
        self.platformBundle = platformBundle
        self.description = description
        self.metadata = metadata
        self.tlsCaCert = tlsCaCert
        self.existingCvesUrl = existingCvesUrl
        self.existingCves = existingCves
        self.fixedCvesUrl = fixedCvesUrl
        self.fixedCves = fixedCves
        self.timestamps = timestamps
    }

    /// Checks every field against the API's rules.
    public func validate() throws(ValidationError) {
        try TextRule.osName.check(name, field: "name")
        try TextRule.checkLength(architecture, maxBytes: 20, field: "architecture")
        try TextRule.checkLength(imageUrl, maxBytes: 500, field: "imageUrl")
        try TextRule.checkLength(imageId, maxBytes: 500, field: "imageId")
        let shaOK =
            sha256.utf8.count == 64 && sha256.utf8.allSatisfy { ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) }
        guard shaOK else { throw ValidationError(field: "sha256", rule: "must be 64 lower-case hex characters") }
        try TextRule.checkLength(profileName, maxBytes: 128, field: "profileName")
        try TextRule.checkLength(profileVersion, maxBytes: 128, field: "profileVersion")
        try TextRule.checkLength(installedPackagesUrl, maxBytes: 200, field: "installedPackagesUrl")
        guard osType != .unspecified else {
            throw ValidationError(field: "osType", rule: "must be OS_TYPE_MUTABLE or OS_TYPE_IMMUTABLE")
        }
        guard osProvider != .unspecified else {
            throw ValidationError(field: "osProvider", rule: "must not be OS_PROVIDER_KIND_UNSPECIFIED")
        }
        try TextRule.checkLength(description, maxBytes: 1000, field: "description")
        try TextRule.osMetadata.check(metadata, field: "metadata")
        try TextRule.checkLength(tlsCaCert, maxBytes: 10000, field: "tlsCaCert")
        try TextRule.checkLength(existingCvesUrl, maxBytes: 500, field: "existingCvesUrl")
        try TextRule.checkLength(fixedCvesUrl, maxBytes: 500, field: "fixedCvesUrl")
        try TextRule.checkLength(existingCves, maxBytes: 500_000, field: "existingCves")
        try TextRule.checkLength(fixedCves, maxBytes: 500_000, field: "fixedCves")
        try TextRule.checkLength(installedPackages, maxBytes: 500_000, field: "installedPackages")
    }
}
