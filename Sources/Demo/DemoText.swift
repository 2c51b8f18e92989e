import Day2Model
import Foundation
import Orchestrator

/// The demo's words on the terminal: pure functions of what happened, so tests can read them.
public enum DemoText {
    /// The address clients dial for a bind address, without brackets (a wildcard means this machine's loopback).
    public static func dialHost(_ bindHost: String) -> String {
        if ["", "0.0.0.0", "::", "[::]"].contains(bindHost) { return "127.0.0.1" }
        return bindHost.hasPrefix("[") && bindHost.hasSuffix("]") ? String(bindHost.dropFirst().dropLast()) : bindHost
    }

    /// The address clients use in a URL for a bind address (an IPv6 address in brackets).
    public static func clientHost(_ bindHost: String) -> String {
        let host = dialHost(bindHost)
        return host.contains(":") ? "[\(host)]" : host
    }

    /// `http://host:port`.
    public static func baseURL(configuration: OrchestratorConfiguration, httpPort: Int) -> String {
        "http://\(clientHost(configuration.httpHost)):\(httpPort)"
    }

    /// `1m05s`, `42s` or `500ms`.
    public static func duration(_ seconds: Double) -> String {
        if seconds > 0 && seconds < 1 { return "\(Int((seconds * 1000).rounded()))ms" }
        let whole = Int(seconds.rounded())
        return whole >= 60 ? "\(whole / 60)m\(String(format: "%02d", whole % 60))s" : "\(whole)s"
    }

    /// The sign-in text: the generated password itself, or a pointer to the one given.
    public static func signIn(password: String, generated: Bool) -> String {
        generated ? "user admin, password \(password)" : "user admin, the password given with --admin-password"
    }

    /// What is about to run, written once the servers listen and the fleet exists.
    public static func banner(
        fleet: DemoFleet,
        settings: DemoSettings,
        baseURL: String,
        signIn: String,
        dataDirectory: String,
        now: Date
    ) -> String {
        let immutable = fleet.nodes.filter { $0.kind == .immutable }.count
        let failing = fleet.nodes.filter(\.failsFirstBoot).count
        let opensIn = Double(fleet.windowStart) - now.timeIntervalSince1970
        let formatter = DateFormatter()
        formatter.dateFormat = "HH:mm:ss"
        let opensAt = formatter.string(from: Date(timeIntervalSince1970: TimeInterval(fleet.windowStart)))
        let regions = DemoNode.layout.map(\.region)
        var lines = [
            "",
            "Day2 demo: \(fleet.nodes.count) simulated edge nodes in \(regions.count) regions and "
                + "\(DemoNode.layout.flatMap(\.sites).count) sites: \(immutable) immutable (A/B images, policy "
                + "\(DemoFleet.latestPolicy): \(DemoRelease.olderVersion) → \(DemoRelease.newerVersion)) and "
                + "\(fleet.nodes.count - immutable) Ubuntu (policy \(DemoFleet.packagesPolicy): apt)",
        ]
        if failing > 0 {
            lines.append(
                "  \(failing) immutable node\(failing == 1 ? "" : "s") will fail to boot the new image and roll back"
            )
        }
        if let rollout = fleet.rollout {
            let sizes = rollout.waves.map { "\($0.total)" }.joined(separator: ", ")
            lines.append(
                "  rollout   \(rollout.resourceId): the immutable nodes in \(rollout.waves.count) "
                    + "wave\(rollout.waves.count == 1 ? "" : "s") of \(sizes) hosts, each wave once the one before "
                    + "has updated; the first failure pauses it"
            )
            if failing > 0 {
                lines.append("            the failing nodes are in the canary (wave 1), so the rollout will pause")
            }
        }
        lines += [
            "  Web UI    \(baseURL)/ui  (\(signIn))",
            "  window    opens at \(opensAt) (in \(duration(max(0, opensIn)))) on regions \(regions.joined(separator: " and "))",
            "  state     \(dataDirectory) (each node's files in \((dataDirectory as NSString).appendingPathComponent("nodes"))/)",
            "Rollout (each node polls every \(duration(settings.pollIntervalSeconds)); watch it in the UI too):",
        ]
        return lines.joined(separator: "\n") + "\n"
    }

