import Day2Model
import Logging

/// A profile as one tag of the Release Service publishes it, with the content it points to.
public struct PublishedProfile: Sendable, Hashable {
    /// The enabled profile name (the repository's last component).
    public var profileName: String
    /// The tag it was read at.
    public var tag: String
    /// The manifest digest.
    public var manifestDigest: String
    /// The parsed profile YAML.
    public var profile: OSProfile
    /// The installed-package list (immutable OS with a package manifest), without whitespace.
    public var installedPackages: String
    /// The existing-CVE list, when it was downloaded in this pass; nil to leave what is stored.
    public var existingCves: String?
    /// The fixed-CVE list, when it was downloaded in this pass; nil to leave what is stored.
    public var fixedCves: String?

    /// Creates a value.
    public init(
        profileName: String,
        tag: String,
        manifestDigest: String,
        profile: OSProfile,
        installedPackages: String = "",
        existingCves: String? = nil,
        fixedCves: String? = nil
    ) {
        self.profileName = profileName
        self.tag = tag
        self.manifestDigest = manifestDigest
        self.profile = profile
        self.installedPackages = installedPackages
        self.existingCves = existingCves
        self.fixedCves = fixedCves
    }
}

/// What one Release Service publishes for the enabled profiles, and what could not be read.
public struct ProfileCatalog: Sendable {
    /// Every profile read, in profile order, oldest tag first.
    public var profiles: [PublishedProfile]
    /// The profiles (or profile tags) skipped, with the reason; nothing is done for them.
    public var failures: [Failure]

    /// A profile, or one tag of it, that could not be read.
    public struct Failure: Sendable, CustomStringConvertible {
        /// The profile name.
        public var profileName: String
        /// The tag, when the failure is about one tag.
        public var tag: String?
        /// Why.
        public var error: OSResourceManagerError

        /// `profile[:tag]: error`.
        public var description: String { "\(profileName)\(tag.map { ":" + $0 } ?? ""): \(error)" }
    }

    /// Creates a catalog.
    public init(profiles: [PublishedProfile] = [], failures: [Failure] = []) {
        self.profiles = profiles
        self.failures = failures
    }

    /// Reads every enabled profile of `source` at every tag its revision selects.
    ///
    /// A profile whose tags cannot be listed, or a tag whose manifest, YAML or package manifest cannot be read or
    /// checked, is recorded as a failure and skipped; the others are still read. CVE lists are downloaded only when
    /// `downloadCVEs` is set, and a CVE download failure is only logged.
    public static func read(
        from source: ReleaseSource,
        downloadCVEs: Bool,
        retry: RetryPolicy,
        logger: Logger
    ) async -> ProfileCatalog {
        do {
            return try await OCIClient.with(endpoint: source.endpoint, logger: logger) { client in
                var catalog = ProfileCatalog()
                for name in source.profiles {
                    await catalog.read(
                        profile: name,
                        source: source,
                        client: client,
                        downloadCVEs: downloadCVEs,
                        retry: retry,
                        logger: logger
                    )
                }
                return catalog
            }
        } catch {
            let failure = error as? OSResourceManagerError ?? OSResourceManagerError(.configuration, "\(error)")
            return ProfileCatalog(failures: source.profiles.map { Failure(profileName: $0, tag: nil, error: failure) })
        }
    }

