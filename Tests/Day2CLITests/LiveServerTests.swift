import Day2CLI
import Foundation
import Testing

/// `day2ctl` against a real `day2-orchestrator serve` on loopback: every command goes over HTTP to the server.
@Suite(.timeLimit(.minutes(5)))
struct LiveServerTests {
    @Test func loginKeepsTheTokenPrivateAndLogoutForgetsIt() async throws {
        try await LiveServer.with { server in
            let cli = CLI(server: server)
            let before = await cli.run(["list", "hosts"])
            #expect(before.code == 1)
            #expect(before.err.contains("error: not logged in to http://127.0.0.1:8080"))
            #expect(before.err.contains("hint: run day2ctl login"))

            let login = await cli.run(
                ["login", "--url", server.url, "--password-stdin"],
                stdin: [server.adminPassword]
            )
            #expect(login.code == 0, "\(login)")
            #expect(login.out.contains("logged in to \(server.url) as admin"))
            #expect(login.out.contains("projects: default"))
            let attributes = try FileManager.default.attributesOfItem(atPath: cli.configPath)
            #expect((attributes[.posixPermissions] as? Int) == 0o600)
            let stored = try #require(JSONValue.parse(try Data(contentsOf: URL(fileURLWithPath: cli.configPath))))
            #expect(stored["url"].string == server.url)
            #expect(stored["token"].string?.split(separator: ".").count == 3)
            #expect(stored["expiresAt"].string != nil)

            let projects = try await cli.json(["list", "projects"])
            #expect(projects["projects"].array.map { $0["name"].text } == ["default"])

            let logout = await cli.run(["logout"])
            #expect(logout.code == 0)
            #expect(logout.out == "logged out of \(server.url)\n")
            #expect(!FileManager.default.fileExists(atPath: cli.configPath))
            let after = await cli.run(["list", "hosts", "--url", server.url])
            #expect(after.code == 1)
            #expect(after.err.contains("not logged in to \(server.url)"))
            #expect(after.err.contains("run day2ctl login"))
        }
    }

    @Test func aWrongPasswordIsRefusedAndNothingIsStored() async throws {
        try await LiveServer.with { server in
            let cli = CLI(server: server)
            let result = await cli.run(["login", "--url", server.url, "--password-stdin"], stdin: ["not-the-password"])
            #expect(result.code == 1)
            #expect(result.err.contains("error: Invalid user credentials (invalid_grant, HTTP 401)"), "\(result)")
            #expect(result.err.contains("hint: check the user name and password"))
            #expect(!FileManager.default.fileExists(atPath: cli.configPath))
            let empty = await cli.run(["login", "--url", server.url, "--password-stdin"])
            #expect(empty.code == 64)
            #expect(empty.err.contains("--password-stdin: standard input held no password"))
        }
    }

