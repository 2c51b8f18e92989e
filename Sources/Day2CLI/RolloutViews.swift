import Foundation

/// How rollouts, their waves, their hosts and their previews read in tables: pure functions of the API's JSON and
/// the zone times are shown in.
enum RolloutViews {
    // MARK: Words

    /// `ROLLOUT_STATE_RUNNING` → `running`.
    static func state(_ value: JSONValue) -> String { Views.enumWord(value, prefix: "ROLLOUT_STATE_") }

    /// `WAVE_STATE_SOAKING` → `soaking`.
    static func waveState(_ value: JSONValue) -> String { Views.enumWord(value, prefix: "WAVE_STATE_") }

    /// `ROLLOUT_HOST_STATE_FAILED` → `failed`.
    static func hostState(_ value: JSONValue) -> String { Views.enumWord(value, prefix: "ROLLOUT_HOST_STATE_") }

    /// A time in `zone`, empty for 0 or none.
    static func time(_ value: JSONValue, _ zone: TimeZone) -> String {
        guard let seconds = value.int, seconds > 0 else { return "" }
        return TimeText.display(seconds, in: zone)
    }

    /// The size a wave was asked for: `5`, `25%`, or `rest` for a last wave of 100 %.
    static func size(_ wave: JSONValue, last: Bool) -> String {
        // The API sends both, the one not asked for as 0.
        if let hosts = wave["hosts"].int, hosts > 0 { return String(hosts) }
        if let percent = wave["percent"].int, percent > 0 { return last && percent == 100 ? "rest" : "\(percent)%" }
        return ""
    }

    /// The target set: `region region-…`, `site site-…`, `hosts host-a, host-b`, or `filter …`.
    static func target(_ rollout: JSONValue) -> String {
        if let id = rollout["regionId"].string, !id.isEmpty { return "region " + id }
        if let id = rollout["siteId"].string, !id.isEmpty { return "site " + id }
        let hosts = rollout["hostIds"].array.map(\.text)
        if !hosts.isEmpty {
            let shown = hosts.prefix(5).joined(separator: ", ")
            return "hosts " + shown + (hosts.count > 5 ? " and \(hosts.count - 5) more" : "")
        }
        if let filter = rollout["filter"].string, !filter.isEmpty { return "filter " + filter }
        return ""
    }

    /// `2/3`: the highest wave opened of all; `0/3` before the first opens.
    static func wave(_ rollout: JSONValue) -> String {
        "\(rollout["currentWave"].int ?? 0)/\(rollout["waves"].array.count)"
    }

    /// Hosts in `state` (`updated`, `failed`, …) over every wave.
    static func count(_ rollout: JSONValue, _ state: String) -> Int64 {
        rollout["waves"].array.reduce(0) { $0 + ($1[state].int ?? 0) }
    }

    /// `1 host`, `12 hosts`.
    static func counted(_ count: Int64, _ noun: String) -> String { "\(count) \(noun)" + (count == 1 ? "" : "s") }

    /// `100%`.
    static func percent(_ value: JSONValue) -> String { value.int.map { "\($0)%" } ?? "" }

    // MARK: Rollouts

    /// The columns of `day2ctl rollouts list`.
    static func columns(zone: TimeZone) -> [Column] {
        [
            .field("RESOURCE ID", "resourceId"), .field("NAME", "name"), Column("STATE") { state($0["state"]) },
            Column("WAVE") { wave($0) }, .field("HOSTS", "totalHosts"),
            Column("UPDATED") { String(count($0, "updated")) }, Column("FAILED") { String(count($0, "failed")) },
            Column("SKIPPED") { String(count($0, "skipped")) }, Column("START") { time($0["startSeconds"], zone) },
            .field("REASON", "stateReason"),
        ]
    }

