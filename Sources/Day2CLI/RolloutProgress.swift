import Day2Model
import Foundation

/// What `day2ctl rollouts watch` shows and decides: a progress bar per wave, the lines that changed between two
/// looks at the rollout, and when to stop with which exit code. Pure functions of the API's JSON.
enum RolloutProgress {
    /// Whether to go on watching, and how the command ends when not.
    enum Outcome: Equatable {
        /// Not finished (scheduled, running, paused, or a state this client does not know).
        case watching
        /// SUCCEEDED: exit code 0.
        case succeeded
        /// FAILED: exit code 1.
        case failed
        /// CANCELLED: exit code 1.
        case cancelled

        /// The process exit code this outcome ends with; nil while watching.
        var exitCode: Int32? {
            switch self {
            case .watching: nil
            case .succeeded: 0
            case .failed, .cancelled: 1
            }
        }
    }

    /// The outcome for a rollout in `state` (the API's name, `ROLLOUT_STATE_…`).
    static func outcome(_ state: String) -> Outcome {
        switch RolloutState(rawValue: state) {
        case .succeeded: .succeeded
        case .failed: .failed
        case .cancelled: .cancelled
        case .scheduled, .running, .paused, nil: .watching
        }
    }

    /// Width of a wave's bar, in cells.
    static let barWidth = 20

    /// `[###--!>>..........]`: updated `#`, skipped `-`, failed `!`, updating `>`, still pending `.`, in proportion
    /// (largest remainder, so the cells add up to `width`; any state with a host gets at least one cell while the
    /// bar has room); an empty wave is a bar of spaces.
    static func bar(
        updated: Int,
        skipped: Int,
        failed: Int,
        updating: Int,
        pending: Int,
        width: Int = barWidth
    )
        -> String
    {
        let parts: [(Character, Int)] = [
            ("#", updated), ("-", skipped), ("!", failed), (">", updating), (".", pending),
        ]
        let counts = parts.map { max(0, $0.1) }
        let total = counts.reduce(0, +)
        guard total > 0, width > 0 else { return "[" + String(repeating: " ", count: max(0, width)) + "]" }
        var cells = counts.map { $0 * width / total }
        for index in cells.indices where counts[index] > 0 && cells[index] == 0 { cells[index] = 1 }
        while cells.reduce(0, +) > width, let largest = cells.indices.max(by: { cells[$0] < cells[$1] }),
            cells[largest] > 1
        {
            cells[largest] -= 1
        }
        let byRemainder = cells.indices.filter { counts[$0] > 0 }.sorted {
            let (left, right) = (counts[$0] * width % total, counts[$1] * width % total)
            return left != right ? left > right : $0 < $1
        }
        var left = width - cells.reduce(0, +)
        while left > 0, !byRemainder.isEmpty {
            for index in byRemainder where left > 0 {
                cells[index] += 1
                left -= 1
            }
        }
        var text = "["
        for (index, part) in parts.enumerated() { text += String(repeating: part.0, count: cells[index]) }
        return text + "]"
    }

    /// `wave 2 [#####!>>............] 5/20 updated, 1 failed, 2 updating, 12 pending: running`, with `N skipped`
    /// when some are.
    static func waveLine(_ wave: JSONValue, number: Int) -> String {
        let value = { (key: String) in Int(wave[key].int ?? 0) }
        let (updated, skipped, failed, updating, pending) = (
            value("updated"), value("skipped"), value("failed"), value("updating"), value("pending")
        )
        let total = wave["total"].int.map(Int.init) ?? (updated + skipped + failed + updating + pending)
        var counts = "\(updated)/\(total) updated"
        if skipped > 0 { counts += ", \(skipped) skipped" }
        counts += ", \(failed) failed, \(updating) updating, \(pending) pending"
        let bar = bar(updated: updated, skipped: skipped, failed: failed, updating: updating, pending: pending)
        return "wave \(number) \(bar) \(counts): \(RolloutViews.waveState(wave["state"]))"
    }

    /// `rollout-… (canary): running, wave 1/3, 12 hosts` (and when a scheduled one starts).
    static func headline(_ rollout: JSONValue, zone: TimeZone) -> String {
        let name = rollout["name"].text
        var text = rollout["resourceId"].text + (name.isEmpty ? "" : " (\(name))") + ": "
        text += RolloutViews.state(rollout["state"])
        if rollout["state"].string == RolloutState.scheduled.rawValue, let start = rollout["startSeconds"].int,
            start > 0
        {
            text += ", starts \(TimeText.display(start, in: zone))"
        }
        return text + ", wave \(RolloutViews.wave(rollout)), "
            + RolloutViews.counted(rollout["totalHosts"].int ?? 0, "host")
    }

    /// Why the rollout is where it is, with the way on for a paused one; nil when there is nothing to say.
    static func reasonLine(_ rollout: JSONValue) -> String? {
        let reason = rollout["stateReason"].text
        let paused = rollout["state"].string == RolloutState.paused.rawValue
        if paused {
            let why = reason.isEmpty ? "paused" : "paused: " + reason
            return why + " (day2ctl rollouts resume \(rollout["resourceId"].text) goes on)"
        }
        return reason.isEmpty ? nil : "reason: " + reason
    }

    /// The whole picture: headline, one line per wave, and the reason.
    static func frame(_ rollout: JSONValue, zone: TimeZone) -> [String] {
        var lines = [headline(rollout, zone: zone)]
        lines += rollout["waves"].array.enumerated().map { waveLine($0.element, number: $0.offset + 1) }
        if let reason = reasonLine(rollout) { lines.append(reason) }
        return lines
    }

    /// The lines of `current`'s frame that differ from `previous`'s (all of them the first time): what a watch
    /// whose output is not a terminal prints, one line per change.
    static func changes(from previous: JSONValue?, to current: JSONValue, zone: TimeZone) -> [String] {
        let now = frame(current, zone: zone)
        guard let previous else { return now }
        let before = Set(frame(previous, zone: zone))
        return now.filter { !before.contains($0) }
    }

    /// The escape sequence that moves the cursor back up over a frame of `lines` lines and clears from there down,
    /// so the next frame is drawn over it.
    static func redraw(over lines: Int) -> String {
        lines > 0 ? "\u{1B}[\(lines)A\r\u{1B}[J" : ""
    }
}
