import Day2Model
import Foundation

/// Turns the received windows into "is a window open now" and "when does the next one start": pure functions of
/// the windows and an instant, so nothing is armed, re-armed or lost across polls and restarts.
///
/// Differences from upstream (deliberate): an open-ended single window (`end_seconds == 0`) is honoured; a window
/// that is still open when the agent starts (or restarts) is joined whatever time remains; a window is used once
/// (see `Day2AgentState.usedWindows`); repeated windows may carry an IANA time zone (DST-correct through
/// `CronSpec`). A repeated window with duration 0 or an invalid cron never opens (listed in `problems`).
public struct MaintenanceScheduler: Sendable {
    /// The single window, if any.
    public var single: SingleWindow?
    /// The repeated windows that are valid, with their parsed cron and zone.
    public private(set) var repeated: [(window: RepeatedWindow, cron: CronSpec, zone: TimeZone)]
    /// Repeated windows that were ignored, and why (for the log).
    public private(set) var problems: [String]

    /// Prepares the windows for evaluation.
    public init(single: SingleWindow?, repeated: [RepeatedWindow]) {
        self.single = single
        self.repeated = []
        self.problems = []
        for (index, window) in repeated.enumerated() {
            do throws(ValidationError) {
                let cron = try CronSpec(
                    minutes: window.cronMinutes,
                    hours: window.cronHours,
                    dayOfMonth: window.cronDayMonth,
                    month: window.cronMonth,
                    dayOfWeek: window.cronDayWeek
                )
                let zone =
                    window.timeZone.isEmpty
                    ? TimeZone(identifier: "UTC")! : try WindowMath.timeZone(named: window.timeZone)
                guard window.durationSeconds > 0 else {
                    problems.append("repeatedSchedules[\(index)]: duration_seconds 0 never opens a window")
                    continue
                }
                self.repeated.append((window, cron, zone))
            } catch {
                problems.append("repeatedSchedules[\(index)]: \(error)")
            }
        }
    }

    /// The windows open at `now`, the single window first. `now` inside [start, end) is open (end exclusive).
    public func openWindows(at now: Int64) -> [WindowKey] {
        var open: [WindowKey] = []
        if let single, single.startSeconds > 0 {
            let end: Int64? = single.endSeconds == 0 ? nil : single.endSeconds
            if TimeWindow(start: single.startSeconds, end: end).contains(now) {
                open.append(WindowKey(source: .single, start: single.startSeconds, end: end))
            }
        }
        for entry in repeated {
            // The occurrence that started at or before `now` (a tick exactly at `now` opens its window at once).
            guard let tick = entry.cron.previousTick(before: now + 1, in: entry.zone) else { continue }
            let end = tick + entry.window.durationSeconds
            if tick <= now && now < end {
                open.append(WindowKey(source: .repeated, start: tick, end: end))
            }
        }
        return open
    }

    /// The first window open at `now` that `isUsed` does not reject.
    public func usableWindow(at now: Int64, isUsed: (WindowKey) -> Bool) -> WindowKey? {
        openWindows(at: now).first { !isUsed($0) }
    }

    /// The earliest start of a window strictly after `now` (nil when none is known).
    public func nextStart(after now: Int64) -> Int64? {
        var best: Int64?
        if let single, single.startSeconds > now {
            best = single.startSeconds
        }
        for entry in repeated {
            if let tick = entry.cron.nextTick(after: now, in: entry.zone), best.map({ tick < $0 }) ?? true {
                best = tick
            }
        }
        return best
    }
}
