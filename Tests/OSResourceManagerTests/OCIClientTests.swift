import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import ReleaseService
import Synchronization
import Testing

@testable import OSResourceManager

@Suite("OCI distribution client against the built-in Release Service")
struct OCIClientTests {
    let logger = Logger(label: "test.oci")
    let repository = "edge-orch/en/files/os-profile/microvisor-nonrt"

    @Test("tags, manifest by tag and by digest, and the profile blob come back verified")
    func readsProfiles() async throws {
        let (folder, url) = try ProfileFixtures.folder()
        defer { try? FileManager.default.removeItem(at: url) }
        let yaml = ProfileFixtures.immutable(version: "3.0.1.1")
        let first = try ProfileFixtures.publish(yaml, profile: "microvisor-nonrt", tag: "0.11.5", in: folder)
        try ProfileFixtures.publish(
            ProfileFixtures.immutable(version: "3.0.2.1"),
            profile: "microvisor-nonrt",
            tag: "0.11.6",
            in: folder
        )
        try await ProfileFixtures.serving(folder) { base in
            let endpoint = try RegistryEndpoint(baseURL: base)
            try await OCIClient.with(endpoint: endpoint, logger: logger) { client in
                try await client.ping()
                #expect(try await client.tags(repository: repository) == ["0.11.5", "0.11.6"])
                let byTag = try await client.manifest(repository: repository, reference: "0.11.5")
                #expect(byTag.digest == first.manifestDigest)
                #expect(byTag.manifest.artifactType == OCIManifest.profileArtifactType)
                #expect(byTag.manifest.layers.first?.title == "microvisor-nonrt.yaml")
                let byDigest = try await client.manifest(repository: repository, reference: first.manifestDigest)
                #expect(byDigest.manifest == byTag.manifest)
                let layer = try #require(byTag.manifest.layers.first)
                let blob = try await client.blob(repository: repository, digest: layer.digest)
                #expect(String(decoding: blob, as: UTF8.self) == yaml)
            }
        }
    }

