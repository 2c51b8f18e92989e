import Day2CLI
import Foundation
import Testing

/// `day2ctl rollouts` against a real `day2-orchestrator serve` on loopback.
@Suite(.timeLimit(.minutes(5)))
struct RolloutLiveTests {
    /// What ``makeFleet(_:)`` created.
    struct Fleet {
        var region: String
        /// edge-1 … edge-6 by name; edge-1…3 in berlin, edge-4…6 in paris; edge-6 already runs the target OS.
        var hosts: [String: String]
        var policy: String
        /// berlin and paris by name.
        var sites: [String: String]

        /// The name of the first host the contract's order puts in the first wave: the host of the lowest ID in
        /// the site of the lowest ID (edge-6 is skipped, so never first).
        var canary: String {
            let site = sites.min { $0.value < $1.value }?.key ?? ""
            let names = site == "berlin" ? ["edge-1", "edge-2", "edge-3"] : ["edge-4", "edge-5"]
            return names.min { (hosts[$0] ?? "") < (hosts[$1] ?? "") } ?? ""
        }
    }

    /// A region with two sites of three hosts each, every host with an instance on the old EMT image but edge-6,
    /// which runs the new one, and a TARGET policy for the new image.
    func makeFleet(_ cli: CLI) async throws -> Fleet {
        let region = try await cli.id(["create", "region", "--name", "eu-west"])
        let sites = [
            "berlin": try await cli.id(["create", "site", "--name", "berlin", "--region", "eu-west"]),
            "paris": try await cli.id(["create", "site", "--name", "paris", "--region", "eu-west"]),
        ]
        let sha = { (c: Character) in String(repeating: c, count: 64) }
        _ = try await cli.id([
            "create", "osprofile", "--name", "EMT 0101", "--profile", "microvisor-nonrt", "--version",
            "3.0.20260101.0100", "--sha256", sha("a"), "--type", "immutable",
        ])
        _ = try await cli.id([
            "create", "osprofile", "--name", "EMT 0602", "--profile", "microvisor-nonrt", "--version",
            "3.0.20260602.2200", "--sha256", sha("b"), "--type", "immutable",
        ])
        var hosts: [String: String] = [:]
        for number in 1...6 {
            let name = "edge-\(number)"
            hosts[name] = try await cli.id([
                "create", "host", "--name", name, "--uuid", "4c4c4544-0035-4b10-8048-b7c04f4a313\(number)", "--site",
                number <= 3 ? "berlin" : "paris",
            ])
            _ = try await cli.id(["create", "instance", "--host", name, "--os", number == 6 ? "EMT 0602" : "EMT 0101"])
        }
        let policy = try await cli.id([
            "create", "osupdatepolicy", "emt-to-0602", "--type", "target", "--target-os", "EMT 0602",
        ])
        return Fleet(region: region, hosts: hosts, policy: policy, sites: sites)
    }

    /// The rollouts of the project, by ID.
    func rolloutIDs(_ cli: CLI) async throws -> [String] {
        try await cli.json(["rollouts", "list"])["rollouts"].array.map { $0["resourceId"].text }
    }

