import AgentCore
import Demo
import Foundation
import Orchestrator
import Testing

@Suite("Demo settings, node plan, state folder and progress")
struct DemoSettingsTests {
    @Test(
        "the node plan: a third Ubuntu, every site used, failing nodes spread over the immutable ones",
        arguments: [1, 2, 3, 6, 50]
    )
    func plan(nodes: Int) throws {
        var settings = DemoSettings()
        settings.nodes = nodes
        settings.failNodes = min(3, settings.immutableNodes)
        let plan = DemoNode.plan(settings)
        #expect(plan.count == nodes)
        #expect(plan.filter { $0.kind == .mutable }.count == settings.mutableNodes)
        #expect(settings.mutableNodes == (nodes >= 3 ? nodes / 3 : nodes - 1))
        #expect(Set(plan.map(\.uuid)).count == nodes)
        #expect(Set(plan.map(\.name)).count == nodes)
        let failing = plan.filter(\.failsFirstBoot)
        #expect(failing.count == settings.failNodes)
        #expect(failing.allSatisfy { $0.kind == .immutable })
        if nodes >= 4 {
            #expect(Set(plan.map(\.site)).count == 4)
        }
        for node in plan {
            var raw = RawAgentConfiguration()
            raw.GUID = node.uuid
            raw.updateServiceURL = "http://127.0.0.1:1"
            raw.metadataPath = "/m.json"
            raw.jwt = .init(accessTokenPath: "/t")
            _ = try AgentConfiguration(raw: raw)  // the UUID is one an agent accepts
        }
    }

    @Test(
        "a bad demo flag is refused, naming the flag",
        arguments: [
            (["--nodes": "many"], "--nodes:"),
            (["--nodes": "0"], "--nodes:"),
            (["--nodes": "1001"], "--nodes:"),
            (["--fail-nodes": "-1"], "--fail-nodes:"),
            (["--nodes": "6", "--fail-nodes": "5"], "--fail-nodes:"),
            (["--window-in": "soon"], "--window-in:"),
            (["--window-in": "2h"], "--window-in:"),
            (["--poll-interval": "0"], "--poll-interval:"),
            (["--poll-interval": "5 minutes"], "--poll-interval:"),
        ]
    )
    func badFlags(flags: [String: String], prefix: String) {
        do {
            _ = try DemoSettings(flags: flags)
            Issue.record("accepted \(flags)")
        } catch {
            #expect(error.description.hasPrefix(prefix), "\(error.description)")
            #expect(error.code == .badFlag)
        }
    }

    @Test("the demo's flags are read")
    func goodFlags() throws {
        let settings = try DemoSettings(flags: [
            "--nodes": "12", "--fail-nodes": "2", "--window-in": "1m", "--poll-interval": "500ms",
        ])
        #expect(settings.nodes == 12 && settings.failNodes == 2)
        #expect(settings.windowDelaySeconds == 60 && settings.pollIntervalSeconds == 0.5)
        #expect(try DemoSettings(flags: [:]) == DemoSettings())
    }

    @Test(
        "settings the demo owns are refused, naming the flag",
        arguments: [
            "--database", "--release-service-url", "--os-profile-revision", "--enabled-profiles", "--grpc-tls-cert",
            "--http-tls-cert", "--default-project",
        ]
    )
    func ownedSettings(flag: String) {
        var configuration = OrchestratorConfiguration.demoDefaults
        switch flag {
        case "--database": configuration.database = "postgres://u@h/db"
        case "--release-service-url": configuration.releaseServiceURL = "http://r:5000"
        case "--os-profile-revision": configuration.osProfileRevision = "1.0.0"
        case "--enabled-profiles": configuration.enabledProfiles = ["x"]
        case "--grpc-tls-cert": configuration.grpcTLSCert = "c.pem"
        case "--http-tls-cert": configuration.httpTLSCert = "c.pem"
        default: configuration.defaultProject = ""
        }
        do {
            _ = try configuration.preparedForDemo()
            Issue.record("accepted a configuration with \(flag)")
        } catch {
            #expect(error.description.hasPrefix(flag + ":"), "\(error.description)")
        }
    }

    @Test("prepared for the demo: built-in Release Service in the state folder, a generated password and secret")
    func prepared() throws {
        let prepared = try OrchestratorConfiguration.demoDefaults.preparedForDemo()
        #expect(prepared.dataDirectory == "./day2-demo")
        #expect(prepared.releaseDirectory == "./day2-demo/release")
        #expect(prepared.runsOSResourceManager)
        #expect(prepared.enabledProfiles == DemoRelease.profiles)
        #expect(prepared.adminPassword.count >= 8 && prepared.jwtSecret.utf8.count >= 32)
        var given = OrchestratorConfiguration.demoDefaults
        given.adminPassword = "my-own-password"
        given.releaseDirectory = "/srv/release"
        let kept = try given.preparedForDemo()
        #expect(kept.adminPassword == "my-own-password" && kept.releaseDirectory == "/srv/release")
    }

