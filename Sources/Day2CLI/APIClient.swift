import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The REST API as `day2ctl` uses it: JSON requests on `/v1/projects/{project}/…` with a bearer token, answers
/// parsed as JSON, and the API's `{"code","message"}` errors turned into ``CLIError``s.
///
/// Day2CLI is just another API client: it knows the server only through these HTTP calls.
public struct APIClient: Sendable {
    /// Where the token came from, which decides the advice on a 401.
    public enum TokenSource: Sendable {
        case flag
        case environment
        case login
        case none
    }

    /// The HTTP methods the API uses.
    public enum Method: String, Sendable {
        case GET, POST, PATCH, DELETE

        var nio: HTTPMethod {
            switch self {
            case .GET: .GET
            case .POST: .POST
            case .PATCH: .PATCH
            case .DELETE: .DELETE
            }
        }
    }

    /// The server's base URL without a trailing slash, e.g. `http://127.0.0.1:8080`.
    public let baseURL: String
    /// The project every scoped path is under.
    public let project: String
    let token: String?
    let tokenSource: TokenSource
    let http: HTTPClient

    /// The longest a request may take, connection included.
    static let requestTimeout = TimeAmount.seconds(60)
    /// The largest answer accepted.
    static let maximumBody = 64 * 1024 * 1024

    /// Creates a client over `http` (the caller owns it and shuts it down).
    public init(baseURL: String, project: String, token: String?, tokenSource: TokenSource, http: HTTPClient) {
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        self.baseURL = base
        self.project = project
        self.token = token
        self.tokenSource = tokenSource
        self.http = http
    }

    /// The HTTP client configuration for `--insecure` / `--ca-file`: no retries of a refused connection (so the
    /// error comes at once), a connect timeout of 10 s.
    static func configuration(insecure: Bool, caFile: String?) throws(CLIError) -> HTTPClient.Configuration {
        var tls = TLSConfiguration.makeClientConfiguration()
        if insecure {
            tls.certificateVerification = .none
        } else if let caFile {
            guard FileManager.default.isReadableFile(atPath: caFile) else {
                throw CLIError.option("--ca-file", "cannot read \(caFile)")
            }
            tls.trustRoots = .file(caFile)
        }
        var configuration = HTTPClient.Configuration(
            tlsConfiguration: tls,
            timeout: .init(connect: .seconds(10), read: .seconds(60))
        )
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.httpVersion = .http1Only
        return configuration
    }

    // MARK: Project-scoped calls

    /// `GET /v1/projects/{project}/<path>?<query>`.
    public func get(_ path: String, query: [(String, String)] = []) async throws(CLIError) -> JSONValue {
        try await send(.GET, scopedPath(path), query: query)
    }

    /// `POST /v1/projects/{project}/<path>` with a JSON body.
    public func post(_ path: String, _ body: JSONValue) async throws(CLIError) -> JSONValue {
        try await send(.POST, scopedPath(path), body: body)
    }

    /// `PATCH /v1/projects/{project}/<path>` with a JSON body.
    public func patch(
        _ path: String,
        _ body: JSONValue,
        query: [(String, String)] = []
    ) async throws(CLIError)
        -> JSONValue
    {
        try await send(.PATCH, scopedPath(path), query: query, body: body)
    }

    /// `DELETE /v1/projects/{project}/<path>`.
    public func delete(_ path: String) async throws(CLIError) -> JSONValue {
        try await send(.DELETE, scopedPath(path))
    }

    /// `/v1/projects/<project>/<path>` with the project name escaped.
    func scopedPath(_ path: String) -> String {
        "/v1/projects/" + Self.escape(project) + "/" + path
    }

    // MARK: Sending

