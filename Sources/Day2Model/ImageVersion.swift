import Foundation

/// Ordering of OS image versions (`OSResource.imageId`), used to find the newest image of a profile.
///
/// Versions are dotted lists compared part by part: numeric parts as numbers (`0732` < `1000`), other parts as
/// text, a numeric part below a textual one, and a version that is a prefix of another below it
/// (`3.0.20250717` < `3.0.20250717.0732`). This fixes the upstream semver mapping, which ranked
/// `3.0.20250717.1000` below `3.0.20250717.0732` and a bare three-part version above all its builds.
public struct ImageVersion: Comparable, Sendable, CustomStringConvertible {
    private enum Part: Comparable {
        case number(UInt64)
        case text(String)
    }

    private let parts: [Part]
    /// The version as written.
    public let description: String

    /// Parses a version; nil for an empty string.
    public init?(_ text: String) {
        let trimmed = text.utf8.contains(UInt8(ascii: " ")) ? text.trimmingCharacters(in: .whitespaces) : text
        guard !trimmed.isEmpty else { return nil }
        description = trimmed
        parts = trimmed.split(separator: ".", omittingEmptySubsequences: false).map { piece in
            if let number = UInt64(piece) { return .number(number) }
            return .text(String(piece))
        }
    }

    public static func < (lhs: ImageVersion, rhs: ImageVersion) -> Bool {
        for (left, right) in zip(lhs.parts, rhs.parts) where left != right {
            return left < right
        }
        return lhs.parts.count < rhs.parts.count
    }

    public static func == (lhs: ImageVersion, rhs: ImageVersion) -> Bool {
        lhs.parts == rhs.parts
    }
}
