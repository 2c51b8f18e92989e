import Day2Model
import Foundation

/// Turns a repeated window given on the wall clock of a time zone into the UTC cron expressions the server keeps
/// (it evaluates every cron in UTC and stores no zone), and previews the windows that result.
///
/// - The zone's offset in force at the first window is used (not today's: a schedule made in winter for July
///   gets the summer offset).
/// - Hours and minutes are shifted; when that crosses midnight the day-of-week and day-of-month fields move with
///   them. Times that land on different UTC days become separate crons (one schedule each).
/// - A day of the month that would move across a month boundary (day 1 to the previous month's last day) cannot be
///   written as a cron and is refused, naming the option.
/// - A cron holds one offset; a later clock change moves the windows by the difference on the local clock. That is
///   reported with the date of the change.
public enum ScheduleConversion {
    /// The outcome of a conversion.
    public struct Plan: Sendable {
        /// The UTC crons, one repeated schedule each (usually one).
        public var crons: [CronSpec]
        /// The zone's offset (seconds east of UTC) the conversion used.
        public var offsetSeconds: Int64
        /// The first window's start, Unix seconds.
        public var firstTick: Int64
        /// Things the operator should know (clock changes, month edges).
        public var notes: [String]
    }

    /// Converts `local`, read on the wall clock of `zone`, as of `now` (Unix seconds).
    public static func toUTC(
        _ local: CronSpec,
        zone: TimeZone,
        now: Int64,
        options: OptionNames = OptionNames()
    ) throws(CLIError) -> Plan {
        guard let first = local.nextTick(after: now, in: zone) else {
            throw CLIError(.usage, "the window never opens: no date in the next five years matches the cron fields")
        }
        let offset = TimeText.offset(zone, at: first)
        guard offset % 60 == 0 else {
            throw CLIError.option(options.timezone, "\(zone.identifier) has an offset that is not whole minutes")
        }
        var notes: [String] = []
        if offset != 0 || TimeText.offset(zone, at: now) != 0 {
            notes.append(
                "times converted to UTC with \(zone.identifier)'s offset \(TimeText.offsetText(offset)) at the first "
                    + "window (\(TimeText.display(first, in: zone, withSeconds: false)))"
            )
        }
        notes += clockChanges(zone: zone, after: now, offset: offset, firstTick: first)
        guard offset != 0 else { return Plan(crons: [local], offsetSeconds: 0, firstTick: first, notes: notes) }

        // Day shift (-1, 0, +1) → UTC minute → UTC hours.
        var shifted: [Int64: [Int: Set<Int>]] = [:]
        let daysFree = local.daysOfMonth.isWildcard && local.daysOfWeek.isWildcard
        for hour in local.hours.values ?? Array(0...23) {
            for minute in local.minutes.values ?? Array(0...59) {
                let utc = Int64(hour * 60 + minute) - offset / 60
                // With no day restriction the day a time lands on does not matter, so every time joins one cron.
                let shift = daysFree ? 0 : utc.floorDivided(by: 1440)
                let minuteOfDay = Int(utc.floorModulo(1440))
                shifted[shift, default: [:]][minuteOfDay % 60, default: []].insert(minuteOfDay / 60)
            }
        }
        let crossesMidnight = (local.hours.values ?? Array(0...23)).contains { hour in
            (local.minutes.values ?? Array(0...59)).contains { minute in
                !(0..<1440).contains(Int64(hour * 60 + minute) - offset / 60)
            }
        }
        if crossesMidnight, !local.months.isWildcard, local.daysOfMonth.isWildcard {
            notes.append(
                "some windows fall on another day in UTC, so near the start and end of the selected months a window "
                    + "may open one day early or late; check the preview"
            )
        }
        var crons: [CronSpec] = []
        for shift in shifted.keys.sorted() {
            // Minutes that share the same set of hours form one cron (hours × minutes).
            var byHours: [[Int]: [Int]] = [:]
            for (minute, hours) in shifted[shift] ?? [:] { byHours[hours.sorted(), default: []].append(minute) }
            for (hours, minutes) in byHours.sorted(by: { $0.value.min() ?? 0 < $1.value.min() ?? 0 }) {
                let days = try shiftDays(local, by: Int(shift), offset: offset, zone: zone, options: options)
                do {
                    crons.append(
                        try CronSpec(
                            minutes: list(minutes, full: 60),
                            hours: list(hours, full: 24),
                            dayOfMonth: days.dayOfMonth,
                            month: local.months.text,
                            dayOfWeek: days.dayOfWeek
                        )
                    )
                } catch {
                    throw CLIError(.usage, "the converted cron is invalid: \(error.description)")
                }
            }
        }
        return Plan(crons: crons, offsetSeconds: offset, firstTick: first, notes: notes)
    }

