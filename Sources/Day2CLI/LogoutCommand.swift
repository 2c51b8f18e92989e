import ArgumentParser

/// `day2ctl logout`: forgets the stored login (the token is not revoked on the server; it expires by itself).
struct LogoutCommand: CLICommand {
    static let configuration = CommandConfiguration(
        commandName: "logout",
        abstract: "Forget the stored login (URL and token)."
    )

    func run(in context: CLIContext) async throws(CLIError) {
        let login = try? StoredLogin.load(from: context.configPath)
        if try StoredLogin.remove(at: context.configPath) {
            context.output.line("logged out" + (login.map { " of \($0.url)" } ?? ""))
        } else {
            context.output.line("not logged in")
        }
    }
}
