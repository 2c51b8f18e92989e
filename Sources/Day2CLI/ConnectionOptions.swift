import ArgumentParser
import AsyncHTTPClient
import Foundation

/// The options every command that talks to the server takes: which server, which project, which token, and how
/// to trust HTTPS. Flags win over environment variables, which win over what `day2ctl login` stored.
struct ConnectionOptions: ParsableArguments {
    @Option(
        name: [.customShort("p"), .long],
        help: "Project to work in (DAY2_PROJECT; default: the one given at login, else \"default\")."
    )
    var project: String?

    @Option(
        name: [.customLong("server"), .customLong("url")],
        help: ArgumentHelp(
            "Server base URL, e.g. http://127.0.0.1:8080 (DAY2_URL; default: the URL of day2ctl login).",
            valueName: "url"
        )
    )
    var url: String?

    @Option(help: "Bearer token to send instead of the one from day2ctl login (DAY2_TOKEN).")
    var token: String?

    @Flag(help: "Do not verify the server's TLS certificate (for testing only).")
    var insecure = false

    @Option(
        name: .customLong("ca-file"),
        help: ArgumentHelp(
            "PEM file with the CA certificate(s) that signed the server's certificate.",
            valueName: "file"
        )
    )
    var caFile: String?

    /// The default server when neither a flag, the environment nor a login names one.
    static let defaultURL = "http://127.0.0.1:8080"

    /// What the options, the environment and the stored login resolve to.
    struct Resolved {
        var url: String
        var project: String
        var token: String?
        var tokenSource: APIClient.TokenSource
        var insecure: Bool
        var caFile: String?
        var login: StoredLogin?
    }

    /// Resolves server, project, token and TLS settings; no token is not an error here.
    func resolve(_ context: CLIContext) throws(CLIError) -> Resolved {
        let login = try StoredLogin.load(from: context.configPath)
        let url = Self.normalized(url ?? context.variable("DAY2_URL") ?? login?.url ?? Self.defaultURL)
        // A stored login belongs to the server it was made against.
        let sameServer = login.map { Self.normalized($0.url) == url } ?? false
        var resolved = Resolved(
            url: url,
            project: project ?? context.variable("DAY2_PROJECT") ?? (sameServer ? login?.project : nil) ?? "default",
            token: nil,
            tokenSource: .none,
            insecure: insecure || (sameServer && login?.insecure == true),
            caFile: caFile ?? (sameServer ? login?.caFile : nil),
            login: login
        )
        if let token {
            (resolved.token, resolved.tokenSource) = (token, .flag)
        } else if let token = context.variable("DAY2_TOKEN") {
            (resolved.token, resolved.tokenSource) = (token, .environment)
        } else if sameServer, let login {
            (resolved.token, resolved.tokenSource) = (login.token, .login)
        }
        return resolved
    }

    /// Runs `body` with a client for the resolved server; fails early, with the way out, when there is no token.
    func withClient<T: Sendable>(
        _ context: CLIContext,
        _ body: @Sendable (APIClient) async throws(CLIError) -> T
    ) async throws(CLIError) -> T {
        let resolved = try resolve(context)
        guard let token = resolved.token else {
            throw CLIError(
                .notLoggedIn,
                "not logged in to \(resolved.url)",
                hint: "run day2ctl login --url \(resolved.url) --username admin (or pass --token, or set DAY2_TOKEN)"
            )
        }
        if resolved.tokenSource == .login, let expires = resolved.login?.expiresAt, expires <= context.now() {
            throw CLIError(
                .notLoggedIn,
                "the token from day2ctl login expired at \(TimeText.display(Int64(expires.timeIntervalSince1970), in: context.defaultTimeZone))",
                hint: "run day2ctl login"
            )
        }
        return try await Self.withHTTP(insecure: resolved.insecure, caFile: resolved.caFile) { http throws(CLIError) in
            try await body(
                APIClient(
                    baseURL: resolved.url,
                    project: resolved.project,
                    token: token,
                    tokenSource: resolved.tokenSource,
                    http: http
                )
            )
        }
    }

    /// Runs `body` with an HTTP client that is shut down afterwards, whatever happens.
    static func withHTTP<T: Sendable>(
        insecure: Bool,
        caFile: String?,
        _ body: @Sendable (HTTPClient) async throws(CLIError) -> T
    ) async throws(CLIError) -> T {
        let configuration = try APIClient.configuration(insecure: insecure, caFile: caFile)
        do {
            return try await HTTPClient.withHTTPClient(configuration: configuration) { http in
                try await body(http)
            }
        } catch let error as CLIError {
            throw error
        } catch {
            throw CLIError(.connection, "the HTTP client failed: \(error)", cause: String(reflecting: error))
        }
    }

    /// `url` without trailing slashes; a bare `host:port` gets `http://`.
    static func normalized(_ url: String) -> String {
        var text = url.trimmingCharacters(in: .whitespaces)
        if !text.contains("://") { text = "http://" + text }
        while text.hasSuffix("/") { text.removeLast() }
        return text
    }
}
