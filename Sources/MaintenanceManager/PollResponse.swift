import Day2Model

/// An immutable image the node should install (`os_profile_update_source`).
public struct ImageOffer: Sendable, Equatable {
    /// Image path relative to the Release Service (the agent prefixes its FQDN).
    public var url: String
    /// Image ID (version).
    public var imageId: String
    /// SHA-256 of the image.
    public var sha256: String
    /// Profile name.
    public var profileName: String
    /// Profile version.
    public var profileVersion: String

    /// The offer for an OS resource.
    public init(_ os: OSResource) {
        url = os.imageUrl
        imageId = os.imageId
        sha256 = os.sha256
        profileName = os.profileName
        profileVersion = os.profileVersion
    }
}

/// What the Maintenance Manager answers a poll with: windows and what to install in them.
public struct PollResponse: Sendable, Equatable {
    /// Kernel command-line parameters to apply.
    public var kernelCommand: String = ""
    /// DEB822 apt sources (mutable).
    public var customRepos: [String] = []
    /// Newline-separated packages to install (mutable).
    public var installedPackages: String = ""
    /// The OS type of the instance's current OS.
    public var osType: OSType = .unspecified
    /// The image to install (immutable), nil for none.
    public var image: ImageOffer?
    /// The closest single window, if any.
    public var singleSchedule: SingleSchedule?
    /// Every repeated window that applies.
    public var repeatedSchedules: [RepeatedSchedule] = []

    /// An empty response.
    public init() {}
}
