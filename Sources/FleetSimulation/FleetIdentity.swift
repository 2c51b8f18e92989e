import AgentSimulation
import Foundation

/// Names, UUIDs and images of a simulated fleet, all derived from the name prefix and the node's index, so a fleet
/// registered once is found again by a later run with the same prefix.
public struct FleetIdentity: Sendable {
    /// The prefix (`--name-prefix`).
    public let prefix: String
    private let prefixHash: String

    /// The identity for `prefix`.
    public init(prefix: String) {
        self.prefix = prefix
        var hash: UInt32 = 0x811c_9dc5
        for byte in prefix.utf8 { hash = (hash ^ UInt32(byte)) &* 0x0100_0193 }
        prefixHash = String(format: "%08x", hash)
    }

    /// Host name of node `index` (0-based): `<prefix>-000001`.
    public func hostName(_ index: Int) -> String { prefix + "-" + String(format: "%06d", index + 1) }

    /// SMBIOS UUID of node `index`: `<hash of prefix>-f1ee-4000-8000-<index>`.
    public func uuid(_ index: Int) -> String { prefixHash + "-f1ee-4000-8000-" + String(format: "%012x", index) }

    /// Site name of site `index` (0-based).
    public func siteName(_ index: Int) -> String { prefix + "-site-" + String(format: "%04d", index + 1) }

    /// The OS image every node runs at start and the one the window installs.
    public static let currentVersion = "1.0.0"
    /// The version the `--register` policy targets.
    public static let targetVersion = "2.0.0"
    /// Profile of both images.
    public static let profileName = "fleetsim-emt"

    /// Label of the synthetic image of `version` (also its file name without `.raw`).
    public static func imageLabel(_ version: String) -> String { "\(profileName)-\(version)" }

    /// Path of that image below the Release Service (the OS resource's `imageUrl`).
    public static func imagePath(_ version: String) -> String { "fleetsim/\(imageLabel(version)).raw" }

    /// Lower-case hex SHA-256 of that image at `size` bytes.
    public static func imageSHA256(_ version: String, size: Int) -> String {
        CryptoDigestFactory.hex(Array(SimulatedNode.makeImage(label: imageLabel(version), size: size).prefix(size)))
    }

    /// Whether node `index` of `nodes` gets a failing boot at `rate`: exactly ⌊nodes × rate⌋ nodes, spread evenly.
    public static func fails(_ index: Int, rate: Double) -> Bool {
        guard rate > 0 else { return false }
        return (Double(index + 1) * rate).rounded(.down) > (Double(index) * rate).rounded(.down)
    }
}
