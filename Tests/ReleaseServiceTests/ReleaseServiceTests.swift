import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

@testable import ReleaseService

@Suite("Built-in Release Service")
struct ReleaseServiceTests {
    /// A fresh folder with one file `images/os.img` of 1000 bytes.
    static func folder() throws -> (ReleaseFolder, URL, [UInt8]) {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("day2-rs-\(UUID().uuidString)")
        let folder = try ReleaseFolder(path: url.path)
        let bytes = (0..<1000).map { UInt8($0 % 251) }
        try FileManager.default.createDirectory(
            at: url.appendingPathComponent("images"),
            withIntermediateDirectories: true
        )
        try Data(bytes).write(to: url.appendingPathComponent("images/os.img"))
        return (folder, url, bytes)
    }

    static func app(_ folder: ReleaseFolder) -> some ApplicationProtocol {
        let router = Router()
        ReleaseServiceRoutes(folder: folder).register(on: router)
        return Application(router: router)
    }

    static func hex(_ bytes: [UInt8]) -> String { SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined() }

    @Test("a file is served whole with its SHA-256, length and byte-range support")
    func wholeFile() async throws {
        let (folder, url, bytes) = try Self.folder()
        defer { try? FileManager.default.removeItem(at: url) }
        try await Self.app(folder).test(.router) { client in
            try await client.execute(uri: "/release/files/images/os.img", method: .get) { response in
                #expect(response.status == .ok)
                #expect(Array(response.body.readableBytesView) == bytes)
                #expect(response.headers[HTTPField.Name("X-Checksum-Sha256")!] == Self.hex(bytes))
                #expect(
                    response.headers[HTTPField.Name("Repr-Digest")!]
                        == "sha-256=:\(Data(SHA256.hash(data: bytes)).base64EncodedString()):"
                )
                #expect(response.headers[.acceptRanges] == "bytes")
                #expect(response.headers[.contentLength] == "1000")
            }
            try await client.execute(uri: "/release/files/images/os.img", method: .head) { response in
                #expect(response.status == .ok)
                #expect(response.body.readableBytes == 0)
                #expect(response.headers[HTTPField.Name("X-Checksum-Sha256")!] == Self.hex(bytes))
            }
        }
    }

    @Test(
        "Range requests return the part asked for, or 416",
        arguments: [
            ("bytes=0-9", 206, 0..<10, "bytes 0-9/1000"),
            ("bytes=990-", 206, 990..<1000, "bytes 990-999/1000"),
            ("bytes=-5", 206, 995..<1000, "bytes 995-999/1000"),
            ("bytes=500-5000", 206, 500..<1000, "bytes 500-999/1000"),
            ("bytes=1000-", 416, 0..<0, "bytes */1000"),
            ("bytes=0-1,5-6", 200, 0..<1000, ""),
            ("items=1-2", 200, 0..<1000, ""),
        ]
    )
    func ranges(_ header: String, _ status: Int, _ range: Range<Int>, _ contentRange: String) async throws {
        let (folder, url, bytes) = try Self.folder()
        defer { try? FileManager.default.removeItem(at: url) }
        try await Self.app(folder).test(.router) { client in
            try await client.execute(uri: "/release/files/images/os.img", method: .get, headers: [.range: header]) {
                response in
                #expect(response.status.code == status)
                if status != 416 { #expect(Array(response.body.readableBytesView) == Array(bytes[range])) }
                #expect((response.headers[.contentRange] ?? "") == contentRange)
            }
        }
    }

    @Test(
        "paths that leave the folder or are not plain are refused",
        arguments: [
            "/release/files/../secret", "/release/files/images/../../secret", "/release/files/%2e%2e/secret",
            "/release/files/images/%2E%2E/%2E%2E/secret", "/release/files/images//os.img",
            "/release/files/./images/os.img",
            "/release/files/outside/secret", "/release/files/images", "/release/files/images/missing",
        ]
    )
    func traversal(_ path: String) async throws {
        // parent/release is served; parent/secret and parent/elsewhere/secret are just outside it.
        let parent = FileManager.default.temporaryDirectory.appendingPathComponent(
            "day2-rs-parent-\(UUID().uuidString)"
        )
        defer { try? FileManager.default.removeItem(at: parent) }
        let url = parent.appendingPathComponent("release")
        try FileManager.default.createDirectory(
            at: url.appendingPathComponent("images"),
            withIntermediateDirectories: true
        )
        try Data((0..<1000).map { UInt8($0 % 251) }).write(to: url.appendingPathComponent("images/os.img"))
        let folder = try ReleaseFolder(path: url.path)
        let secretFolder = parent.appendingPathComponent("elsewhere")
        try FileManager.default.createDirectory(at: secretFolder, withIntermediateDirectories: true)
        try Data("top secret".utf8).write(to: secretFolder.appendingPathComponent("secret"))
        try Data("top secret".utf8).write(to: parent.appendingPathComponent("secret"))
        // A symbolic link inside the folder that points outside it.
        try FileManager.default.createSymbolicLink(
            at: url.appendingPathComponent("outside"),
            withDestinationURL: secretFolder
        )
        try await Self.app(folder).test(.router) { client in
            try await client.execute(uri: path, method: .get) { response in
                #expect(response.status == .badRequest || response.status == .notFound, "\(path): \(response.status)")
                #expect(!String(buffer: response.body).contains("top secret"))
            }
        }
        #expect(throws: ReleaseServiceError.self) { try folder.file(at: "outside/secret") }
        #expect(throws: ReleaseServiceError.self) { try folder.file(at: "../secret") }
        #expect(try folder.file(at: "images/os.img").hasSuffix("/images/os.img"))
    }

    @Test("publish copies the image (checked), writes an OCI layout the /v2/ API serves like a registry")
    func publishAndServe() async throws {
        let (folder, url, bytes) = try Self.folder()
        defer { try? FileManager.default.removeItem(at: url) }
        let image = url.deletingLastPathComponent().appendingPathComponent("image-\(UUID().uuidString).raw.gz")
        try Data(bytes).write(to: image)
        defer { try? FileManager.default.removeItem(at: image) }
        let yaml = Array("spec:\n  profileName: microvisor-nonrt\n".utf8)
        let repository = "edge-orch/en/files/os-profile/microvisor-nonrt"
        let wrong = #expect(throws: ReleaseServiceError.self) {
            try folder.publish(
                profile: yaml,
                title: "microvisor-nonrt.yaml",
                repository: repository,
                tag: "0.11.5",
                files: [
                    .init(
                        source: image.path,
                        destination: "repo/emt.raw.gz",
                        sha256: String(repeating: "0", count: 64),
                        field: "spec.osImageSha256"
                    )
                ]
            )
        }
        #expect(wrong?.code == .digestMismatch)
        #expect(wrong?.message.hasPrefix("spec.osImageSha256:") == true)
        #expect(!FileManager.default.fileExists(atPath: url.appendingPathComponent("repo/emt.raw.gz").path))
        for bad in ["../escape.img", "/abs.img", "oci/x.img", "http://host/x.img"] {
            #expect(throws: ReleaseServiceError.self) {
                try folder.publish(
                    profile: yaml,
                    title: "p.yaml",
                    repository: repository,
                    tag: "1",
                    files: [.init(source: image.path, destination: bad, field: "spec.osImageUrl")]
                )
            }
        }
        let published = try folder.publish(
            profile: yaml,
            title: "microvisor-nonrt.yaml",
            repository: repository,
            tag: "0.11.5",
            files: [
                .init(
                    source: image.path,
                    destination: "repo/emt.raw.gz",
                    sha256: Self.hex(bytes),
                    field: "spec.osImageUrl"
                )
            ]
        )
        #expect(published.files == ["repo/emt.raw.gz"])
        let sidecar = try String(contentsOf: url.appendingPathComponent("repo/emt.raw.gz.sha256"), encoding: .utf8)
        #expect(sidecar == "\(Self.hex(bytes))  emt.raw.gz\n")
        // The same tag again moves it; the old manifest stays reachable by digest.
        let moved = try folder.publish(
            profile: yaml + Array("# v2\n".utf8),
            title: "microvisor-nonrt.yaml",
            repository: repository,
            tag: "0.11.5"
        )
        _ = try folder.publish(profile: yaml, title: "microvisor-nonrt.yaml", repository: repository, tag: "0.11.6")
        #expect(try folder.tags(repository) == ["0.11.5", "0.11.6"])

        try await Self.app(folder).test(.router) { client in
            try await client.execute(uri: "/v2/", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[HTTPField.Name("Docker-Distribution-API-Version")!] == "registry/2.0")
            }
            try await client.execute(uri: "/v2/\(repository)/tags/list", method: .get) { response in
                let object =
                    try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any]
                #expect(object?["tags"] as? [String] == ["0.11.5", "0.11.6"])
                #expect(object?["name"] as? String == repository)
            }
            try await client.execute(uri: "/v2/\(repository)/tags/list?n=1", method: .get) { response in
                let object =
                    try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any]
                #expect(object?["tags"] as? [String] == ["0.11.5"])
                #expect(
                    response.headers[HTTPField.Name("Link")!]
                        == "</v2/\(repository)/tags/list?n=1&last=0.11.5>; rel=\"next\""
                )
            }
            var layerDigest = ""
            try await client.execute(uri: "/v2/\(repository)/manifests/0.11.5", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "application/vnd.oci.image.manifest.v1+json")
                let body = Array(response.body.readableBytesView)
                #expect(response.headers[HTTPField.Name("Docker-Content-Digest")!] == "sha256:" + Self.hex(body))
                #expect(response.headers[HTTPField.Name("Docker-Content-Digest")!] == moved.manifestDigest)
                let manifest = try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any]
                #expect(manifest?["artifactType"] as? String == "application/vnd.intel.orch.en")
                let config = manifest?["config"] as? [String: Any]
                #expect(config?["mediaType"] as? String == "application/vnd.oci.empty.v1+json")
                let layers = manifest?["layers"] as? [[String: Any]]
                #expect(layers?.count == 1)
                let annotations = layers?.first?["annotations"] as? [String: String]
                #expect(annotations?["org.opencontainers.image.title"] == "microvisor-nonrt.yaml")
                layerDigest = layers?.first?["digest"] as? String ?? ""
            }
            try await client.execute(uri: "/v2/\(repository)/manifests/\(published.manifestDigest)", method: .get) {
                response in
                #expect(response.status == .ok)
            }
            try await client.execute(uri: "/v2/\(repository)/blobs/\(layerDigest)", method: .get) { response in
                #expect(response.status == .ok)
                #expect(Array(response.body.readableBytesView) == yaml + Array("# v2\n".utf8))
                #expect(response.headers[HTTPField.Name("Docker-Content-Digest")!] == layerDigest)
            }
            let unknown: [(String, HTTPResponse.Status, String)] = [
                ("/v2/\(repository)/manifests/9.9.9", .notFound, "MANIFEST_UNKNOWN"),
                ("/v2/edge-orch/none/tags/list", .notFound, "NAME_UNKNOWN"),
                ("/v2/\(repository)/blobs/sha256:\(String(repeating: "a", count: 64))", .notFound, "BLOB_UNKNOWN"),
                ("/v2/\(repository)/blobs/sha256:xyz", .badRequest, "DIGEST_INVALID"),
                ("/v2/Bad..Name/tags/list", .badRequest, "NAME_INVALID"),
                ("/v2/../../etc/tags/list", .badRequest, "NAME_INVALID"),
            ]
            for (path, status, code) in unknown {
                try await client.execute(uri: path, method: .get) { response in
                    #expect(response.status == status, "\(path)")
                    #expect(String(buffer: response.body).contains(code), "\(path): \(String(buffer: response.body))")
                }
            }
            try await client.execute(uri: "/release/files/repo/emt.raw.gz", method: .get) { response in
                #expect(Array(response.body.readableBytesView) == bytes)
                #expect(response.headers[HTTPField.Name("X-Checksum-Sha256")!] == Self.hex(bytes))
            }
        }
    }

    @Test("a stale or missing .sha256 beside a file is not trusted")
    func staleSidecar() async throws {
        let (folder, url, bytes) = try Self.folder()
        defer { try? FileManager.default.removeItem(at: url) }
        let sidecar = url.appendingPathComponent("images/os.img.sha256")
        try Data("\(String(repeating: "0", count: 64))  os.img\n".utf8).write(to: sidecar)
        // The sidecar is older than the file: the file's own digest is served.
        try FileManager.default.setAttributes(
            [.modificationDate: Date(timeIntervalSinceNow: -3600)],
            ofItemAtPath: sidecar.path
        )
        try await Self.app(folder).test(.router) { client in
            try await client.execute(uri: "/release/files/images/os.img", method: .head) { response in
                #expect(response.headers[HTTPField.Name("X-Checksum-Sha256")!] == Self.hex(bytes))
            }
        }
    }
}