    /// The table of a rollout's waves.
    static func waves(_ rollout: JSONValue, zone: TimeZone) -> Table {
        let waves = rollout["waves"].array
        let rows = waves.enumerated().map { index, wave in
            [
                String(index + 1), size(wave, last: index == waves.count - 1), waveState(wave["state"]),
                wave["total"].text, wave["updated"].text, wave["failed"].text, wave["updating"].text,
                wave["pending"].text, wave["skipped"].text, time(wave["startTime"], zone), time(wave["endTime"], zone),
            ]
        }
        return Table(
            headers: [
                "WAVE", "SIZE", "STATE", "TOTAL", "UPDATED", "FAILED", "UPDATING", "PENDING", "SKIPPED", "START", "END",
            ],
            rows: rows
        )
    }

    /// How the hosts get their windows.
    static func windows(_ rollout: JSONValue) -> String {
        if rollout["respectMaintenanceWindows"] == .bool(false) {
            let seconds = rollout["windowSeconds"].int ?? 0
            return "opened by the rollout when a wave opens, \(TimeText.duration(seconds)) each"
        }
        return "the hosts' own maintenance windows (host, site, regions)"
    }

    /// The labelled lines of `day2ctl rollouts get`, the waves table last.
    static func details(_ rollout: JSONValue, zone: TimeZone) -> [(String, String)] {
        [
            ("Resource ID", rollout["resourceId"].text), ("Name", rollout["name"].text),
            ("State", state(rollout["state"])), ("Reason", rollout["stateReason"].text),
            ("OS update policy", rollout["osUpdatePolicyId"].text), ("Target", target(rollout)),
            ("Hosts", rollout["totalHosts"].text), ("Current wave", wave(rollout)),
            ("Success threshold", percent(rollout["successThreshold"])),
            ("Failure threshold", percent(rollout["failureThreshold"])),
            ("Soak", rollout["soakSeconds"].int.map(TimeText.duration) ?? ""),
            ("Commit deadline", rollout["commitDeadlineSeconds"].int.map(TimeText.duration) ?? ""),
            ("Start", time(rollout["startSeconds"], zone)), ("Windows", windows(rollout)),
            ("Created", timestamp(rollout["timestamps"]["createdAt"], zone)),
            ("Updated", timestamp(rollout["timestamps"]["updatedAt"], zone)),
            ("Waves", waves(rollout, zone: zone).rendered),
        ]
    }

    /// An RFC 3339 timestamp of the API in `zone`.
    static func timestamp(_ value: JSONValue, _ zone: TimeZone) -> String {
        guard let text = value.string, let date = TimeText.parseRFC3339(text) else { return value.text }
        return TimeText.display(Int64(date.timeIntervalSince1970.rounded(.down)), in: zone)
    }

    // MARK: Hosts

    /// The longest reason detail a table shows (`-o json` has all of it).
    static let detailLength = 100

    /// A reason detail for a table: the agent's `failure_log` when the detail is its update log (JSON), else the
    /// text, cut to ``detailLength`` characters.
    static func shortDetail(_ detail: String) -> String {
        var text = detail
        if detail.hasPrefix("{"), let log = JSONValue.parse(detail)?["update_log"].array.first {
            let failure = log["failure_log"].text.isEmpty ? log["failure_reason"].text : log["failure_log"].text
            if !failure.isEmpty { text = failure }
        }
        return text.count > detailLength ? String(text.prefix(detailLength - 1)) + "…" : text
    }

    /// `update-failed: disk full`, `deadline`, `already-on-target`, or empty.
    static func reason(_ host: JSONValue) -> String {
        let reason = host["reason"].text
        let detail = shortDetail(host["reasonDetail"].text)
        switch (reason.isEmpty, detail.isEmpty) {
        case (true, true): return ""
        case (false, true): return reason
        case (true, false): return detail
        case (false, false): return reason + ": " + detail
        }
    }

