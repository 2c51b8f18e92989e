import Foundation
import Testing

@testable import Day2CLI

/// The parts of the command line that need no server.
@Suite struct CommandLineTests {
    func run(_ arguments: [String], environment: [String: String] = [:]) async -> (Int32, String, String) {
        let out = CapturedText()
        let err = CapturedText()
        var env = environment
        env["DAY2CTL_CONFIG"] = env["DAY2CTL_CONFIG"] ?? "/nonexistent/day2ctl-test/config.json"
        let code = await Day2CTL.run(
            arguments,
            in: CLIContext(environment: env, output: out, errors: err, input: ScriptedInput([]))
        )
        return (code, out.text, err.text)
    }

    @Test func nounFirstIsVerbFirst() {
        #expect(ArgumentOrder.normalized(["runs", "list", "--all"]) == ["list", "runs", "--all"])
        #expect(ArgumentOrder.normalized(["projects", "create", "x"]) == ["create", "projects", "x"])
        #expect(ArgumentOrder.normalized(["list", "runs"]) == ["list", "runs"])
        #expect(ArgumentOrder.normalized(["update-os", "host-1"]) == ["update-os", "host-1"])
    }

    @Test func helpDocumentsTheCommandsAndOptions() async {
        let (code, out, _) = await run(["--help"])
        #expect(code == 0)
        for command in ["login", "logout", "list", "get", "create", "set", "delete", "update-os"] {
            #expect(out.contains(command))
        }
        let (_, list, _) = await run(["list", "hosts", "--help"])
        for option in [
            "--filter", "--order-by", "--page-size", "--offset", "--all", "--output", "--quiet", "--site",
            "--region", "--project", "--url", "--token", "--insecure", "--ca-file", "--timezone",
        ] {
            #expect(list.contains(option), "list hosts --help lacks \(option)")
        }
        let (_, set, _) = await run(["set", "instance", "--help"])
        for option in ["--policy", "--no-policy", "--os", "--name"] { #expect(set.contains(option)) }
    }

    @Test func contradictoryOptionsAreUsageErrors() async {
        let (code, _, err) = await run(["set", "instance", "inst-12345678", "--policy", "p", "--no-policy"])
        #expect(code == 64)
        #expect(err.contains("--no-policy cannot be combined with --policy or --os"))
        let (nothing, _, nothingErr) = await run(["set", "host", "edge-1"])
        #expect(nothing == 64)
        #expect(nothingErr.contains("nothing to change"))
        let (both, _, bothErr) = await run([
            "create", "schedule", "w", "--cron", "0 2 * * *", "--hour", "3", "--duration", "1h",
        ])
        #expect(both == 64)
        #expect(bothErr.contains("give --cron or the separate cron field options, not both"))
    }

    @Test func anExpiredLoginSaysSo() async throws {
        let folder = NSTemporaryDirectory() + "day2ctl-expired-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/login.json"
        try StoredLogin(
            url: "http://127.0.0.1:1",
            token: "t",
            expiresAt: Date(timeIntervalSince1970: 1_000_000_000),
            username: "admin"
        ).save(to: path)
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        let (code, _, err) = await run(["list", "regions"], environment: ["DAY2CTL_CONFIG": path, "TZ": "UTC"])
        #expect(code == 1)
        #expect(err.contains("error: the token from day2ctl login expired at 2001-09-09 01:46:40 +00:00"))
        #expect(err.contains("hint: run day2ctl login"))
    }

    @Test func updateRunsWithoutAnEndAreInProgress() {
        let done = JSONValue.object([("startTime", .int(1_782_728_100)), ("endTime", .int(1_782_728_700))])
        let open = JSONValue.object([("startTime", .int(1_782_728_100)), ("endTime", .int(1_410_065_407))])
        let missing = JSONValue.object([("startTime", .int(1_782_728_100))])
        #expect(!Views.runInProgress(done))
        #expect(Views.runInProgress(open))
        #expect(Views.runInProgress(missing))
        #expect(Views.runDuration(done, now: 0) == "10m")
        #expect(Views.runDuration(open, now: 1_782_728_100 + 3900) == "1h 5m")
    }

    @Test func queriesArePercentEncoded() {
        #expect(
            APIClient.encode([("filter", "name=\"a b\""), ("orderBy", "startTime desc")])
                == "filter=name%3D%22a%20b%22&orderBy=startTime%20desc"
        )
        #expect(APIClient.escape("é/") == "%C3%A9%2F")
    }

    @Test func tablesLineUp() {
        let table = Table(headers: ["ID", "NAME"], rows: [["host-1", "a"], ["h", ""]])
        #expect(table.rendered == "ID       NAME\nhost-1   a\nh        -")
        #expect(Table.details([("Name", "x"), ("Sources", "a\nb")]) == "Name:    x\nSources: a\n         b")
    }
}
