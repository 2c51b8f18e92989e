import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOSSL
import Synchronization

/// A read-only client of the OCI distribution API (`/v2/`): tags, manifests by tag or digest, blobs by digest.
///
/// It answers bearer-token challenges (`WWW-Authenticate: Bearer realm=…,service=…,scope=…`, anonymously or with the
/// endpoint's credentials) and basic challenges, trusts an optional CA file for HTTPS, and verifies the SHA-256 of
/// every manifest and blob it returns. Every error is an ``OSResourceManagerError`` naming the repository and the
/// tag or digest.
public final class OCIClient: Sendable {
    /// The registry.
    public let endpoint: RegistryEndpoint
    let http: HTTPClient
    let logger: Logger
    let requestTimeout: TimeAmount
    /// Bearer tokens by scope, from earlier challenges.
    private let tokens: Mutex<[String: String]>

    /// Largest manifest accepted.
    public static let maxManifestBytes = 4 * 1024 * 1024

    /// Creates a client on an existing HTTP client (which the caller shuts down).
    init(endpoint: RegistryEndpoint, http: HTTPClient, logger: Logger, requestTimeout: TimeAmount = .seconds(60)) {
        self.endpoint = endpoint
        self.http = http
        self.logger = logger
        self.requestTimeout = requestTimeout
        self.tokens = Mutex([:])
    }