    /// The columns of `day2ctl rollouts hosts`.
    static func hostColumns(zone: TimeZone) -> [Column] {
        [
            .field("HOST ID", "hostId"), .field("NAME", "hostName"), .field("SITE ID", "siteId"),
            .field("WAVE", "wave"), Column("STATE") { hostState($0["state"]) }, Column("REASON") { reason($0) },
            .field("RUN", "runId"), Column("STARTED") { time($0["startedAt"], zone) },
            Column("ENDED") { time($0["endedAt"], zone) },
        ]
    }

    // MARK: Previews

    /// A preview host's earliest start on the UTC clock and on the clock of its window's zone.
    static func earliestStart(_ host: JSONValue) -> (utc: String, local: String) {
        guard let seconds = host["earliestStart"].int, seconds > 0 else { return ("no window", "") }
        let utc = TimeZone(identifier: "UTC") ?? TimeZone(secondsFromGMT: 0) ?? .current
        let zoneName = host["timeZone"].text
        let local: String
        if let zone = TimeZone(identifier: zoneName) {
            local = TimeText.display(seconds, in: zone) + " " + zoneName
        } else {
            local = host["earliestStartLocal"].text + (zoneName.isEmpty ? "" : " " + zoneName)
        }
        return (TimeText.display(seconds, in: utc), local)
    }

    /// What `--preview` and `day2ctl rollouts preview` print: the waves with their earliest start and finish, the
    /// skipped hosts by reason, and the first hosts with their wave, OS offer and earliest start.
    static func preview(_ preview: JSONValue, zone: TimeZone, command: String) -> String {
        let waves = preview["waves"].array
        let finish = preview["earliestFinish"].int ?? 0
        var lines = [
            "plan: \(counted(preview["totalHosts"].int ?? 0, "host")) in \(counted(Int64(waves.count), "wave")); "
                + "earliest finish "
                + (finish > 0 ? TimeText.display(finish, in: zone) : "never (a wave cannot reach its threshold)")
        ]
        let waveRows = waves.enumerated().map { index, wave in
            [
                wave["wave"].int.map(String.init) ?? String(index + 1), wave["hosts"].text, wave["skipped"].text,
                (wave["earliestStart"].int ?? 0) > 0 ? time(wave["earliestStart"], zone) : "never",
                (wave["earliestFinish"].int ?? 0) > 0 ? time(wave["earliestFinish"], zone) : "never",
            ]
        }
        lines.append(
            Table(headers: ["WAVE", "HOSTS", "SKIPPED", "EARLIEST START", "EARLIEST FINISH"], rows: waveRows).rendered
        )
        let skipped = preview["skippedByReason"].array.filter { ($0["hosts"].int ?? 0) > 0 }
        lines.append("")
        if skipped.isEmpty {
            lines.append("skipped: none")
        } else {
            lines.append(
                "skipped: " + skipped.map { "\($0["hosts"].text) \($0["reason"].text)" }.joined(separator: ", ")
            )
        }
        let hosts = preview["hosts"].array
        guard !hosts.isEmpty else { return lines.joined(separator: "\n") }
        lines.append("")
        let rows = hosts.map { host in
            let start = earliestStart(host)
            let skippedHost = !host["reason"].text.isEmpty
            return [
                host["hostId"].text, host["hostName"].text, host["siteId"].text, host["wave"].text,
                skippedHost ? "skipped: " + host["reason"].text : hostState(host["state"]), host["offer"].text,
                skippedHost ? "" : start.utc, skippedHost ? "" : start.local,
            ]
        }
        lines.append(
            Table(
                headers: ["HOST ID", "NAME", "SITE ID", "WAVE", "STATE", "OS OFFER", "EARLIEST START (UTC)", "LOCAL"],
                rows: rows
            ).rendered
        )
        let total = preview["totalElements"].int ?? Int64(hosts.count)
        if total > Int64(hosts.count) {
            lines.append(
                "… and \(total - Int64(hosts.count)) more hosts (\(command) --first N shows more, -o json all fields)"
            )
        }
        return lines.joined(separator: "\n")
    }
}
