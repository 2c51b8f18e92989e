import Foundation

/// Which tags of a profile repository to read: one exact tag, or `~X.Y.Z` (every tag with major X, minor Y and
/// patch ≥ Z).
public enum ProfileRevision: Sendable, Hashable, CustomStringConvertible {
    /// Exactly this tag (a version such as `0.11.5` or a branch name such as `main`).
    case exact(String)
    /// Every tag with this major and minor version and at least this patch version.
    case patchRange(major: UInt64, minor: UInt64, patch: UInt64)

    /// Parses `0.11.5`, `main` or `~0.11.5`.
    public init(_ text: String) throws {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.hasPrefix("~") {
            let version = String(trimmed.dropFirst())
            let parts = version.split(separator: ".", omittingEmptySubsequences: false)
            guard (1...3).contains(parts.count), parts.allSatisfy({ UInt64($0) != nil }) else {
                throw OSResourceManagerError(
                    .configuration,
                    "osProfileRevision: \"\(text.prefix(60))\": ~ must be followed by X.Y.Z (numbers)"
                )
            }
            let numbers = parts.compactMap { UInt64($0) } + [0, 0]
            self = .patchRange(major: numbers[0], minor: numbers[1], patch: numbers[2])
        } else {
            guard OCIName.isTag(trimmed) else {
                throw OSResourceManagerError(
                    .configuration,
                    "osProfileRevision: \"\(text.prefix(60))\" is not a tag ([A-Za-z0-9_][A-Za-z0-9._-]*) or ~X.Y.Z"
                )
            }
            self = .exact(trimmed)
        }
    }

    /// Whether the tags must be listed to resolve this revision.
    public var needsTagList: Bool {
        if case .patchRange = self { return true }
        return false
    }

    /// The tags of `available` this revision selects, oldest version first.
    public func select(from available: [String]) -> [String] {
        switch self {
        case .exact(let tag):
            return available.contains(tag) ? [tag] : []
        case .patchRange(let major, let minor, let patch):
            let matching = available.compactMap { tag -> (String, LenientVersion)? in
                guard OCIName.isTag(tag), let version = LenientVersion(tag), !version.isPrerelease,
                    version.major == major, version.minor == minor, version.patch >= patch
                else { return nil }
                return (tag, version)
            }
            return matching.sorted { $0.1 < $1.1 || ($0.1 == $1.1 && $0.0 < $1.0) }.map(\.0)
        }
    }

    /// `0.11.5` or `~0.11.5`.
    public var description: String {
        switch self {
        case .exact(let tag): tag
        case .patchRange(let major, let minor, let patch): "~\(major).\(minor).\(patch)"
        }
    }
}

/// A tag read as a version the lenient way: `[v]MAJOR[.MINOR[.PATCH]][-PRERELEASE][+BUILD]`, each part's leading
/// digits as a number and a part without digits as 0.
public struct LenientVersion: Sendable, Hashable, Comparable {
    /// The major version.
    public var major: UInt64
    /// The minor version.
    public var minor: UInt64
    /// The patch version.
    public var patch: UInt64
    /// Whether the tag has a pre-release suffix (`-rc1`); a `~` range never selects those.
    public var isPrerelease: Bool

    /// Reads a tag; nil when it has more than three dotted parts.
    public init?(_ tag: String) {
        var text = Substring(tag)
        if text.first == "v" || text.first == "V" { text = text.dropFirst() }
        if let plus = text.firstIndex(of: "+") { text = text[..<plus] }
        isPrerelease = text.contains("-")
        if let dash = text.firstIndex(of: "-") { text = text[..<dash] }
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...3).contains(parts.count) else { return nil }
        let numbers = parts.map { part in UInt64(part.prefix { $0.isASCII && $0.isNumber }) ?? 0 } + [0, 0]
        major = numbers[0]
        minor = numbers[1]
        patch = numbers[2]
    }

    /// Orders by major, minor, then patch.
    public static func < (lhs: LenientVersion, rhs: LenientVersion) -> Bool {
        (lhs.major, lhs.minor, lhs.patch) < (rhs.major, rhs.minor, rhs.patch)
    }
}