    /// Runs `body` with a client of `endpoint`, and shuts the client's connections down afterwards.
    public static func with<T: Sendable>(
        endpoint: RegistryEndpoint,
        logger: Logger,
        requestTimeout: Duration = .seconds(60),
        _ body: (OCIClient) async throws -> T
    ) async throws -> T {
        let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: try configuration(for: endpoint))
        let client = OCIClient(
            endpoint: endpoint,
            http: http,
            logger: logger,
            requestTimeout: .nanoseconds(Int64(requestTimeout.components.seconds) * 1_000_000_000)
        )
        do {
            let result = try await body(client)
            try? await http.shutdown()
            return result
        } catch {
            try? await http.shutdown()
            throw error
        }
    }

    /// The HTTP client configuration of an endpoint: timeouts, no redirects to other schemes, TLS trust.
    static func configuration(for endpoint: RegistryEndpoint) throws -> HTTPClient.Configuration {
        var configuration = HTTPClient.Configuration()
        configuration.redirectConfiguration = .follow(max: 5, allowCycles: false)
        configuration.timeout = .init(connect: .seconds(10), read: .seconds(60))
        // A refused connection fails at once; the reconciler's own retry policy decides when to try again.
        configuration.connectionPool.retryConnectionEstablishment = false
        guard endpoint.usesTLS else { return configuration }
        var tls = TLSConfiguration.makeClientConfiguration()
        if let caFile = endpoint.caFile {
            do {
                tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMFile(caFile))
            } catch {
                throw OSResourceManagerError(
                    .configuration,
                    "cannot read the CA file \(caFile) of \(endpoint)",
                    cause: error
                )
            }
        }
        if !endpoint.verifiesCertificate { tls.certificateVerification = .none }
        configuration.tlsConfiguration = tls
        return configuration
    }

    // MARK: API

    /// The tags of `repository` (every page).
    public func tags(repository: String) async throws -> [String] {
        try Self.check(repository: repository)
        var tags: [String] = []
        var path: String? = "/v2/\(repository)/tags/list?n=1000"
        var pages = 0
        while let next = path, pages < 100 {
            pages += 1
            let (response, body) = try await get(
                next,
                repository: repository,
                accept: ["application/json"],
                limit: 4 * 1024 * 1024,
                what: "tags of \(repository)"
            )
            struct TagList: Decodable {
                var tags: [String]?
            }
            guard let list = try? JSONDecoder().decode(TagList.self, from: Data(body)) else {
                throw OSResourceManagerError(.badManifest, "the tag list of \(repository) is not valid JSON")
            }
            tags += list.tags ?? []
            path = Self.nextLink(response.headers.first(name: "link"))
        }
        return tags
    }

    /// A manifest and its digest, verified.
    public struct FetchedManifest: Sendable {
        /// The manifest.
        public var manifest: OCIManifest
        /// `sha256:…` of the manifest bytes.
        public var digest: String
    }

    /// The manifest of `repository` at `reference` (a tag or a `sha256:` digest).
    ///
    /// The content must hash to the digest asked for, or to the `Docker-Content-Digest` the registry announces.
    public func manifest(repository: String, reference: String) async throws -> FetchedManifest {
        try Self.check(repository: repository)
        guard OCIName.isTag(reference) || OCIName.isDigest(reference) else {
            throw OSResourceManagerError(
                .configuration,
                "\"\(reference.prefix(130))\" is neither a tag nor a sha256 digest (repository \(repository))"
            )
        }
        let what = "manifest \(repository):\(reference)"
        let (response, body) = try await get(
            "/v2/\(repository)/manifests/\(reference)",
            repository: repository,
            accept: OCIManifest.acceptedMediaTypes,
            limit: Self.maxManifestBytes,
            what: what
        )
        let digest = OCIName.digest(of: body)
        if OCIName.isDigest(reference), digest != reference {
            throw OSResourceManagerError(.digestMismatch, "\(what): content has digest \(digest)")
        }
        if let announced = response.headers.first(name: "docker-content-digest"), announced.hasPrefix("sha256:"),
            announced != digest
        {
            throw OSResourceManagerError(
                .digestMismatch,
                "\(what): content has digest \(digest), the registry says \(announced)"
            )
        }
        let manifest: OCIManifest
        do {
            manifest = try JSONDecoder().decode(OCIManifest.self, from: Data(body))
        } catch {
            throw OSResourceManagerError(.badManifest, "\(what) is not an OCI image manifest", cause: error)
        }
        guard manifest.schemaVersion == 2 else {
            throw OSResourceManagerError(.badManifest, "\(what) has schemaVersion \(manifest.schemaVersion), not 2")
        }
        if let mediaType = manifest.mediaType, !OCIManifest.acceptedMediaTypes.contains(mediaType) {
            throw OSResourceManagerError(.badManifest, "\(what) has media type \(mediaType), not an image manifest")
        }
        return FetchedManifest(manifest: manifest, digest: digest)
    }

    /// The blob `digest` of `repository`, verified against its digest; at most `limit` bytes.
    public func blob(repository: String, digest: String, limit: Int = 64 * 1024 * 1024) async throws -> [UInt8] {
        try Self.check(repository: repository)
        guard OCIName.isDigest(digest) else {
            throw OSResourceManagerError(
                .badManifest,
                "blob digest \"\(digest.prefix(80))\" of \(repository) is not a sha256 digest"
            )
        }
        let what = "blob \(repository)@\(digest)"
        let (_, body) = try await get(
            "/v2/\(repository)/blobs/\(digest)",
            repository: repository,
            accept: ["*/*"],
            limit: limit,
            what: what
        )
        let actual = OCIName.digest(of: body)
        guard actual == digest else {
            throw OSResourceManagerError(.digestMismatch, "\(what): content has digest \(actual)")
        }
        return body
    }

    /// Whether the registry answers `/v2/` (with any challenge answered).
    public func ping() async throws {
        _ = try await get("/v2/", repository: nil, accept: ["application/json"], limit: 64 * 1024, what: "/v2/")
    }

    /// A file of the Release Service's file server (package manifest, CVE list): GET `url`, at most `limit` bytes.
    public func download(url: String, limit: Int = 16 * 1024 * 1024) async throws -> [UInt8] {
        guard url.hasPrefix("http://") || url.hasPrefix("https://") else {
            throw OSResourceManagerError(.configuration, "file URL \(url.prefix(300)) is not http(s)")
        }
        var request = HTTPClientRequest(url: url)
        request.headers.add(name: "User-Agent", value: "day2-osrm")
        let response: HTTPClientResponse
        do {
            response = try await http.execute(request, timeout: requestTimeout, logger: logger)
        } catch {
            throw OSResourceManagerError(.unreachable, "file \(url.prefix(300)) cannot be reached", cause: error)
        }
        switch response.status.code {
        case 200: return try await collect(response, limit: limit, what: "file \(url.prefix(300))")
        case 404: throw OSResourceManagerError(.notFound, "file \(url.prefix(300)) not found", status: 404)
        default:
            throw OSResourceManagerError(
                .httpStatus,
                "file \(url.prefix(300)): HTTP \(response.status.code)",
                status: Int(response.status.code)
            )
        }
    }

    // MARK: Transport

    private static func check(repository: String) throws {
        guard OCIName.isRepository(repository) else {
            throw OSResourceManagerError(
                .configuration,
                "\"\(repository.prefix(260))\" is not an OCI repository name (lower-case components separated by /)"
            )
        }
    }

    /// The `next` link of a paginated answer (`Link: </v2/…?last=x>; rel="next"`), as a path.
    static func nextLink(_ header: String?) -> String? {
        guard let header, header.contains("rel=\"next\"") || header.contains("rel=next"),
            let open = header.firstIndex(of: "<"), let close = header.firstIndex(of: ">"), open < close
        else { return nil }
        let target = String(header[header.index(after: open)..<close])
        if target.hasPrefix("/v2/") { return target }
        guard let url = URLComponents(string: target), url.path.hasPrefix("/v2/") else { return nil }
        return url.percentEncodedPath + (url.percentEncodedQuery.map { "?" + $0 } ?? "")
    }

    /// GET `path` below the endpoint, answering one authentication challenge; the body of a 200 answer.
    private func get(
        _ path: String,
        repository: String?,
        accept: [String],
        limit: Int,
        what: String
    ) async throws -> (HTTPClientResponse, [UInt8]) {
        let scope = repository.map { "repository:\($0):pull" }
        var authorization = scope.flatMap { scope in tokens.withLock { $0[scope] } }.map { "Bearer " + $0 }
        for attempt in 0..<2 {
            let response = try await send(path, accept: accept, authorization: authorization, what: what)
            switch response.status.code {
            case 200:
                let body = try await collect(response, limit: limit, what: what)
                return (response, body)
            case 401 where attempt == 0:
                _ = try? await response.body.collect(upTo: 64 * 1024)
                authorization = try await answer(
                    challenge: response.headers.first(name: "www-authenticate"),
                    defaultScope: scope,
                    what: what
                )
            case 401, 403:
                throw OSResourceManagerError(
                    .unauthorized,
                    "\(what): the registry refused access (HTTP \(response.status.code))",
                    status: Int(response.status.code)
                )
            case 404:
                throw OSResourceManagerError(.notFound, "\(what) not found", status: 404)
            default:
                let detail = try? await response.body.collect(upTo: 2048)
                let text = detail.map { String(buffer: $0).prefix(300) } ?? ""
                throw OSResourceManagerError(
                    .httpStatus,
                    "\(what): HTTP \(response.status.code) \(text)",
                    status: Int(response.status.code)
                )
            }
        }
        throw OSResourceManagerError(.unauthorized, "\(what): the registry refused the token", status: 401)
    }

    private func send(
        _ path: String,
        accept: [String],
        authorization: String?,
        what: String
    ) async throws -> HTTPClientResponse {
        var request = HTTPClientRequest(url: endpoint.baseURL + path)
        request.method = .GET
        request.headers.add(name: "Accept", value: accept.joined(separator: ", "))
        request.headers.add(name: "User-Agent", value: "day2-osrm")
        if let authorization { request.headers.add(name: "Authorization", value: authorization) }
        do {
            return try await http.execute(request, timeout: requestTimeout, logger: logger)
        } catch {
            throw OSResourceManagerError(.unreachable, "\(what): \(endpoint) cannot be reached", cause: error)
        }
    }

    private func collect(_ response: HTTPClientResponse, limit: Int, what: String) async throws -> [UInt8] {
        if let length = response.headers.first(name: "content-length").flatMap(Int.init), length > limit {
            throw OSResourceManagerError(.tooLarge, "\(what) is \(length) bytes, more than \(limit)")
        }
        do {
            let buffer = try await response.body.collect(upTo: limit)
            return Array(buffer.readableBytesView)
        } catch let error as NIOTooManyBytesError {
            throw OSResourceManagerError(.tooLarge, "\(what) is more than \(limit) bytes", cause: error)
        } catch {
            throw OSResourceManagerError(.unreachable, "\(what): the download broke off", cause: error)
        }
    }

    /// The `Authorization` value that answers a challenge: a bearer token from the realm, or basic credentials.
    private func answer(challenge header: String?, defaultScope: String?, what: String) async throws -> String {
        guard let header, let challenge = AuthenticationChallenge(header: header) else {
            throw OSResourceManagerError(.unauthorized, "\(what): HTTP 401 without a usable challenge", status: 401)
        }
        switch challenge.scheme {
        case "basic":
            guard let basic = basicCredentials else {
                throw OSResourceManagerError(
                    .unauthorized,
                    "\(what): the registry asks for a user name and password, and none is configured",
                    status: 401
                )
            }
            return "Basic " + basic
        case "bearer":
            let scope = challenge.scope ?? defaultScope
            let token = try await fetchToken(challenge: challenge, scope: scope, what: what)
            // Kept under the scope asked for and the one this client looks up, so the next call sends it at once.
            tokens.withLock { cache in
                for key in Set([scope, defaultScope].compactMap { $0 }) { cache[key] = token }
            }
            return "Bearer " + token
        default:
            throw OSResourceManagerError(
                .unauthorized,
                "\(what): unsupported authentication scheme \(challenge.scheme)",
                status: 401
            )
        }
    }

    private var basicCredentials: String? {
        guard let username = endpoint.username else { return nil }
        return Data("\(username):\(endpoint.password ?? "")".utf8).base64EncodedString()
    }

    /// GET the realm with `service` and `scope` (and basic credentials when configured); the token it returns.
    private func fetchToken(challenge: AuthenticationChallenge, scope: String?, what: String) async throws -> String {
        guard let realm = challenge.realm, var url = URLComponents(string: realm),
            url.scheme == "https" || url.scheme == "http"
        else {
            throw OSResourceManagerError(.unauthorized, "\(what): the bearer challenge has no usable realm")
        }
        var items = url.queryItems ?? []
        if let service = challenge.service { items.append(URLQueryItem(name: "service", value: service)) }
        if let scope { items.append(URLQueryItem(name: "scope", value: scope)) }
        url.queryItems = items.isEmpty ? nil : items
        guard let target = url.string else {
            throw OSResourceManagerError(.unauthorized, "\(what): the bearer realm \(realm) is not a URL")
        }
        var request = HTTPClientRequest(url: target)
        request.headers.add(name: "Accept", value: "application/json")
        if let basic = basicCredentials { request.headers.add(name: "Authorization", value: "Basic " + basic) }
        let response: HTTPClientResponse
        do {
            response = try await http.execute(request, timeout: requestTimeout, logger: logger)
        } catch {
            throw OSResourceManagerError(
                .unreachable,
                "\(what): token endpoint \(realm) cannot be reached",
                cause: error
            )
        }
        guard response.status == .ok else {
            throw OSResourceManagerError(
                .unauthorized,
                "\(what): token endpoint \(realm) answered HTTP \(response.status.code)",
                status: Int(response.status.code)
            )
        }
        let body = try await collect(response, limit: 1024 * 1024, what: "token from \(realm)")
        struct TokenAnswer: Decodable {
            var token: String?
            var access_token: String?
        }
        guard let answer = try? JSONDecoder().decode(TokenAnswer.self, from: Data(body)),
            let token = answer.token ?? answer.access_token, !token.isEmpty
        else {
            throw OSResourceManagerError(.unauthorized, "\(what): token endpoint \(realm) returned no token")
        }
        return token
    }
}