    @Test func createWithYesThenListHostsPauseResumeAndCancelWhileWatching() async throws {
        try await LiveServer.with(extraArguments: ["--rollout-interval", "1"], https: false) { server in
            let cli = CLI(server: server)
            try await cli.login()
            let fleet = try await makeFleet(cli)

            let created = await cli.run([
                "rollouts", "create", "canary", "--policy", "emt-to-0602", "--region", "eu-west", "--wave", "1",
                "--wave", "50%", "--wave", "rest", "--failure-threshold", "20%", "--soak", "10m", "--ignore-windows",
                "--window", "30m", "--yes",
            ])
            #expect(created.code == 0, "\(created)")
            let lines = created.out.split(separator: "\n").map(String.init)
            let id = try #require(lines.first?.split(separator: " ").dropFirst(2).first.map(String.init))
            #expect(id.hasPrefix("rollout-"))
            #expect(
                lines == [
                    "created rollout \(id) (canary)",
                    "6 hosts in 3 waves (1, 3, 2); follow it with: day2ctl rollouts watch \(id)",
                ]
            )

            let rollout = try await cli.json(["rollouts", "get", "canary"])
            #expect(rollout["resourceId"].string == id)
            #expect(rollout["osUpdatePolicyId"].string == fleet.policy)
            #expect(rollout["regionId"].string == fleet.region)
            #expect(rollout["failureThreshold"].int == 20)
            #expect(rollout["soakSeconds"].int == 600)
            #expect(rollout["respectMaintenanceWindows"] == .bool(false))
            #expect(rollout["windowSeconds"].int == 1800)
            #expect(rollout["waves"].array.map { $0["total"].int } == [1, 3, 2])
            let detail = await cli.run(["rollouts", "get", id])
            #expect(detail.out.contains("Target:            region \(fleet.region)"), "\(detail)")
            #expect(detail.out.contains("Windows:           opened by the rollout when a wave opens, 30m each"))
            #expect(detail.out.contains("                   3      rest   "), "\(detail)")

            // list: a table row and the API's JSON.
            let table = await cli.run(["rollouts", "list"])
            #expect(table.code == 0)
            let rows = table.out.split(separator: "\n")
            #expect(rows.count == 2, "\(table)")
            #expect(rows.first?.hasPrefix("RESOURCE ID        NAME     STATE") == true, "\(table)")
            #expect(rows.last?.hasPrefix("\(id)   canary   ") == true, "\(table)")
            #expect(try await rolloutIDs(cli) == [id])

            // hosts: rollout order (one site at a time), the skipped host last, filters by state and wave.
            let hosts = try await cli.json(["rollouts", "hosts", id])
            let byName = hosts["hosts"].array.map { ($0["hostName"].text, $0["wave"].int ?? 0) }
            #expect(byName.map(\.1) == [1, 2, 2, 2, 3, 3])
            #expect(byName.last?.0 == "edge-6")
            let skipped = await cli.run(["rollouts", "hosts", id, "--state", "skipped"])
            #expect(skipped.code == 0)
            let skippedRows = skipped.out.split(separator: "\n")
            #expect(skippedRows.count == 2, "\(skipped)")
            #expect(skippedRows.last?.contains("edge-6") == true)
            #expect(skippedRows.last?.contains("already-on-target") == true)
            let wave2 = await cli.run(["rollouts", "hosts", id, "--wave", "2", "-q"])
            #expect(wave2.out.split(separator: "\n").count == 3, "\(wave2)")
            #expect(!wave2.out.contains(fleet.hosts["edge-6"] ?? "?"))

            // pause, pause again (409 naming the state), resume.
            let paused = await cli.run(["rollouts", "pause", "canary"])
            #expect(paused.code == 0, "\(paused)")
            #expect(paused.out.hasPrefix("paused rollout \(id) (canary); state: paused\n"), "\(paused)")
            #expect(try await cli.json(["rollouts", "get", id])["state"].string == "ROLLOUT_STATE_PAUSED")
            let again = await cli.run(["rollouts", "pause", id])
            #expect(again.code == 1)
            #expect(again.err.contains("ROLLOUT_STATE_PAUSED"), "\(again)")
            #expect(again.err.contains("HTTP 409"), "\(again)")
            let resumed = await cli.run(["rollouts", "resume", id])
            #expect(resumed.out.hasPrefix("resumed rollout \(id) (canary); state: "), "\(resumed)")
            #expect(try await cli.json(["rollouts", "get", id])["state"].string != "ROLLOUT_STATE_PAUSED")

            // An unfinished rollout cannot be deleted.
            let early = await cli.run(["rollouts", "delete", id])
            #expect(early.code == 1)
            #expect(early.err.contains("HTTP 409"), "\(early)")

            // watch follows it until it is cancelled, then ends with exit code 1 and the reason; its output is not
            // a terminal, so it prints changed lines, without escape sequences.
            async let watching = cli.run(["rollouts", "watch", id, "--interval", "1s"])
            try await Task.sleep(for: .milliseconds(1500))
            let cancelled = await cli.run(["rollouts", "cancel", id])
            #expect(cancelled.out.hasPrefix("cancelled rollout \(id) (canary); state: cancelled\n"), "\(cancelled)")
            let watch = await watching
            #expect(watch.code == 1, "\(watch)")
            #expect(watch.err.hasPrefix("error: rollout \(id) was cancelled"), "\(watch)")
            let watchLines = watch.out.split(separator: "\n").map(String.init)
            #expect(watchLines.first?.contains("\(id) (canary): ") == true, "\(watch)")
            #expect(watchLines.first?.contains("cancelled") == false, "\(watch)")
            #expect(watchLines.contains { $0.contains("  \(id) (canary): cancelled, wave ") }, "\(watch)")
            #expect(watchLines.contains { $0.contains("wave 3 [") }, "\(watch)")
            #expect(!watch.out.contains("\u{1B}["))

            // Watching a rollout that already ended ends at once, as JSON too.
            let ended = await cli.run(["rollouts", "watch", id, "-o", "json"])
            #expect(ended.code == 1)
            #expect(JSONValue.parse(ended.out)?["state"].string == "ROLLOUT_STATE_CANCELLED", "\(ended)")
            let hostsAfter = try await cli.json(["rollouts", "hosts", id, "--state", "skipped"])
            #expect(hostsAfter["hosts"].array.count == 6)

            let deleted = await cli.run(["rollouts", "delete", "canary"])
            #expect(deleted.out == "deleted rollout \(id)\n", "\(deleted)")
            let empty = await cli.run(["rollouts", "list"])
            #expect(empty.err.contains("no resources found"), "\(empty)")
        }
    }

    @Test func previewPrintsThePlanAndCreatesNothingUnlessTheAnswerIsYes() async throws {
        try await LiveServer.with { server in
            let cli = CLI(server: server)
            try await cli.login()
            let fleet = try await makeFleet(cli)
            // Every host gets a window on its region; the plan names its start.
            let window = try await cli.json([
                "create", "schedule", "tonight", "--region", "eu-west", "--start", "now+10m", "--duration", "1h",
            ])
            let windowStart = try #require(window["startSeconds"].int)
            let utc = try #require(TimeZone(identifier: "UTC"))
            let create = [
                "rollouts", "create", "plan", "--policy", fleet.policy, "--region", "eu-west", "--wave", "1", "--wave",
                "rest", "--preview",
            ]

            // No one to answer: the plan, then a refusal naming --yes; nothing created.
            let unanswered = await cli.run(create)
            #expect(unanswered.code == 64, "\(unanswered)")
            #expect(unanswered.out.hasPrefix("plan: 6 hosts in 2 waves; earliest finish "), "\(unanswered)")
            #expect(unanswered.out.contains("skipped: 1 already-on-target"))
            let rows = unanswered.out.split(separator: "\n").filter { $0.hasPrefix("host-") }
            #expect(rows.count == 6, "\(unanswered)")
            // HOST ID, NAME, SITE ID, WAVE, STATE, OS OFFER, EARLIEST START (UTC), LOCAL: the canary first, the host
            // already on the target skipped, last.
            let first = cells(rows.first ?? "")
            #expect(first.count == 8, "\(unanswered)")
            #expect(Array(first.prefix(2)) == [fleet.hosts[fleet.canary] ?? "?", fleet.canary], "\(unanswered)")
            #expect(first.count == 8 && first[3] == "1" && first[4] == "pending", "\(first)")
            #expect(first.count == 8 && first[5] == "EMT 0602 (3.0.20260602.2200)", "\(first)")
            #expect(first.count == 8 && first[6] == TimeText.display(windowStart, in: utc), "\(first)")
            #expect(first.count == 8 && first[7] == TimeText.display(windowStart, in: utc) + " UTC", "\(first)")
            #expect(
                cells(rows.last ?? "") == [
                    fleet.hosts["edge-6"] ?? "?", "edge-6", cells(rows.last ?? "")[2], "2",
                    "skipped: already-on-target", "-", "-", "-",
                ]
            )
            #expect(unanswered.err.contains("Create this rollout? [y/N]"))
            #expect(unanswered.err.contains("error: rollout \"plan\" not created"), "\(unanswered)")
            #expect(unanswered.err.contains("hint: pass --yes"))
            #expect(try await rolloutIDs(cli).isEmpty)

            // No.
            let declined = await cli.run(create + ["--first", "0"], stdin: ["n"])
            #expect(declined.code == 1)
            #expect(!declined.out.contains("host-"), "\(declined)")
            #expect(declined.err.contains("not created: the answer was not yes"), "\(declined)")
            #expect(try await rolloutIDs(cli).isEmpty)

            // The real process, its standard input a pipe: not asked even with "y" waiting, so not created.
            let binary = try LiveServer.binaryFolder() + "/day2ctl"
            let piped = try runProcess(binary, create, stdin: "y\n", environment: cli.environment)
            #expect(piped.code == 64, "\(piped)")
            #expect(piped.out.hasPrefix("plan: 6 hosts"))
            #expect(!piped.err.contains("[y/N]"), "\(piped)")
            #expect(piped.err.contains("pass --yes"))
            #expect(try await rolloutIDs(cli).isEmpty)

            // Yes.
            let accepted = await cli.run(create + ["--first", "2"], stdin: ["y"])
            #expect(accepted.code == 0, "\(accepted)")
            #expect(accepted.out.contains("… and 4 more hosts"), "\(accepted)")
            #expect(accepted.out.contains("created rollout rollout-"), "\(accepted)")
            let ids = try await rolloutIDs(cli)
            #expect(ids.count == 1)
            let id = try #require(ids.first)

            // The preview of the existing rollout, as a table and as JSON; it changes nothing.
            let preview = await cli.run(["rollouts", "preview", "plan", "--first", "1"])
            #expect(preview.code == 0, "\(preview)")
            #expect(preview.out.hasPrefix("plan: 6 hosts in 2 waves"), "\(preview)")
            #expect(preview.out.contains("… and 5 more hosts (day2ctl rollouts preview \(id) --first N"), "\(preview)")
            let json = try await cli.json(["rollouts", "preview", id])
            #expect(json["totalHosts"].int == 6)
            #expect(json["waves"].array.map { $0["hosts"].int } == [1, 5])
            #expect(json["skippedByReason"].array.map { $0["reason"].text } == ["already-on-target"])
            #expect(try await rolloutIDs(cli) == [id])

            // A second rollout over the same hosts is refused, and the plan said why beforehand.
            let overlap = await cli.run([
                "rollouts", "create", "second", "--policy", "emt-to-0602", "--hosts", "edge-1,edge-2", "--yes",
            ])
            #expect(overlap.code == 1)
            #expect(overlap.err.contains("HTTP 409"), "\(overlap)")
            let overlapPlan = await cli.run([
                "rollouts", "create", "second", "--policy", "emt-to-0602", "--hosts", "edge-1", "--preview", "-o",
                "json",
            ])
            #expect(overlapPlan.code == 64, "\(overlapPlan)")
            let plan = try #require(JSONValue.parse(overlapPlan.out), "\(overlapPlan)")
            #expect(plan["skippedByReason"].array.map { $0["reason"].text } == ["in-another-rollout"])
            let unknownHost = await cli.run([
                "rollouts", "create", "third", "--policy", "emt-to-0602", "--hosts", "edge-1,edge-9", "--yes",
            ])
            #expect(unknownHost.code == 1)
            #expect(unknownHost.err.contains("no host has the ID or name \"edge-9\""), "\(unknownHost)")
            #expect(try await rolloutIDs(cli) == [id])
        }
    }

    /// The cells of a table row: the text between runs of two or more spaces.
    func cells(_ row: some StringProtocol) -> [String] {
        row.components(separatedBy: "  ").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    /// Runs `binary` with `arguments`, feeding `stdin` through a pipe, and returns exit code and output.
    private func runProcess(
        _ binary: String,
        _ arguments: [String],
        stdin: String,
        environment: [String: String]
    ) throws -> CLI.Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = arguments
        process.environment = environment
        let input = Pipe()
        let output = Pipe()
        let errors = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        input.fileHandleForWriting.write(Data(stdin.utf8))
        try input.fileHandleForWriting.close()
        let out = output.fileHandleForReading.readDataToEndOfFile()
        let err = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return CLI.Result(
            code: process.terminationStatus,
            out: String(decoding: out, as: UTF8.self),
            err: String(decoding: err, as: UTF8.self)
        )
    }
}