    @Test("missing repository, tag and blob are errors naming them")
    func notFound() async throws {
        let (folder, url) = try ProfileFixtures.folder()
        defer { try? FileManager.default.removeItem(at: url) }
        try ProfileFixtures.publish(
            ProfileFixtures.immutable(version: "3.0.1.1"),
            profile: "microvisor-nonrt",
            tag: "0.11.5",
            in: folder
        )
        try await ProfileFixtures.serving(folder) { base in
            try await OCIClient.with(endpoint: try RegistryEndpoint(baseURL: base), logger: logger) { client in
                let missingRepository = await #expect(throws: OSResourceManagerError.self) {
                    try await client.tags(repository: "edge-orch/en/files/os-profile/nope")
                }
                #expect(missingRepository?.code == .notFound)
                #expect(missingRepository?.message.contains("edge-orch/en/files/os-profile/nope") == true)
                let missingTag = await #expect(throws: OSResourceManagerError.self) {
                    try await client.manifest(repository: repository, reference: "9.9.9")
                }
                #expect(missingTag?.code == .notFound)
                #expect(missingTag?.message.contains("\(repository):9.9.9") == true)
                let digest = "sha256:" + String(repeating: "ab", count: 32)
                let missingBlob = await #expect(throws: OSResourceManagerError.self) {
                    try await client.blob(repository: repository, digest: digest)
                }
                #expect(missingBlob?.message.contains(digest) == true)
                let badName = await #expect(throws: OSResourceManagerError.self) {
                    try await client.tags(repository: "../etc")
                }
                #expect(badName?.code == .configuration)
            }
        }
    }

    @Test("a blob whose content does not match its digest is refused naming the digest")
    func wrongDigest() async throws {
        let (folder, url) = try ProfileFixtures.folder()
        defer { try? FileManager.default.removeItem(at: url) }
        try ProfileFixtures.publish(
            ProfileFixtures.immutable(version: "3.0.1.1"),
            profile: "microvisor-nonrt",
            tag: "0.11.5",
            in: folder
        )
        try await ProfileFixtures.serving(folder) { base in
            try await OCIClient.with(endpoint: try RegistryEndpoint(baseURL: base), logger: logger) { client in
                let manifest = try await client.manifest(repository: repository, reference: "0.11.5")
                let layer = try #require(manifest.manifest.layers.first)
                let file = try folder.blob(repository, digest: layer.digest)
                try Data("tampered".utf8).write(to: URL(fileURLWithPath: file))
                let error = await #expect(throws: OSResourceManagerError.self) {
                    try await client.blob(repository: repository, digest: layer.digest)
                }
                #expect(error?.code == .digestMismatch)
                #expect(error?.message.contains(layer.digest) == true)
            }
        }
    }

    @Test("an unreachable registry is a transient error naming the endpoint")
    func unreachable() async throws {
        let endpoint = try RegistryEndpoint(baseURL: "http://127.0.0.1:9")
        try await OCIClient.with(endpoint: endpoint, logger: logger) { client in
            let error = await #expect(throws: OSResourceManagerError.self) {
                try await client.tags(repository: repository)
            }
            #expect(error?.code == .unreachable)
            #expect(error?.isTransient == true)
            #expect(error?.message.contains("127.0.0.1:9") == true)
        }
    }

    @Test("a bearer challenge is answered at the realm with service, scope and credentials, and the token reused")
    func bearerChallenge() async throws {
        let (folder, url) = try ProfileFixtures.folder()
        defer { try? FileManager.default.removeItem(at: url) }
        try ProfileFixtures.publish(
            ProfileFixtures.immutable(version: "3.0.1.1"),
            profile: "microvisor-nonrt",
            tag: "0.11.5",
            in: folder
        )
        let issued = TokenLog()
        let router = Router()
        router.get("/token") { request, _ -> Response in
            let query = request.uri.queryParameters
            let expectedBasic = "Basic " + Data("robot:pw".utf8).base64EncodedString()
            guard request.headers[.authorization] == expectedBasic, query.get("service") == "day2-test",
                let scope = query.get("scope")
            else { return Response(status: .unauthorized) }
            issued.record(scope)
            let body = #"{"token":"tok-\#(scope.count)","expires_in":300}"#
            return Response(
                status: .ok,
                headers: [.contentType: "application/json"],
                body: .init(byteBuffer: ByteBuffer(string: body))
            )
        }
        router.add(middleware: BearerGate())
        ReleaseServiceRoutes(folder: folder).register(on: router)
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await app.test(.live) { client in
            let base = "http://127.0.0.1:\(client.port!)"
            let good = try RegistryEndpoint(baseURL: base, username: "robot", password: "pw")
            try await OCIClient.with(endpoint: good, logger: logger) { oci in
                #expect(try await oci.tags(repository: repository) == ["0.11.5"])
                _ = try await oci.manifest(repository: repository, reference: "0.11.5")
            }
            #expect(issued.scopes == ["repository:\(repository):pull"])
            let wrong = try RegistryEndpoint(baseURL: base, username: "robot", password: "wrong")
            try await OCIClient.with(endpoint: wrong, logger: logger) { oci in
                let error = await #expect(throws: OSResourceManagerError.self) {
                    try await oci.tags(repository: repository)
                }
                #expect(error?.code == .unauthorized)
            }
        }
    }
}

/// Token requests seen by the fake token endpoint.
final class TokenLog: Sendable {
    private let seen = Mutex<[String]>([])
    func record(_ scope: String) { seen.withLock { $0.append(scope) } }
    var scopes: [String] { seen.withLock { $0 } }
}

/// Lets `/v2/…` requests through only with the token the fake endpoint issues for their repository's pull scope.
struct BearerGate<Context: RequestContext>: RouterMiddleware {
    func handle(
        _ request: Request,
        context: Context,
        next: (Request, Context) async throws -> Response
    ) async throws
        -> Response
    {
        let path = request.uri.path
        guard path.hasPrefix("/v2/") else { return try await next(request, context) }
        let name = path.dropFirst(4).components(separatedBy: "/tags/list").first!.components(separatedBy: "/manifests/")
            .first!.components(separatedBy: "/blobs/").first!
        let scope = "repository:\(name):pull"
        if request.headers[.authorization] == "Bearer tok-\(scope.count)" { return try await next(request, context) }
        let host = request.head.authority ?? "127.0.0.1"
        return Response(
            status: .unauthorized,
            headers: [.wwwAuthenticate: #"Bearer realm="http://\#(host)/token",service="day2-test",scope="\#(scope)""#]
        )
    }
}
