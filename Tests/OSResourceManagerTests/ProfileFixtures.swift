import Crypto
import Foundation
import Hummingbird
import HummingbirdTesting
import ReleaseService

/// Profile YAML texts and a release folder served in-process, for the tests.
enum ProfileFixtures {
    /// The hex SHA-256 of a text.
    static func sha(_ text: String) -> String {
        SHA256.hash(data: Array(text.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// A microvisor-style (immutable) profile at image `version`.
    static func immutable(
        profile: String = "microvisor-nonrt",
        version: String,
        name: String? = nil,
        packageManifest: String = "",
        existingCves: String = "",
        fixedCves: String = "",
        release: String = "0.11.5"
    ) -> String {
        """
        appVersion: apps/v1
        metadata:
          release: \(release)
        spec:
          name: \(name ?? "Edge Microvisor Toolkit \(version)")
          type: OS_TYPE_IMMUTABLE
          provider: OS_PROVIDER_KIND_INFRA
          architecture: x86_64
          profileName: \(profile)
          osImageUrl: files-edge-orch/repository/microvisor/non_rt/edge-readonly-\(version).raw.gz
          osImageVersion: \(version)
          osImageSha256: \(sha("image \(version)"))
          osPackageManifestURL: \(packageManifest)
          osExistingCvesURL: \(existingCves)
          osFixedCvesURL: \(fixedCves)
          securityFeature: SECURITY_FEATURE_NONE
          description: Edge Microvisor Toolkit image \(version)
          platformBundle:
        """
    }

    /// An Ubuntu-style (mutable) profile.
    static func mutable(profile: String = "ubuntu-22.04-lts-generic", version: String = "22.04.5") -> String {
        """
        appVersion: apps/v1
        metadata:
          release: 0.11.5
          kubernetes-version: v1.30.3
        spec:
          name: ubuntu-\(version)-lts
          type: OS_TYPE_MUTABLE
          provider: OS_PROVIDER_KIND_INFRA
          architecture: x86_64
          profileName: \(profile)
          osImageUrl: https://cloud-images.ubuntu.com/releases/22.04/release-20250228/ubuntu-22.04-server-cloudimg-amd64.img
          osImageVersion: \(version)
          osImageSha256: \(sha("ubuntu \(version)"))
          securityFeature: SECURITY_FEATURE_NONE
          description: Ubuntu \(version) LTS
          platformBundle:
            installerScript: edge-orch/en/files/platformbundle/ubuntu-22.04-lts-generic:1.0.0
        """
    }

    static let packageManifest = """
        {
          "repo": [
            {"name": "systemd", "version": "255.13-1", "distribution": "emt", "release": "3.0"},
            {"name": "openssl", "version": "3.3.2-1"}
          ]
        }
        """

    static let cves = """
        [ {"cve_id": "CVE-2025-0001", "priority": "high", "affected_packages": ["openssl 3.3.2"]} ]
        """

    /// A fresh temporary release folder.
    static func folder() throws -> (ReleaseFolder, URL) {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("day2-release-\(UUID().uuidString)")
        return (try ReleaseFolder(path: url.path), url)
    }

    /// Writes `text` below the folder at `relative`.
    static func write(_ text: String, to relative: String, in folder: ReleaseFolder) throws {
        let url = URL(fileURLWithPath: folder.root).appendingPathComponent(relative)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: url)
    }

    /// Publishes `yaml` as `<profile>.yaml` in repository `prefix + profile` at `tag`.
    @discardableResult
    static func publish(
        _ yaml: String,
        profile: String,
        tag: String,
        in folder: ReleaseFolder,
        prefix: String = "edge-orch/en/files/os-profile/"
    ) throws -> ReleaseFolder.Published {
        try folder.publish(profile: Array(yaml.utf8), title: "\(profile).yaml", repository: prefix + profile, tag: tag)
    }

    /// Runs `body` with the folder served on a loopback port (the base URL `http://127.0.0.1:<port>`).
    static func serving<T: Sendable>(
        _ folder: ReleaseFolder,
        _ body: @Sendable (String) async throws -> T
    ) async throws -> T {
        let router = Router()
        ReleaseServiceRoutes(folder: folder).register(on: router)
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        return try await app.test(.live) { client in
            try await body("http://127.0.0.1:\(client.port!)")
        }
    }
}
