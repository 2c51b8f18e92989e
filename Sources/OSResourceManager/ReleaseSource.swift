import Foundation

/// One Release Service as the OS Resource Manager reads it: the registry, the repository prefix of the profiles,
/// the file server for package manifests and CVE lists, the revision and the enabled profiles.
public struct ReleaseSource: Sendable, Hashable, CustomStringConvertible {
    /// The OCI registry.
    public var endpoint: RegistryEndpoint
    /// Repository prefix of the profiles, ending in `/` (e.g. `edge-orch/en/files/os-profile/`).
    public var repositoryPrefix: String
    /// Base URL that relative package-manifest and CVE paths are resolved against, ending in `/`.
    public var filesBaseURL: String
    /// Which tags to read.
    public var revision: ProfileRevision
    /// The profile names to read, e.g. `microvisor-nonrt`.
    public var profiles: [String]

    /// Creates a source.
    public init(
        endpoint: RegistryEndpoint,
        repositoryPrefix: String,
        filesBaseURL: String,
        revision: ProfileRevision,
        profiles: [String]
    ) {
        self.endpoint = endpoint
        self.repositoryPrefix = repositoryPrefix
        self.filesBaseURL = filesBaseURL
        self.revision = revision
        self.profiles = profiles
    }

    /// The repository of `profile`.
    public func repository(for profile: String) -> String { repositoryPrefix + profile }

    /// The full URL of a path the profile names: an `http(s)://` URL as is, anything else below the file server.
    public func fileURL(_ path: String) -> String {
        if path.hasPrefix("http://") || path.hasPrefix("https://") { return path }
        return filesBaseURL + path.drop { $0 == "/" }
    }

    /// `URL (prefix, revision)` for logs, without credentials.
    public var description: String { "\(endpoint) \(repositoryPrefix) \(revision)" }
}

/// Where the OS Resource Manager reads from: one Release Service for every project, with per-project overrides.
///
/// The text form (the `--release-service-url` value) is a list separated by commas or blanks. A plain URL is the
/// default source; `PROJECT=URL` gives project `PROJECT` its own Release Service, and `PROJECT=off` leaves that
/// project alone. A URL may carry `user:password@` (registry or token-endpoint credentials) and these query
/// parameters: `ca` (PEM file of CAs to trust), `files` (file-server base URL, default `URL/release/files/`),
/// `repo` (repository prefix), `revision` (tag or `~X.Y.Z`) and `profile` (repeatable: the enabled profiles).
/// What a project's URL does not say comes from the global settings.
public struct ReleaseSourceMap: Sendable, Hashable {
    /// The source of every project without an override; nil when no Release Service is configured.
    public var defaultSource: ReleaseSource?
    /// Overrides by project name; a nil value means "do not reconcile this project".
    public var projectSources: [String: ReleaseSource?]

    /// Creates a map.
    public init(defaultSource: ReleaseSource?, projectSources: [String: ReleaseSource?] = [:]) {
        self.defaultSource = defaultSource
        self.projectSources = projectSources
    }

    /// The source of project `name`, if it has one.
    public func source(forProject name: String) -> ReleaseSource? {
        if let override = projectSources[name] { return override }
        return defaultSource
    }

    /// Whether any project has a source at all.
    public var isEmpty: Bool { defaultSource == nil && projectSources.values.allSatisfy { $0 == nil } }

    /// Parses the `--release-service-url` list against the global settings.
    ///
    /// - Parameters:
    ///   - text: the list (may be empty: no default source).
    ///   - repositoryPrefix: `--os-profile-repo`.
    ///   - revision: `--os-profile-revision`.
    ///   - profiles: `--enabled-profiles`.
    ///   - builtIn: the built-in Release Service, used when `text` names no default source.
    public static func parse(
        _ text: String,
        repositoryPrefix: String,
        revision: String,
        profiles: [String],
        builtIn: RegistryEndpoint? = nil
    ) throws -> ReleaseSourceMap {
        var defaultSource: ReleaseSource?
        var overrides: [String: ReleaseSource?] = [:]
        let entries = text.split { $0 == "," || $0 == " " || $0 == "\n" || $0 == "\t" }.map(String.init)
        for entry in entries {
            if let equals = entry.firstIndex(of: "="), isProjectName(entry[..<equals]) {
                let project = String(entry[..<equals])
                let value = String(entry[entry.index(after: equals)...])
                guard overrides[project] == nil else {
                    throw OSResourceManagerError(.configuration, "releaseServiceUrl: project \(project) is named twice")
                }
                overrides[project] =
                    value == "off"
                    ? .some(nil)
                    : try source(
                        value,
                        repositoryPrefix: repositoryPrefix,
                        revision: revision,
                        profiles: profiles
                    )
            } else {
                guard defaultSource == nil else {
                    throw OSResourceManagerError(
                        .configuration,
                        "releaseServiceUrl: only one URL may be given without a project name"
                    )
                }
                defaultSource = try source(
                    entry,
                    repositoryPrefix: repositoryPrefix,
                    revision: revision,
                    profiles: profiles
                )
            }
        }
        if defaultSource == nil, let builtIn {
            defaultSource = ReleaseSource(
                endpoint: builtIn,
                repositoryPrefix: try checkedPrefix(repositoryPrefix),
                filesBaseURL: builtIn.baseURL + "/release/files/",
                revision: try ProfileRevision(revision: revision),
                profiles: try checkedProfiles(profiles, prefix: repositoryPrefix)
            )
        }
        return ReleaseSourceMap(defaultSource: defaultSource, projectSources: overrides)
    }

