import Foundation

/// Maintenance-window evaluation: pure functions of an instant (unix seconds) and a time zone.
public enum WindowMath {
    /// The longest allowed repeated-window duration, one day in seconds.
    public static let maximumDurationSeconds: Int64 = 86_400

    /// Single schedule active at t: start <= t and (end == nil/0 or t <= end) (inclusive end, as upstream).
    public static func singleIsActive(start: Int64, end: Int64?, at t: Int64) -> Bool {
        guard start <= t else {
            return false
        }
        guard let end, end != 0 else {
            return true
        }
        return t <= end
    }

    /// Repeated schedule active at t: prev = the tick strictly before t; active when prev <= t <= prev + duration.
    ///
    /// A tick exactly at `t` is not used as `prev`, and the end is inclusive, both as upstream.
    public static func repeatedIsActive(
        cron: CronSpec,
        durationSeconds: Int64,
        timeZone: TimeZone,
        at t: Int64
    ) -> Bool {
        repeatedWindow(containing: t, cron: cron, durationSeconds: durationSeconds, timeZone: timeZone) != nil
    }

    /// The window of a repeated schedule that is active at t (start = that tick, end = tick + duration), if any.
    ///
    /// Uses the same rule as `repeatedIsActive`, so when `t == end` the window is returned although
    /// `TimeWindow.contains(t)` (half-open) is false.
    public static func repeatedWindow(
        containing t: Int64,
        cron: CronSpec,
        durationSeconds: Int64,
        timeZone: TimeZone
    ) -> TimeWindow? {
        guard let previous = cron.previousTick(before: t, in: timeZone) else {
            return nil
        }
        let end = saturatingAdd(previous, durationSeconds)
        guard previous <= t, t <= end else {
            return nil
        }
        return TimeWindow(start: previous, end: end)
    }

    /// The next `count` windows starting strictly after t, in increasing order (fewer if the cron stops ticking).
    public static func nextWindows(
        after t: Int64,
        count: Int,
        cron: CronSpec,
        durationSeconds: Int64,
        timeZone: TimeZone
    ) -> [TimeWindow] {
        var windows: [TimeWindow] = []
        guard count > 0 else {
            return windows
        }
        windows.reserveCapacity(min(count, 1000))
        var cursor = t
        while windows.count < count, let tick = cron.nextTick(after: cursor, in: timeZone) {
            windows.append(TimeWindow(start: tick, end: saturatingAdd(tick, durationSeconds)))
            cursor = tick
        }
        return windows
    }

    /// Validates durationSeconds in 1...86400, field "durationSeconds".
    public static func validateDuration(_ d: Int64) throws(ValidationError) {
        guard (1...maximumDurationSeconds).contains(d) else {
            throw ValidationError(field: "durationSeconds", rule: "must be 1..86400 seconds")
        }
    }

    /// The zone for an IANA id (or "UTC"), throwing `ValidationError` with field "timeZone" for unknown names.
    ///
    /// Foundation's own offset spellings such as `GMT+5` or `UTC-03:00` are rejected: they are not IANA ids
    /// (the IANA forms `Etc/GMT-5` and friends are accepted).
    public static func timeZone(named name: String) throws(ValidationError) -> TimeZone {
        let failure = ValidationError(
            field: "timeZone",
            rule: "must be an IANA time zone id such as Europe/Berlin or UTC"
        )
        for prefix in ["GMT+", "GMT-", "UTC+", "UTC-"] where name.hasPrefix(prefix) {
            throw failure
        }
        guard let zone = TimeZone(identifier: name) else {
            throw failure
        }
        return zone
    }

    /// `a + b`, clamped to the Int64 range instead of trapping.
    private static func saturatingAdd(_ a: Int64, _ b: Int64) -> Int64 {
        let (sum, overflow) = a.addingReportingOverflow(b)
        guard overflow else {
            return sum
        }
        return b > 0 ? .max : .min
    }
}