    @Test("the state folder: an earlier demo's folder is emptied, any other non-empty folder is refused")
    func stateFolder() throws {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("day2-demo-folder-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        try DemoFolder.prepare(root)  // new
        try Data("x".utf8).write(to: URL(fileURLWithPath: root + "/day2.sqlite"))
        try DemoFolder.prepare(root)  // the demo's own: emptied
        #expect(try FileManager.default.contentsOfDirectory(atPath: root) == [DemoFolder.marker])

        let other = root + "/other"
        try FileManager.default.createDirectory(atPath: other, withIntermediateDirectories: true)
        try Data("keep me".utf8).write(to: URL(fileURLWithPath: other + "/notes.txt"))
        #expect(throws: DemoError.self) { try DemoFolder.prepare(other) }
        do {
            try DemoFolder.prepare(other)
        } catch {
            #expect(error.description.hasPrefix("--data-dir:"))
        }
        #expect(FileManager.default.fileExists(atPath: other + "/notes.txt"))
    }

    @Test("a node's phase follows its reports; UPDATED and FAILED stay")
    func phases() {
        #expect(NodePhase.upToDate.after(.downloading) == .updating)
        #expect(NodePhase.updating.after(.started) == .updating)
        #expect(NodePhase.updating.after(.updated) == .updated)
        #expect(NodePhase.updated.after(.upToDate) == .updated)
        #expect(NodePhase.updating.after(.failed) == .failed)
        #expect(NodePhase.failed.after(.failed) == .failed)
        #expect(NodePhase.failed.after(.downloading) == .failed)
        #expect(NodePhase.upToDate.after(.upToDate) == .upToDate)

        let progress = RolloutProgress(guids: ["a", "b"])
        progress.record(StatusReport(hostGUID: "a", status: .started))
        progress.record(StatusReport(hostGUID: "a", status: .updated, detail: "{}"))
        progress.record(StatusReport(hostGUID: "a", status: .upToDate))
        progress.record(StatusReport(hostGUID: "unknown", status: .failed))
        #expect(progress.counts() == [.upToDate: 1, .updating: 0, .updated: 1, .failed: 0])
        #expect(!progress.isComplete)
        progress.record(StatusReport(hostGUID: "b", status: .failed))
        #expect(progress.isComplete)
    }

    @Test("addresses clients dial and put in URLs, for every kind of bind address")
    func hosts() {
        #expect(DemoText.dialHost("0.0.0.0") == "127.0.0.1" && DemoText.clientHost("::") == "127.0.0.1")
        #expect(DemoText.dialHost("::1") == "::1" && DemoText.dialHost("[::1]") == "::1")
        #expect(DemoText.clientHost("::1") == "[::1]" && DemoText.clientHost("[::1]") == "[::1]")
        #expect(DemoText.clientHost("10.0.0.5") == "10.0.0.5")
    }

    @Test("the progress line counts every phase")
    func progressLine() {
        let line = DemoText.progressLine(
            counts: [.upToDate: 1, .updating: 2, .updated: 3, .failed: 4],
            total: 10,
            elapsed: 65,
            windowOpensIn: -1
        )
        #expect(line.contains("7/10"))
        #expect(line.contains("UP_TO_DATE 1  UPDATING 2  UPDATED 3  FAILED 4"))
        #expect(line.contains("1m05s") && line.contains("window open"))

        // A line redrawn in place never wraps: the bar and the note go first, the counts stay.
        let full = DemoText.progressLine(
            counts: [.upToDate: 10, .updating: 34, .updated: 6, .failed: 0],
            downloadedAhead: 30,
            total: 50,
            elapsed: 12,
            windowOpensIn: 18
        )
        #expect(full.contains("[") && full.contains("(30 downloaded ahead)"))
        for width in [200, full.count, 90, 80, 40] {
            let fitted = DemoText.progressLine(
                counts: [.upToDate: 10, .updating: 34, .updated: 6, .failed: 0],
                downloadedAhead: 30,
                total: 50,
                elapsed: 12,
                windowOpensIn: 18,
                width: width
            )
            #expect(fitted.count < width, "\(width): \(fitted)")
            if width >= 80 { #expect(fitted.contains("FAILED 0"), "\(width): \(fitted)") }
        }
    }
}