    private static func isProjectName(_ text: Substring) -> Bool {
        guard let first = text.utf8.first, (97...122).contains(first) else { return false }
        return text.utf8.allSatisfy { (97...122).contains($0) || (48...57).contains($0) || $0 == UInt8(ascii: "-") }
    }

    /// One URL with its query parameters.
    static func source(
        _ text: String,
        repositoryPrefix: String,
        revision: String,
        profiles: [String]
    ) throws -> ReleaseSource {
        guard var components = URLComponents(string: text), let scheme = components.scheme, let host = components.host
        else {
            throw OSResourceManagerError(
                .configuration,
                "releaseServiceUrl: \"\(redacted(text))\" is not a URL"
            )
        }
        var caFile: String?
        var files: String?
        var prefix = repositoryPrefix
        var revisionText = revision
        var named: [String] = []
        for item in components.queryItems ?? [] {
            let value = item.value ?? ""
            switch item.name {
            case "ca": caFile = value
            case "files": files = value
            case "repo": prefix = value
            case "revision": revisionText = value
            case "profile": named.append(value)
            default:
                throw OSResourceManagerError(
                    .configuration,
                    "releaseServiceUrl: unknown parameter \"\(item.name)\" (ca, files, repo, revision, profile)"
                )
            }
        }
        let username = components.user?.removingPercentEncoding
        let password = components.password?.removingPercentEncoding
        components.user = nil
        components.password = nil
        components.query = nil
        components.fragment = nil
        guard components.path.isEmpty || components.path == "/" else {
            throw OSResourceManagerError(
                .configuration,
                "releaseServiceUrl: \"\(redacted(text))\" has a path; the registry API is always at /v2/ (use files= for the file server)"
            )
        }
        let origin = "\(scheme)://\(host)\(components.port.map { ":\($0)" } ?? "")"
        let endpoint = try RegistryEndpoint(
            baseURL: origin,
            caFile: caFile,
            username: username,
            password: password
        )
        var filesBase = files ?? (origin + "/release/files/")
        if !filesBase.hasSuffix("/") { filesBase += "/" }
        guard filesBase.hasPrefix("http://") || filesBase.hasPrefix("https://") else {
            throw OSResourceManagerError(.configuration, "releaseServiceUrl: files=\(filesBase) must be an http(s) URL")
        }
        return ReleaseSource(
            endpoint: endpoint,
            repositoryPrefix: try checkedPrefix(prefix),
            filesBaseURL: filesBase,
            revision: try ProfileRevision(revision: revisionText),
            profiles: try checkedProfiles(named.isEmpty ? profiles : named, prefix: prefix)
        )
    }

    /// A repository prefix: empty, or repository-name components ending in `/`.
    static func checkedPrefix(_ prefix: String) throws -> String {
        guard prefix.isEmpty || (prefix.hasSuffix("/") && OCIName.isRepository(String(prefix.dropLast()))) else {
            throw OSResourceManagerError(
                .configuration,
                "osProfileRepo: \"\(prefix.prefix(200))\" must be lower-case repository components ending in /"
            )
        }
        return prefix
    }

    static func checkedProfiles(_ profiles: [String], prefix: String) throws -> [String] {
        guard !profiles.isEmpty else {
            throw OSResourceManagerError(.configuration, "enabledProfiles: name at least one profile")
        }
        for profile in profiles where !OCIName.isRepository(prefix + profile) || profile.contains("/") {
            throw OSResourceManagerError(
                .configuration,
                "enabledProfiles: \"\(profile.prefix(100))\" is not a profile name (lower-case, digits, . _ -)"
            )
        }
        return profiles
    }

    /// A URL without its password, for messages.
    public static func redacted(_ text: String) -> String {
        guard var components = URLComponents(string: text), components.password != nil else {
            return String(text.prefix(300))
        }
        components.password = "***"
        return components.string ?? "(url)"
    }
}

extension ProfileRevision {
    /// Parses a revision, requiring one.
    init(revision text: String) throws {
        guard !text.isEmpty else {
            throw OSResourceManagerError(.configuration, "osProfileRevision: give a tag or ~X.Y.Z")
        }
        try self.init(text)
    }
}