    private mutating func read(
        profile name: String,
        source: ReleaseSource,
        client: OCIClient,
        downloadCVEs: Bool,
        retry: RetryPolicy,
        logger: Logger
    ) async {
        let repository = source.repository(for: name)
        let onRetry: (Int, any Error) -> Void = { attempt, error in
            logger.warning(
                "release service call failed; trying again",
                metadata: ["os.profile": "\(name)", "attempt": "\(attempt)", "error": "\(error)"]
            )
        }
        let tags: [String]
        do {
            switch source.revision {
            case .exact(let tag):
                tags = [tag]
            case .patchRange:
                let available = try await retry.run(onRetry: onRetry) { try await client.tags(repository: repository) }
                tags = source.revision.select(from: available)
                if tags.isEmpty {
                    throw OSResourceManagerError(
                        .notFound,
                        "no tag of \(repository) matches \(source.revision) (tags: \(available.prefix(20).joined(separator: ", ")))"
                    )
                }
            }
        } catch {
            failures.append(Failure(profileName: name, tag: nil, error: Self.wrap(error)))
            return
        }
        for tag in tags {
            do {
                var published = try await retry.run(onRetry: onRetry) {
                    try await Self.fetch(profile: name, repository: repository, tag: tag, client: client)
                }
                let profile = published.profile
                if profile.osType == .immutable, !profile.packageManifestURL.isEmpty {
                    let url = source.fileURL(profile.packageManifestURL)
                    let bytes = try await retry.run(onRetry: onRetry) { try await client.download(url: url) }
                    published.installedPackages = try ProfileContent.packageManifest(bytes, file: url)
                }
                if downloadCVEs {
                    published.existingCves = await Self.cves(
                        profile.existingCVEsURL,
                        source: source,
                        client: client,
                        retry: retry,
                        profile: name,
                        logger: logger
                    )
                    published.fixedCves = await Self.cves(
                        profile.fixedCVEsURL,
                        source: source,
                        client: client,
                        retry: retry,
                        profile: name,
                        logger: logger
                    )
                }
                profiles.append(published)
            } catch {
                failures.append(Failure(profileName: name, tag: tag, error: Self.wrap(error)))
            }
        }
    }

    /// The manifest at `tag`, its layers' title annotations, and the first layer parsed as the profile YAML.
    static func fetch(
        profile name: String,
        repository: String,
        tag: String,
        client: OCIClient
    ) async throws
        -> PublishedProfile
    {
        let fetched = try await client.manifest(repository: repository, reference: tag)
        let layers = fetched.manifest.layers
        guard let first = layers.first else {
            throw OSResourceManagerError(.badManifest, "manifest \(repository):\(tag) has no layers")
        }
        for (index, layer) in layers.enumerated() where (layer.title ?? "").isEmpty {
            throw OSResourceManagerError(
                .badManifest,
                "manifest \(repository):\(tag): layer \(index) (\(layer.digest)) has no \(OCIManifest.titleAnnotation) annotation"
            )
        }
        let bytes = try await client.blob(repository: repository, digest: first.digest, limit: 1024 * 1024)
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw OSResourceManagerError(.invalidProfile, "\(first.title ?? name): (document): is not UTF-8 text")
        }
        let file = "\(repository):\(tag)/\(first.title ?? "")"
        let profile = try OSProfile.parse(text, file: file)
        guard profile.profileName == name else {
            throw OSResourceManagerError(
                .invalidProfile,
                "\(file): spec.profileName: is \"\(profile.profileName.prefix(100))\", the repository is for \(name)"
            )
        }
        return PublishedProfile(profileName: name, tag: tag, manifestDigest: fetched.digest, profile: profile)
    }

    /// A CVE list, or nil (logged) when the profile names none or it cannot be read.
    static func cves(
        _ path: String,
        source: ReleaseSource,
        client: OCIClient,
        retry: RetryPolicy,
        profile: String,
        logger: Logger
    ) async -> String? {
        guard !path.isEmpty else { return nil }
        let url = source.fileURL(path)
        do {
            let bytes = try await retry.run { try await client.download(url: url) }
            return try ProfileContent.cveList(bytes, file: url)
        } catch {
            logger.warning(
                "CVE list not read; the stored list is kept",
                metadata: ["os.profile": "\(profile)", "url": "\(url.prefix(300))", "error": "\(error)"]
            )
            return nil
        }
    }

    static func wrap(_ error: any Error) -> OSResourceManagerError {
        error as? OSResourceManagerError ?? OSResourceManagerError(.unreachable, "\(error)", cause: error)
    }
}
