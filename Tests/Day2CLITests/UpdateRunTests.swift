import Authentication
import Day2CLI
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import SouthboundContract
import Testing

/// Update runs are written by the Maintenance Manager when an agent reports; here a test agent reports over the
/// real southbound port, and `day2ctl` shows the run in progress and then finished.
@Suite(.timeLimit(.minutes(5)))
struct UpdateRunTests {
    static let hostUUID = "9b2f0d1e-5a4c-4e3b-8f1a-2c3d4e5f6a7b"

    /// Sends one `PlatformUpdateStatus` as the node `hostUUID` with `status`.
    func report(
        _ status: Maintmgr_V1_UpdateStatus.StatusType,
        server: LiveServer,
        project: String
    ) async throws {
        let signer = try await TokenVerifier(hmacSecret: server.jwtSecret, jwksURL: nil)
        let token = try await signer.issue(
            Claims(
                subject: "agent",
                expires: Date().addingTimeInterval(600),
                roles: [Roles.role(project: project, suffix: Roles.agentSuffix)]
            )
        )
        var metadata = Metadata()
        metadata.addString("Bearer \(token)", forKey: "authorization")
        var request = Maintmgr_V1_PlatformUpdateStatusRequest()
        request.hostGuid = Self.hostUUID
        var update = Maintmgr_V1_UpdateStatus()
        update.statusType = status
        update.statusDetail = "reported by the test agent"
        request.updateStatus = update
        let sent = request
        try await withGRPCClient(
            transport: try HTTP2ClientTransport.Posix(
                target: .ipv4(address: "127.0.0.1", port: server.grpcPort),
                transportSecurity: .plaintext
            )
        ) { client in
            _ = try await Maintmgr_V1_MaintmgrService.Client(wrapping: client)
                .platformUpdateStatus(sent, metadata: metadata)
        }
    }

    /// The value on the `Label:` line of a detail view.
    func value(_ label: String, in text: String) -> String? {
        text.split(separator: "\n").first { $0.hasPrefix(label + ":") }
            .map { $0.dropFirst(label.count + 1).trimmingCharacters(in: .whitespaces) }
    }

    @Test func runsShowStatusStartEndDurationAndPolicy() async throws {
        try await LiveServer.with { server in
            let cli = CLI(server: server)
            try await cli.login()
            let project = try #require(
                try await cli.json(["list", "projects"])["projects"].array.first { $0["name"].string == "default" }?[
                    "id"
                ]
                .string
            )
            let sha = String(repeating: "e", count: 64)
            let os = try await cli.id([
                "create", "osprofile", "--name", "Ubuntu 22.04.5", "--profile", "ubuntu-22.04", "--version", "22.04.5",
                "--sha256", sha, "--type", "mutable",
            ])
            _ = try await cli.id(["create", "host", "--name", "edge-7", "--uuid", Self.hostUUID])
            let instance = try await cli.id(["create", "instance", "--host", "edge-7", "--os", os])
            let sources = server.folder + "/extra.sources"
            try """
            # two DEB822 stanzas
            Types: deb
            URIs: https://packages.example.com/ubuntu
            Suites: jammy
            Components: main

            Types: deb
            URIs: https://mirror.example.com/ubuntu
            Suites: jammy-updates
            Components: main universe
            """.write(toFile: sources, atomically: true, encoding: .utf8)
            let created = try await cli.json([
                "create", "osupdatepolicy", "pkgs", "--type", "target", "--packages", "tree,curl", "--packages", "htop",
                "--source-file", sources, "--kernel-command", "hugepages=2",
            ])
            let policy = created["resourceId"].text
            #expect(created["updatePackages"].string == "tree\ncurl\nhtop")
            #expect(created["updateKernelCommand"].string == "hugepages=2")
            #expect(
                created["updateSources"].array.map(\.text) == [
                    "Types: deb\nURIs: https://packages.example.com/ubuntu\nSuites: jammy\nComponents: main",
                    "Types: deb\nURIs: https://mirror.example.com/ubuntu\nSuites: jammy-updates\nComponents: main universe",
                ]
            )
            let link = await cli.run(["set", "instance", instance, "--policy", "pkgs"])
            #expect(link.code == 0, "\(link)")

            try await report(.started, server: server, project: project)
            let open = try await cli.json(["list", "runs", "--host", "edge-7"])
            let run = try #require(open["osUpdateRuns"].array.first)
            #expect(open["osUpdateRuns"].array.count == 1)
            #expect(run["status"].string == "Updating")
            #expect(run["appliedPolicy"]["resourceId"].string == policy)
            #expect(run["instance"]["resourceId"].string == instance)
            let table = await cli.run(["list", "runs", "--instance", instance])
            #expect(table.code == 0)
            let header = try #require(table.out.split(separator: "\n").first)
            #expect(
                header.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
                    == "RESOURCE ID NAME INSTANCE STATUS POLICY START END DURATION"
            )
            let row = try #require(table.out.split(separator: "\n").dropFirst().first.map(String.init))
            #expect(row.contains("Updating"))
            #expect(row.contains("pkgs"))
            #expect(row.contains("in progress"), "\(table)")

            try await report(.updated, server: server, project: project)
            let done = try await cli.json(["get", "run", run["resourceId"].text])
            #expect(done["status"].string == "Update completed")
            let start = try #require(done["startTime"].int)
            let end = try #require(done["endTime"].int)
            #expect(end >= start)
            let detail = await cli.run(["get", "osupdaterun", run["resourceId"].text])
            #expect(value("Status", in: detail.out) == "Update completed", "\(detail)")
            #expect(value("Applied policy", in: detail.out) == "pkgs (\(policy))")
            #expect(value("End", in: detail.out) == TimeText.display(end, in: TimeZone(identifier: "UTC")!))
            #expect(value("Duration", in: detail.out) == TimeText.duration(end - start))
            #expect(value("Status details", in: detail.out) == "reported by the test agent")

            let deleted = await cli.run(["delete", "runs", run["resourceId"].text])
            #expect(deleted.code == 0, "\(deleted)")
            let none = try await cli.json(["list", "runs"])
            #expect(none["osUpdateRuns"].array.isEmpty)
        }
    }
}
