import Foundation

/// The mutable node's "update available" report: `apt list --upgradable` as a JSON array.
public enum UpgradablePackages {
    /// One upgradable package.
    public struct Package: Sendable, Hashable, Codable {
        /// Package name.
        public var name: String
        /// The version apt would install.
        public var available_version: String
        /// e.g. `amd64`.
        public var architecture: String
    }

    /// The command that lists them.
    public static let command = Command("apt", ["list", "--upgradable"], environment: ["LC_ALL": "C"])

    /// Parses lines `name/suite version arch [upgradable from: old]`; other lines (`Listing...`, warnings) are
    /// skipped.
    public static func parse(_ output: String) -> [Package] {
        output.split(whereSeparator: \.isNewline).compactMap { line in
            let parts = line.split(separator: " ")
            guard parts.count >= 3, let slash = parts[0].firstIndex(of: "/"), line.contains("upgradable from") else {
                return nil
            }
            return Package(
                name: String(parts[0][..<slash]),
                available_version: String(parts[1]),
                architecture: String(parts[2])
            )
        }
    }

    /// The compact JSON array, or "" when nothing is upgradable.
    public static func json(_ packages: [Package]) -> String {
        guard !packages.isEmpty else { return "" }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        guard let data = try? encoder.encode(packages) else { return "" }
        return String(decoding: data, as: UTF8.self)
    }
}
