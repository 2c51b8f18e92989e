import ArgumentParser
import Foundation

/// `day2ctl login`: gets a token from the server's token endpoint (OIDC password grant) and keeps the URL, the
/// token and its expiry in the login file (mode 0600) for later commands.
struct LoginCommand: CLICommand {
    static let configuration = CommandConfiguration(
        commandName: "login",
        abstract: "Log in to a Day2 server and keep the token for later commands.",
        discussion: """
            The password is read from the terminal without echo, or with --password-stdin from the first line of \
            standard input (for scripts: echo "$PW" | day2ctl login --password-stdin). The login is kept in \
            ~/.config/day2/day2ctl.json (or DAY2CTL_CONFIG), readable only by its owner.
            """
    )

    @Option(
        name: [.customLong("url"), .customLong("server")],
        help: ArgumentHelp(
            "Server base URL (DAY2_URL; default: the last login's, else \(ConnectionOptions.defaultURL)).",
            valueName: "url"
        )
    )
    var url: String?

    @Option(name: [.customShort("u"), .long], help: "User name.")
    var username = "admin"

    @Flag(name: .customLong("password-stdin"), help: "Read the password from the first line of standard input.")
    var passwordStdin = false

    @Option(help: "Realm of the token endpoint (/realms/<realm>/protocol/openid-connect/token).")
    var realm = "master"

    @Option(
        name: [.customShort("p"), .long],
        help: "Project later commands use when they get no --project or DAY2_PROJECT."
    )
    var project: String?

    @Flag(help: "Do not verify the server's TLS certificate (for testing only); kept for later commands.")
    var insecure = false

    @Option(
        name: .customLong("ca-file"),
        help: ArgumentHelp(
            "PEM file with the CA certificate(s) of the server; kept for later commands.",
            valueName: "file"
        )
    )
    var caFile: String?

    func run(in context: CLIContext) async throws(CLIError) {
        let previous = try? StoredLogin.load(from: context.configPath)
        let url = ConnectionOptions.normalized(
            url ?? context.variable("DAY2_URL") ?? previous?.url ?? ConnectionOptions.defaultURL
        )
        let password = try readPassword(context, url: url)
        let caFile = caFile.map { ($0 as NSString).standardizingPath }
        let realm = realm
        let username = username
        let project = project
        let insecure = insecure
        let login = try await ConnectionOptions.withHTTP(insecure: insecure, caFile: caFile) {
            http throws(CLIError) -> (StoredLogin, [String]) in
            let anonymous = APIClient(baseURL: url, project: "", token: nil, tokenSource: .none, http: http)
            let answer: JSONValue
            do {
                answer = try await anonymous.send(
                    .POST,
                    "/realms/\(APIClient.escape(realm))/protocol/openid-connect/token",
                    form: [("grant_type", "password"), ("username", username), ("password", password)],
                    authenticated: false
                )
            } catch let error as CLIError {
                guard error.httpStatus == 401 else { throw error }
                var refused = error
                refused.hint = "check the user name and password (the admin's is the server's --admin-password)"
                throw refused
            } catch {
                throw CLIError(.connection, "the token request failed: \(error)")
            }
            guard let token = answer["access_token"].string, !token.isEmpty else {
                throw CLIError(.connection, "\(url) answered the token request without an access_token")
            }
            let expires = answer["expires_in"].int.map { context.now().addingTimeInterval(TimeInterval($0)) }
            let client = APIClient(baseURL: url, project: "", token: token, tokenSource: .login, http: http)
            let projects = try await client.send(.GET, "/v1/projects")["projects"].array.map { $0["name"].text }
            let login = StoredLogin(
                url: url,
                token: token,
                expiresAt: expires,
                username: username,
                project: project,
                caFile: caFile,
                insecure: insecure
            )
            return (login, projects)
        }
        try login.0.save(to: context.configPath)
        var message = "logged in to \(url) as \(username)"
        if let expires = login.0.expiresAt {
            message +=
                "; the token is valid until \(TimeText.display(Int64(expires.timeIntervalSince1970), in: context.defaultTimeZone))"
        }
        context.output.line(message)
        context.output.line("projects: " + (login.1.isEmpty ? "none" : login.1.joined(separator: ", ")))
        if let project, !login.1.contains(project) {
            context.errors.line("warning: project \"\(project)\" is not among the projects this user can see")
        }
    }

    /// The password from standard input (`--password-stdin`) or the terminal.
    private func readPassword(_ context: CLIContext, url: String) throws(CLIError) -> String {
        if passwordStdin {
            guard let line = context.input.readLine(), !line.isEmpty else {
                throw CLIError.option("--password-stdin", "standard input held no password")
            }
            return line
        }
        guard let typed = context.promptSecret("Password for \(username) at \(url): ") else {
            throw CLIError(
                .usage,
                "there is no terminal to ask for the password",
                hint: "pipe it in: echo \"$PASSWORD\" | day2ctl login --password-stdin …"
            )
        }
        guard !typed.isEmpty else { throw CLIError(.usage, "the password is empty") }
        return typed
    }
}