    /// The spellings of the options that errors name.
    public struct OptionNames: Sendable {
        /// The day-of-month option.
        public var dayOfMonth = "--day-of-month"
        /// The time zone option.
        public var timezone = "--timezone"

        /// The default spellings.
        public init() {}
    }

    /// The day fields moved by `shift` days.
    private static func shiftDays(
        _ local: CronSpec,
        by shift: Int,
        offset: Int64,
        zone: TimeZone,
        options: OptionNames
    ) throws(CLIError) -> (dayOfMonth: String, dayOfWeek: String) {
        guard shift != 0 else { return (local.daysOfMonth.text, local.daysOfWeek.text) }
        var dayOfWeek = local.daysOfWeek.text
        if let days = local.daysOfWeek.values {
            dayOfWeek = list(Array(Set(days.map { (($0 + shift) % 7 + 7) % 7 })), full: nil)
        }
        var dayOfMonth = local.daysOfMonth.text
        if let days = local.daysOfMonth.values {
            let months = local.months.values ?? Array(1...12)
            for day in days {
                // Does `day` exist in some selected month and then step out of it?
                let wraps =
                    shift < 0
                    ? day == 1
                    : months.contains { month in
                        day <= TimeText.Civil.daysIn(month: month, year: 2024)
                            && day + 1 > TimeText.Civil.daysIn(month: month, year: 2023)
                    }
                if wraps {
                    let direction = shift < 0 ? "the last day of the previous month" : "the first day of the next month"
                    throw CLIError.option(
                        options.dayOfMonth,
                        "day \(day) at that time of day in \(zone.identifier) (UTC\(TimeText.offsetText(offset))) is "
                            + "\(direction) in UTC, which a cron cannot express; choose another day or time of day, "
                            + "or give the times in UTC with --timezone UTC"
                    )
                }
            }
            dayOfMonth = list(days.map { $0 + shift }, full: nil)
        }
        return (dayOfMonth, dayOfWeek)
    }

    /// `*` when every value of a field of `full` values is present, else the sorted comma list.
    private static func list(_ values: [Int], full: Int?) -> String {
        let sorted = Array(Set(values)).sorted()
        if let full, sorted.count == full { return "*" }
        return sorted.map(String.init).joined(separator: ",")
    }

    /// The clock changes of `zone` in the year after `after` that move windows away from the asked local time.
    static func clockChanges(zone: TimeZone, after: Int64, offset: Int64, firstTick: Int64) -> [String] {
        var notes: [String] = []
        let firstLocal = TimeText.Civil(wallSeconds: firstTick + offset)
        for change in offsetChanges(zone: zone, from: after, days: 366) where change.offset != offset {
            let moved = change.offset - offset
            let later = TimeText.Civil(wallSeconds: firstTick + offset + moved)
            let amount = TimeText.duration(abs(moved))
            notes.append(
                "\(zone.identifier) changes to UTC\(TimeText.offsetText(change.offset)) on "
                    + "\(TimeText.display(change.instant, in: zone, withSeconds: false)): from then on these windows open "
                    + "\(amount) \(moved > 0 ? "later" : "earlier") on the local clock "
                    + "(\(TimeText.clockText(later, seconds: false)) instead of \(TimeText.clockText(firstLocal, seconds: false))), "
                    + "because the server keeps repeated schedules in UTC; create the schedule again after the change "
                    + "to follow the local clock"
            )
        }
        return notes
    }

    /// Instants within `days` days after `from` at which `zone`'s offset changes, with the new offset.
    static func offsetChanges(zone: TimeZone, from: Int64, days: Int) -> [(instant: Int64, offset: Int64)] {
        var changes: [(Int64, Int64)] = []
        var previous = TimeText.offset(zone, at: from)
        var low = from
        for day in 1...max(1, days) {
            let high = from + Int64(day) * 86400
            let current = TimeText.offset(zone, at: high)
            if current != previous {
                // The change lies in (low, high]: find its first second.
                var a = low
                var b = high
                while b - a > 1 {
                    let middle = a + (b - a) / 2
                    if TimeText.offset(zone, at: middle) == previous { a = middle } else { b = middle }
                }
                changes.append((b, current))
                previous = current
            }
            low = high
        }
        return changes
    }

    /// The next `count` windows of the UTC `crons` after `now`, earliest first.
    public static func nextWindows(
        _ crons: [CronSpec],
        durationSeconds: Int64,
        after now: Int64,
        count: Int
    ) -> [TimeWindow] {
        let utc = TimeZone(identifier: "UTC") ?? TimeZone(secondsFromGMT: 0)!
        let all = crons.flatMap {
            WindowMath.nextWindows(after: now, count: count, cron: $0, durationSeconds: durationSeconds, timeZone: utc)
        }
        return Array(Set(all).sorted { $0.start < $1.start }.prefix(count))
    }
}
