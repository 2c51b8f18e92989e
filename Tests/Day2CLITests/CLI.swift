import Day2CLI
import Foundation
import Testing

/// Runs `day2ctl` commands as library calls of the command tree, with their own environment and captured
/// output, against a ``LiveServer``.
struct CLI {
    let server: LiveServer
    /// Extra environment variables.
    var extraEnvironment: [String: String] = [:]

    /// What one command did.
    struct Result: CustomStringConvertible {
        var code: Int32
        var out: String
        var err: String

        var description: String { "exit \(code)\nstdout: \(out)\nstderr: \(err)" }
    }

    /// The login file of this test.
    var configPath: String { server.folder + "/config.json" }

    /// The environment commands see: the test's login file, its home, UTC.
    var environment: [String: String] {
        ["DAY2CTL_CONFIG": configPath, "HOME": server.folder, "TZ": "UTC"].merging(extraEnvironment) { $1 }
    }

    /// Runs `arguments` (without the program name), with `stdin` as standard input.
    func run(_ arguments: [String], stdin: [String] = []) async -> Result {
        let out = CapturedText()
        let err = CapturedText()
        let context = CLIContext(environment: environment, output: out, errors: err, input: ScriptedInput(stdin))
        let code = await Day2CTL.run(arguments, in: context)
        return Result(code: code, out: out.text, err: err.text)
    }

    /// Logs in as admin with the server's password.
    func login() async throws {
        let result = await run(["login", "--url", server.url, "--password-stdin"], stdin: [server.adminPassword])
        guard result.code == 0 else { throw TestFailure("login failed: \(result)") }
    }

    /// Runs `arguments` with `-o json`, expects success and returns the parsed output.
    func json(_ arguments: [String], sourceLocation: SourceLocation = #_sourceLocation) async throws -> JSONValue {
        let result = await run(arguments + ["-o", "json"])
        #expect(result.code == 0, "\(arguments): \(result)", sourceLocation: sourceLocation)
        guard let json = JSONValue.parse(result.out) else {
            throw TestFailure("\(arguments) printed no JSON: \(result)")
        }
        return json
    }

    /// Runs `arguments` with `-q` and returns the single ID printed.
    func id(_ arguments: [String], sourceLocation: SourceLocation = #_sourceLocation) async throws -> String {
        let result = await run(arguments + ["-q"])
        #expect(result.code == 0, "\(arguments): \(result)", sourceLocation: sourceLocation)
        let id = result.out.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !id.isEmpty, !id.contains("\n") else { throw TestFailure("\(arguments) printed no single ID: \(result)") }
        return id
    }
}