    /// The live progress line (no newline); `downloadedAhead` of the `UPDATING` nodes wait for the window with
    /// their image downloaded. With a `width`, the richest form that fits is chosen (a line redrawn in place must
    /// not wrap): without the bar, then without the download note, then cut.
    public static func progressLine(
        counts: [NodePhase: Int],
        downloadedAhead: Int = 0,
        total: Int,
        elapsed: Double,
        windowOpensIn: Double,
        width: Int? = nil
    ) -> String {
        let done = (counts[.updated] ?? 0) + (counts[.failed] ?? 0)
        let barWidth = 20
        let filled = total == 0 ? barWidth : done * barWidth / total
        let bar = "[" + String(repeating: "#", count: filled) + String(repeating: ".", count: barWidth - filled) + "] "
        func phases(note: Bool) -> String {
            NodePhase.allCases.map { phase in
                let ahead =
                    note && phase == .updating && downloadedAhead > 0 ? " (\(downloadedAhead) downloaded ahead)" : ""
                return "\(phase.rawValue) \(counts[phase] ?? 0)\(ahead)"
            }.joined(separator: "  ")
        }
        let window = windowOpensIn > 0 ? "window opens in \(duration(windowOpensIn))" : "window open"
        let tail = "  (\(duration(elapsed)), \(window))"
        let forms = [
            "  \(bar)\(done)/\(total)  \(phases(note: true))\(tail)",
            "  \(done)/\(total)  \(phases(note: true))\(tail)",
            "  \(done)/\(total)  \(phases(note: false))\(tail)",
        ]
        guard let width else { return forms[0] }
        return forms.first { $0.count < width } ?? String(forms[2].prefix(max(1, width - 1)))
    }

    /// What the terminal says when the rollout pauses: why, and how to go on.
    public static func paused(_ rollout: Rollout, baseURL: String) -> String {
        """

        rollout \(rollout.resourceId) PAUSED: \(rollout.stateReason)
          resume it (accepting the failures so far) with
            day2ctl rollouts resume \(rollout.resourceId)
          or the Resume button on \(baseURL)/ui/#/rollouts/\(rollout.resourceId)
          or curl -X POST -H "Authorization: Bearer $TOKEN" \(baseURL)/v1/projects/default/rollouts/\(rollout.resourceId)/resume

        """
    }

    /// One line when the rollout changes state or opens a wave.
    public static func rolloutLine(_ rollout: Rollout) -> String {
        let wave = rollout.currentWave + 1
        switch rollout.state {
        case .running: return "rollout \(rollout.resourceId): wave \(wave) of \(rollout.waves.count) open"
        case .succeeded: return "rollout \(rollout.resourceId): SUCCEEDED"
        default:
            return "rollout \(rollout.resourceId): \(rollout.state.rawValue)"
                + (rollout.stateReason.isEmpty ? "" : " (\(rollout.stateReason))")
        }
    }

    /// The end of the rollout: counts, the inventory's verdict, and the failed nodes.
    public static func summary(_ report: RolloutReport) -> String {
        let failed = report.outcomes.filter { $0.phase == .failed }
        let rolledBack = failed.filter(\.rolledBack).count
        var head =
            "rollout complete: \(report.count(.updated)) UPDATED, \(report.count(.failed)) FAILED"
        if rolledBack > 0 { head += " (\(rolledBack) rolled back to the old image)" }
        head +=
            " in \(duration(report.secondsAfterWindow)) after the window opened (\(duration(report.secondsSinceStart)) since start)"
        var lines = [head]
        if report.inventoryAgrees {
            lines.append("  the inventory agrees with every node")
        } else {
            lines.append("  the inventory disagrees:")
            for outcome in report.outcomes {
                if let problem = outcome.disagreement { lines.append("    \(outcome.node.name): \(problem)") }
            }
        }
        for outcome in failed.prefix(10) {
            let reason = outcome.failureReason.isEmpty ? "" : " (\(outcome.failureReason))"
            let what = outcome.rolledBack ? "did not boot the new image\(reason); rolled back" : "failed\(reason)"
            lines.append("  \(outcome.node.name) \(what)")
        }
        if failed.count > 10 { lines.append("  … and \(failed.count - 10) more failed nodes") }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Where to look next, and how to stop.
    public static func whereToLook(
        baseURL: String,
        password: String,
        generated: Bool,
        dataDirectory: String,
        project: String,
        exampleHost: String
    ) -> String {
        let login =
            generated
            ? "echo '\(password)' | day2ctl login --server \(baseURL) --password-stdin"
            : "day2ctl login --server \(baseURL) --username admin      # asks for the password"
        return """

            Where to look:
              Web UI    \(baseURL)/ui  (\(signIn(password: password, generated: generated)))
                        hosts and their "OS update available" mark; open a host for its Update History
              REST API  \(baseURL)/v1/projects/\(project)/compute/hosts (bearer token from \(baseURL)/realms/master/protocol/openid-connect/token)
                        \(baseURL)/openapi.json, \(baseURL)/metrics
              day2ctl   swift build --product day2ctl && export PATH="$PWD/.build/debug:$PATH"
                        \(login)
                        day2ctl list hosts
                        day2ctl list runs
                        day2ctl rollouts list
                        day2ctl get host \(exampleHost)
                        day2ctl list osprofiles
                        day2ctl list schedules --region europe
              nodes     \((dataDirectory as NSString).appendingPathComponent("nodes"))/<host>/ (metadata, boot loader, slots, packages)
            Serving until Ctrl-C.

            """
    }
}
