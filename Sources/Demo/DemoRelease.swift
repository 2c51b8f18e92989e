import AgentSimulation
import Crypto
import Foundation
import ReleaseService

/// The demo's Release Service content: two versions of an immutable profile (Edge Microvisor Toolkit style, with
/// generated images the simulated firmware can boot) and one mutable Ubuntu profile, published into the built-in
/// Release Service's folder exactly as `day2-orchestrator release publish` does.
public enum DemoRelease {
    /// The immutable profile.
    public static let immutableProfile = "microvisor-nonrt"
    /// The mutable profile.
    public static let mutableProfile = "ubuntu-22.04-lts-generic"
    /// Every profile the demo enables.
    public static let profiles = [immutableProfile, mutableProfile]
    /// The revision the OS Resource Manager reads: both tags below.
    public static let revision = "~1.0.0"
    /// The image the immutable nodes run at start (tag 1.0.0).
    public static let olderVersion = "3.0.20250801.0900"
    /// The image the rollout installs (tag 1.0.1).
    public static let newerVersion = "3.0.20251104.1200"
    /// The Ubuntu release of the mutable profile.
    public static let ubuntuVersion = "22.04.5"

    /// The generated images.
    public struct Images: Sendable {
        /// The image the immutable nodes start on.
        public var older: [UInt8]
        /// The image the rollout installs.
        public var newer: [UInt8]
    }

    /// The OS resource name the OS Resource Manager gives an immutable version.
    public static func osName(_ version: String) -> String {
        "Edge Microvisor Toolkit \(version.split(separator: ".").prefix(3).joined(separator: "."))"
    }

    /// A bootable simulated image of `size` bytes, the same for the same version.
    public static func image(version: String, size: Int) -> [UInt8] {
        SimulatedNode.makeImage(label: "edge-microvisor-toolkit-\(version)", size: size)
    }

    /// Hex SHA-256.
    static func sha256(_ bytes: [UInt8]) -> String {
        SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
    }

    /// Folder-relative path of an immutable version's image.
    static func imagePath(_ version: String) -> String {
        "files-edge-orch/repository/microvisor/non_rt/edge-readonly-\(version)-signed.raw.gz"
    }

    /// Folder-relative path of an immutable version's package manifest.
    static func manifestPath(_ version: String) -> String {
        "files-edge-orch/repository/microvisor/non_rt/edge-readonly-\(version).pkg_manifest.json"
    }

    /// The profile YAML of an immutable version.
    static func immutableYAML(version: String, tag: String, sha: String) -> String {
        """
        appVersion: apps/v1
        metadata:
          release: \(tag)
        spec:
          name: \(osName(version))
          type: OS_TYPE_IMMUTABLE
          provider: OS_PROVIDER_KIND_INFRA
          architecture: x86_64
          profileName: \(immutableProfile)
          osImageUrl: \(imagePath(version))
          osImageVersion: \(version)
          osImageSha256: \(sha)
          osPackageManifestURL: \(manifestPath(version))
          securityFeature: SECURITY_FEATURE_NONE
          description: Edge Microvisor Toolkit \(version), a generated image of the Day2 demo

        """
    }

    /// The package manifest of an immutable version (what the UI lists as the image's packages).
    static func manifest(version: String) -> String {
        let newer = version == newerVersion
        return """
            {"repo": [
              {"name": "systemd", "version": "\(newer ? "255.21-1" : "255.13-1")", "distribution": "emt", "release": "3.0"},
              {"name": "openssl", "version": "\(newer ? "3.3.5-1" : "3.3.2-1")", "distribution": "emt", "release": "3.0"},
              {"name": "containerd", "version": "\(newer ? "1.7.27-1" : "1.7.22-1")", "distribution": "emt", "release": "3.0"}
            ]}

            """
    }

    /// The mutable profile's YAML.
    static let mutableYAML = """
        appVersion: apps/v1
        metadata:
          release: 1.0.0
        spec:
          name: Ubuntu \(ubuntuVersion) LTS
          type: OS_TYPE_MUTABLE
          provider: OS_PROVIDER_KIND_INFRA
          architecture: x86_64
          profileName: \(mutableProfile)
          osImageUrl: https://cloud-images.ubuntu.com/releases/jammy/release/ubuntu-22.04-server-cloudimg-amd64.img
          osImageVersion: \(ubuntuVersion)
          osImageSha256: \(sha256(Array("ubuntu \(ubuntuVersion)".utf8)))
          securityFeature: SECURITY_FEATURE_NONE
          description: Ubuntu \(ubuntuVersion) LTS, updated with apt

        """

    /// Generates the images and publishes the three profiles into the release folder `path` (below
    /// `repositoryPrefix`), using `scratch` for the files before they are copied in.
    public static func publish(
        to path: String,
        repositoryPrefix: String,
        imageBytes: Int,
        scratch: String
    ) throws(DemoError) -> Images {
        let images = Images(
            older: image(version: olderVersion, size: imageBytes),
            newer: image(version: newerVersion, size: imageBytes)
        )
        do {
            try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
            let folder = try ReleaseFolder(path: path)
            for (version, tag, bytes) in [(olderVersion, "1.0.0", images.older), (newerVersion, "1.0.1", images.newer)]
            {
                let imageFile = (scratch as NSString).appendingPathComponent("\(version).raw.gz")
                let manifestFile = (scratch as NSString).appendingPathComponent("\(version).pkg_manifest.json")
                try Data(bytes).write(to: URL(fileURLWithPath: imageFile))
                try Data(manifest(version: version).utf8).write(to: URL(fileURLWithPath: manifestFile))
                let sha = sha256(bytes)
                _ = try folder.publish(
                    profile: Array(immutableYAML(version: version, tag: tag, sha: sha).utf8),
                    title: "\(immutableProfile).yaml",
                    repository: repositoryPrefix + immutableProfile,
                    tag: tag,
                    files: [
                        .init(
                            source: imageFile,
                            destination: imagePath(version),
                            sha256: sha,
                            field: "spec.osImageUrl"
                        ),
                        .init(
                            source: manifestFile,
                            destination: manifestPath(version),
                            field: "spec.osPackageManifestURL"
                        ),
                    ]
                )
            }
            _ = try folder.publish(
                profile: Array(mutableYAML.utf8),
                title: "\(mutableProfile).yaml",
                repository: repositoryPrefix + mutableProfile,
                tag: "1.0.0"
            )
        } catch let error as DemoError {
            throw error
        } catch {
            throw DemoError(.setup, "cannot publish the demo's OS profiles into \(path): \(error)", cause: error)
        }
        return images
    }
}