    /// Sends one request and returns the parsed JSON answer, or throws the API's error.
    public func send(
        _ method: Method,
        _ path: String,
        query: [(String, String)] = [],
        body: JSONValue? = nil,
        form: [(String, String)]? = nil,
        authenticated: Bool = true
    ) async throws(CLIError) -> JSONValue {
        var url = baseURL + path
        if !query.isEmpty { url += "?" + Self.encode(query) }
        var request = HTTPClientRequest(url: url)
        request.method = method.nio
        request.headers.add(name: "Accept", value: "application/json")
        request.headers.add(name: "User-Agent", value: "day2ctl")
        if authenticated, let token { request.headers.add(name: "Authorization", value: "Bearer " + token) }
        if let form {
            request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
            request.body = .bytes(ByteBuffer(string: Self.encode(form)))
        } else if let body {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: body.compact))
        }
        let status: Int
        let bytes: ByteBuffer
        do {
            let response = try await http.execute(request, timeout: Self.requestTimeout)
            status = Int(response.status.code)
            bytes = try await response.body.collect(upTo: Self.maximumBody)
        } catch {
            throw Self.transportFailure(error, url: baseURL)
        }
        let json = JSONValue.parse(bytes.readableBytesView)
        guard (200..<300).contains(status) else {
            throw apiFailure(status: status, json: json, text: String(buffer: bytes), method: method, path: path)
        }
        guard let json else {
            throw CLIError(
                .connection,
                "\(baseURL) answered \(method) \(path) with something that is not JSON",
                hint: "is --url the Day2 server?"
            )
        }
        return json
    }

    /// The error for a non-2xx answer: `<message> (<code>, HTTP <status>)`.
    func apiFailure(status: Int, json: JSONValue?, text: String, method: Method, path: String) -> CLIError {
        let code = json?["code"].string ?? json?["error"].string
        var message = json?["message"].string ?? json?["error_description"].string ?? ""
        if message.isEmpty {
            let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
            message = trimmed.isEmpty || trimmed.count > 200 ? "\(method) \(path) failed" : trimmed
        }
        let suffix = code.map { "(\($0), HTTP \(status))" } ?? "(HTTP \(status))"
        var hint: String?
        switch status {
        case 401:
            switch tokenSource {
            case .flag: hint = "the token given with --token was refused; run day2ctl login, or pass a valid --token"
            case .environment:
                hint = "the token in DAY2_TOKEN was refused; run day2ctl login, or set a valid DAY2_TOKEN"
            case .login, .none: hint = "run day2ctl login"
            }
        case 403:
            hint = "the user that logged in lacks the role for this; log in as a user with write access to the project"
        default:
            break
        }
        return CLIError(.api, "\(message) \(suffix)", hint: hint, httpStatus: status, apiCode: code)
    }

    /// The error for a request that got no HTTP answer, naming the URL.
    static func transportFailure(_ error: any Error, url: String) -> CLIError {
        let detail = String(describing: error)
        var reason = detail
        var hint: String?
        if let connection = error as? NIOConnectionError {
            if connection.connectionErrors.contains(where: { isRefused($0.error) }) {
                reason = "connection refused"
            } else if connection.dnsAError != nil || connection.dnsAAAAError != nil, connection.connectionErrors.isEmpty
            {
                reason = "the host name could not be resolved"
            }
        } else if isRefused(error) {
            reason = "connection refused"
        } else if let client = error as? HTTPClientError {
            if client == .connectTimeout {
                reason = "connection timed out"
            } else if client == .deadlineExceeded {
                reason = "no answer within \(requestTimeout.nanoseconds / 1_000_000_000) s"
            } else if client == .remoteConnectionClosed {
                reason = "the server closed the connection"
            }
        }
        if reason == "connection refused" {
            hint =
                "is day2-orchestrator running there? give its address with --url or DAY2_URL, or run day2ctl login --url …"
        } else if error is NIOSSLError || detail.contains("CERTIFICATE") || detail.contains("certificate")
            || detail.contains("SSL")
        {
            reason = "TLS failed: \(detail)"
            hint =
                "if the server's certificate comes from a private CA, pass --ca-file; --insecure skips the check (testing only)"
        }
        return CLIError(.connection, "cannot connect to \(url): \(reason)", hint: hint, cause: detail)
    }

    private static func isRefused(_ error: any Error) -> Bool {
        if let io = error as? IOError { return io.errnoCode == ECONNREFUSED }
        return String(describing: error).localizedCaseInsensitiveContains("refused")
    }

    // MARK: Encoding

    /// `a=1&b=two%20words`: every byte outside the unreserved set is percent-encoded.
    static func encode(_ pairs: [(String, String)]) -> String {
        pairs.map { escape($0.0) + "=" + escape($0.1) }.joined(separator: "&")
    }

    /// Percent-encodes everything but `A-Z a-z 0-9 - . _ ~`.
    static func escape(_ text: String) -> String {
        var out = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = String(byte, radix: 16, uppercase: true)
                out += "%" + (hex.count == 1 ? "0" + hex : hex)
            }
        }
        return out
    }
}