    /// The fleet workflow: locations, a registered host, OS resources, an instance, a policy linked to it, windows
    /// on host and site, the immediate update, runs, and the rules the server enforces on the way.
    @Test func fleetWorkflowFromRegionToUpdateWindow() async throws {
        try await LiveServer.with { server in
            let cli = CLI(server: server)
            try await cli.login()

            let region = try await cli.id(["create", "region", "--name", "eu-west", "--metadata", "tier=gold"])
            #expect(region.hasPrefix("region-"))
            let site = try await cli.json(["create", "site", "--name", "berlin", "--region", "eu-west"])
            #expect(site["region"]["resourceId"].string == region)
            let siteId = site["resourceId"].text

            let host = try await cli.json([
                "create", "host", "--name", "edge-1", "--uuid", "4c4c4544-0035-4b10-8048-b7c04f4a3132", "--site",
                "berlin",
            ])
            let hostId = host["resourceId"].text
            #expect(host["siteId"].string == siteId)
            #expect(host["uuid"].string == "4c4c4544-0035-4b10-8048-b7c04f4a3132")

            let sha = { (c: Character) in String(repeating: c, count: 64) }
            let oldOS = try await cli.id([
                "create", "osprofile", "--name", "EMT 3.0.20260101", "--profile", "microvisor-nonrt", "--version",
                "3.0.20260101.0100", "--sha256", sha("a"), "--type", "immutable", "--image-url",
                "files/emt-0101.raw.gz",
            ])
            let newOS = try await cli.id([
                "create", "osprofile", "--name", "EMT 3.0.20260602", "--profile", "microvisor-nonrt", "--version",
                "3.0.20260602.2200", "--sha256", sha("b"), "--type", "immutable",
            ])
            _ = try await cli.id([
                "create", "osprofile", "--name", "Ubuntu 22.04.5", "--profile", "ubuntu-22.04-lts-generic", "--version",
                "22.04.5", "--sha256", sha("c"), "--type", "mutable",
            ])
            // Grouped by profile, newest first, the newest of each profile marked.
            let osTable = await cli.run(["list", "osprofiles"])
            #expect(osTable.code == 0)
            let osRows = osTable.out.split(separator: "\n").map {
                $0.split(separator: " ", omittingEmptySubsequences: true)
            }
            #expect(osRows.count == 4)
            #expect(osTable.out.split(separator: "\n")[0].hasPrefix("PROFILE"))
            let emtRows = osTable.out.split(separator: "\n").filter { $0.hasPrefix("microvisor-nonrt") }
            #expect(emtRows.count == 2)
            #expect(emtRows[0].contains(newOS) && emtRows[0].contains(" * "))
            #expect(emtRows[1].contains(oldOS) && !emtRows[1].contains(" * "))

            let instance = try await cli.json(["create", "instance", "--host", "edge-1", "--os", "EMT 3.0.20260101"])
            let instanceId = instance["resourceId"].text
            #expect(instance["os"]["resourceId"].string == oldOS)
            #expect(instance["provisioningStatus"].string == "Provisioned")

            let policy = try await cli.json([
                "create", "osupdatepolicy", "emt-to-0602", "--type", "target", "--target-os", newOS, "--description",
                "EMT upgrade",
            ])
            let policyId = policy["resourceId"].text
            #expect(policy["updatePolicy"].string == "UPDATE_POLICY_TARGET")
            #expect(policy["targetOs"]["resourceId"].string == newOS)

            // Link it the upstream way (through the host), and see it on host and instance.
            let linked = await cli.run(["set", "host", "edge-1", "--osupdatepolicy", "emt-to-0602"])
            #expect(linked.code == 0, "\(linked)")
            #expect(linked.out.contains("instance \(instanceId): policy emt-to-0602 (\(policyId))"))
            let hostNow = try await cli.json(["get", "host", hostId])
            #expect(hostNow["instance"]["updatePolicy"]["resourceId"].string == policyId)
            #expect(hostNow["instance"]["desiredOs"]["resourceId"].string == newOS)
            let hostTable = await cli.run(["get", "host", "edge-1"])
            #expect(hostTable.out.contains("OS update policy:    emt-to-0602 (\(policyId))"), "\(hostTable)")

            // A policy still linked cannot be deleted; the server says why.
            let refused = await cli.run(["delete", "osupdatepolicy", policyId])
            #expect(refused.code == 1)
            #expect(
                refused.err.contains("still referenced by 1 instances (FailedPrecondition, HTTP 400)"),
                "\(refused)"
            )

            // A single window on the host, read in a zone, and a repeated one on the site in a zone without
            // daylight saving time (so the UTC fields do not depend on today's date): Monday 02:00 in Kolkata
            // (UTC+05:30) is Sunday 20:30 UTC.
            let single = try await cli.json([
                "create", "schedule", "tonight", "--host", "edge-1", "--start", "now+10m", "--duration", "1h",
                "--timezone", "Europe/Berlin",
            ])
            let singleStart = try #require(single["startSeconds"].int)
            #expect(single["endSeconds"].int == singleStart + 3600)
            #expect(single["targetHostId"].string == hostId)
            #expect(single["scheduleStatus"].string == "SCHEDULE_STATUS_OS_UPDATE")
            let weekly = await cli.run([
                "create", "schedule", "weekly", "--site", "berlin", "--timezone", "Asia/Kolkata", "--day-of-week",
                "mon",
                "--hour", "2", "--duration", "2h", "--type", "maintenance",
            ])
            #expect(weekly.code == 0, "\(weekly)")
            #expect(weekly.out.contains("UTC: 30 20 * * 0"))
            #expect(weekly.out.contains("next windows (Asia/Kolkata):"))
            #expect(weekly.out.contains(" 02:00:00 +05:30 → "))
            let weeklyId = try #require(weekly.out.split(separator: " ").dropFirst(2).first.map(String.init))
            let stored = try await cli.json(["get", "schedule", weeklyId])
            #expect(stored["cronMinutes"].string == "30")
            #expect(stored["cronHours"].string == "20")
            #expect(stored["cronDayWeek"].string == "0")
            #expect(stored["cronDayMonth"].string == "*")
            #expect(stored["durationSeconds"].int == 7200)
            #expect(stored["scheduleStatus"].string == "SCHEDULE_STATUS_MAINTENANCE")
            #expect(stored["targetSiteId"].string == siteId)

            // The host sees its own window and the one inherited from its site.
            let forHost = try await cli.json(["list", "schedules", "--host", "edge-1"])
            #expect(forHost["singleSchedules"].array.map { $0["name"].text } == ["tonight"])
            #expect(forHost["repeatedSchedules"].array.map { $0["name"].text } == ["weekly"])
            let openLater = try await cli.json(["list", "schedules", "--host", hostId, "--at", "now+15m"])
            #expect(openLater["singleSchedules"].array.map { $0["resourceId"].text } == [single["resourceId"].text])
            let openNow = try await cli.json(["list", "schedules", "--host", hostId, "--at", "now"])
            #expect(openNow["singleSchedules"].array.isEmpty)

            // update-os: upstream's immediate window, 30 s to 660 s from now, named after the host.
            let before = Int64(Date().timeIntervalSince1970)
            let immediate = try await cli.json(["update-os", "edge-1"])
            let after = Int64(Date().timeIntervalSince1970)
            #expect(immediate["name"].string == "\(hostId)_immediate_os_update")
            let start = try #require(immediate["startSeconds"].int)
            #expect((before + 30...after + 31).contains(start))
            #expect(immediate["endSeconds"].int == start + 630)

            // No agent has reported, so there are no runs yet: an empty list, not an error.
            let runs = try await cli.json(["list", "runs", "--host", "edge-1"])
            #expect(runs["osUpdateRuns"].array.isEmpty)
            #expect(runs["totalElements"].int == 0)

            // Setting the desired OS links a TARGET policy for it; unlinking leaves none.
            let desired = try await cli.json(["set", "instance", instanceId, "--os", "EMT 3.0.20260602"])
            #expect(desired["desiredOs"]["resourceId"].string == newOS)
            #expect(desired["updatePolicy"]["targetOs"]["resourceId"].string == newOS)
            let unlinked = try await cli.json(["set", "instance", instanceId, "--no-policy"])
            #expect(unlinked["updatePolicy"].isNull)
            #expect(unlinked["desiredOs"].isNull)

            // Now the policy can go, by name.
            let deleted = await cli.run(["delete", "osupdatepolicy", "emt-to-0602"])
            #expect(deleted.code == 0, "\(deleted)")
            #expect(deleted.out == "deleted osupdatepolicy \(policyId)\n")
            let gone = await cli.run(["get", "osupdatepolicy", policyId])
            #expect(gone.code == 1)
            #expect(gone.err.contains("(NotFound, HTTP 404)"), "\(gone)")

            // Taking the fleet down again, by name and by ID, in the order the server allows.
            let siteInUse = await cli.run(["delete", "site", "berlin"])
            #expect(siteInUse.code == 1)
            #expect(siteInUse.err.contains("(FailedPrecondition, HTTP 400)"), "\(siteInUse)")
            for (noun, target, id) in [
                ("schedule", "weekly", weeklyId), ("instance", instanceId, instanceId), ("host", "edge-1", hostId),
                ("site", "berlin", siteId), ("region", "eu-west", region), ("osprofile", oldOS, oldOS),
            ] {
                let result = await cli.run(["delete", noun, target])
                #expect(result.out == "deleted \(noun) \(id)\n", "\(noun) \(target): \(result)")
            }
            let hosts = try await cli.json(["list", "hosts"])
            #expect(hosts["hosts"].array.isEmpty)
        }
    }

    @Test func errorsNameTheFieldTheRuleAndTheStatus() async throws {
        try await LiveServer.with { server in
            let cli = CLI(server: server)
            try await cli.login()

            let badName = await cli.run(["create", "region", "--name", "bad name!"])
            #expect(badName.code == 1)
            #expect(
                badName.err
                    == "error: name: must match ^[a-zA-Z-_0-9./: ]+$; \"!\" is not allowed (InvalidArgument, HTTP 400)\n",
                "\(badName)"
            )

            let badSha = await cli.run([
                "create", "osprofile", "--name", "x", "--profile", "p", "--version", "1", "--sha256", "nothex",
                "--type",
                "mutable",
            ])
            #expect(badSha.code == 1)
            #expect(badSha.err.contains("sha256"), "\(badSha)")
            #expect(badSha.err.contains("(InvalidArgument, HTTP 400)"))

            let unknown = await cli.run(["get", "host", "host-0badc0de"])
            #expect(unknown.code == 1)
            #expect(unknown.err.contains("not found (NotFound, HTTP 404)"), "\(unknown)")

            let noName = await cli.run(["get", "osupdatepolicy", "no-such-policy"])
            #expect(noName.code == 1)
            #expect(noName.err.contains("error: no osupdatepolicy has the ID or name \"no-such-policy\""), "\(noName)")

            let badPage = await cli.run(["list", "hosts", "--page-size", "0"])
            #expect(badPage.code == 1)
            #expect(badPage.err.contains("pageSize"), "\(badPage)")
            #expect(badPage.err.contains("HTTP 400"))

            // Mistakes the CLI catches before sending anything: usage errors, exit code 64.
            let noStart = await cli.run(["create", "schedule", "x", "--host", "edge-1"])
            #expect(noStart.code == 64)
            #expect(noStart.err.contains("give --start for a single window"), "\(noStart)")
            let badDuration = await cli.run(["create", "schedule", "x", "--start", "now+1h", "--duration", "soon"])
            #expect(badDuration.code == 64)
            #expect(badDuration.err.contains("--duration: \"soon\" is not a duration"), "\(badDuration)")
            let past = await cli.run(["create", "schedule", "x", "--start", "2020-01-01T00:00:00Z"])
            #expect(past.code == 64)
            #expect(past.err.contains("--start: 2020-01-01 00:00:00 +00:00 is not in the future"), "\(past)")
            let latestWithTarget = await cli.run([
                "create", "osupdatepolicy", "p", "--type", "latest", "--target-os", "x",
            ])
            #expect(latestWithTarget.code == 64)
            #expect(latestWithTarget.err.contains("--target-os: a latest policy takes no other option"))
            let badZone = await cli.run(["list", "hosts", "--timezone", "Mars/Olympus"])
            #expect(badZone.code == 64)
            #expect(badZone.err.contains("--timezone: \"Mars/Olympus\" must be an IANA time zone id"))

            // A token the server refuses: the status and the way out.
            let refused = await cli.run(["list", "hosts", "--token", "not-a-token"])
            #expect(refused.code == 1)
            #expect(refused.err.contains("(Unauthenticated, HTTP 401)"), "\(refused)")
            #expect(refused.err.contains("hint: the token given with --token was refused; run day2ctl login"))

            // Nothing listens there: the error names the URL.
            let port = try LiveServer.freePort()
            let down = await cli.run(["list", "hosts", "--url", "http://127.0.0.1:\(port)", "--token", "x"])
            #expect(down.code == 1)
            #expect(
                down.err.contains("error: cannot connect to http://127.0.0.1:\(port): connection refused"),
                "\(down)"
            )

            let otherProject = await cli.run(["list", "hosts", "--project", "no-such-project"])
            #expect(otherProject.code == 1)
            #expect(otherProject.err.contains("(NotFound, HTTP 404)"), "\(otherProject)")
        }
    }

    @Test func pagingOrderingFilteringAndOutputFormats() async throws {
        try await LiveServer.with { server in
            var cli = CLI(server: server)
            try await cli.login()
            var created: [String] = []
            for name in ["r-c", "r-a", "r-e", "r-b", "r-d"] {
                created.append(try await cli.id(["create", "region", "--name", name]))
            }
            let page = await cli.run(["list", "regions", "--page-size", "2", "--order-by", "name", "-o", "json"])
            #expect(page.code == 0)
            let pageJSON = try #require(JSONValue.parse(page.out))
            #expect(pageJSON["regions"].array.map { $0["name"].text } == ["r-a", "r-b"])
            #expect(page.err.contains("showing 2 of 5; use --all, or --offset 2 for the next page"))

            let second = try await cli.json([
                "list", "regions", "--page-size", "2", "--offset", "2", "--order-by", "name",
            ])
            #expect(second["regions"].array.map { $0["name"].text } == ["r-c", "r-d"])

            let all = try await cli.json(["list", "regions", "--all", "--page-size", "2", "--order-by", "name desc"])
            #expect(all["regions"].array.map { $0["name"].text } == ["r-e", "r-d", "r-c", "r-b", "r-a"])
            #expect(all["hasNext"] == .bool(false))

            let filtered = await cli.run(["list", "regions", "--filter", "name=\"r-d\"", "-q"])
            #expect(filtered.out == created[4] + "\n")

            let table = await cli.run(["list", "regions", "--order-by", "name"])
            let lines = table.out.split(separator: "\n")
            #expect(lines.first?.hasPrefix("RESOURCE ID") == true)
            #expect(lines.count == 6)
            #expect(lines[1].contains("r-a"))

            let yaml = await cli.run(["get", "region", "r-a", "-o", "yaml"])
            #expect(yaml.out.hasPrefix("resourceId: region-"))
            #expect(yaml.out.contains("\nname: r-a\n"))
            #expect(yaml.out.contains("parentRegion: null"))

            // The noun may come first, and DAY2_PROJECT picks the project.
            let nounFirst = await cli.run(["regions", "list", "-q"])
            #expect(Set(nounFirst.out.split(separator: "\n").map(String.init)) == Set(created))
            let project = try await cli.json(["create", "project", "team-b"])
            #expect(project["name"].string == "team-b")
            cli.extraEnvironment["DAY2_PROJECT"] = "team-b"
            let empty = await cli.run(["list", "regions"])
            #expect(empty.code == 0)
            #expect(empty.err.contains("no resources found"), "\(empty)")
        }
    }

    /// The real executable: login with the password piped in, JSON out, exit codes, help.
    @Test func theExecutableWorksAsAProcess() async throws {
        try await LiveServer.with { server in
            let binary = try LiveServer.binaryFolder() + "/day2ctl"
            #expect(FileManager.default.isExecutableFile(atPath: binary), "day2ctl is not built at \(binary)")
            let environment = [
                "DAY2CTL_CONFIG": server.folder + "/process-config.json", "HOME": server.folder, "TZ": "UTC",
            ]
            let login = try runProcess(
                binary,
                ["login", "--url", server.url, "--password-stdin"],
                stdin: server.adminPassword + "\n",
                environment: environment
            )
            #expect(login.code == 0, "\(login)")
            #expect(login.out.contains("logged in to \(server.url) as admin"))

            let created = try runProcess(
                binary,
                ["create", "region", "--name", "from-process", "-q"],
                environment: environment
            )
            #expect(created.code == 0, "\(created)")
            let list = try runProcess(binary, ["list", "regions", "-o", "json"], environment: environment)
            #expect(list.code == 0)
            let json = try #require(JSONValue.parse(list.out))
            #expect(
                json["regions"].array.map { $0["resourceId"].text } == [created.out.trimmingCharacters(in: .newlines)]
            )

            let missing = try runProcess(binary, ["get", "region", "region-00000000"], environment: environment)
            #expect(missing.code == 1)
            #expect(missing.err.contains("(NotFound, HTTP 404)"))

            let usage = try runProcess(binary, ["create", "region"], environment: environment)
            #expect(usage.code == 64)
            #expect(usage.err.contains("Missing expected argument '--name <name>'"), "\(usage)")

            let help = try runProcess(binary, ["create", "schedule", "--help"], environment: environment)
            #expect(help.code == 0)
            for option in [
                "--start", "--end", "--duration", "--cron", "--day-of-week", "--timezone", "--host", "--site",
                "--region", "--project", "--url", "--token", "--insecure", "--ca-file", "--output", "--dry-run",
            ] {
                #expect(help.out.contains(option), "create schedule --help does not document \(option)")
            }
        }
    }

    /// Runs `binary` with `arguments`, feeding `stdin`, and returns exit code and output.
    private func runProcess(
        _ binary: String,
        _ arguments: [String],
        stdin: String = "",
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
