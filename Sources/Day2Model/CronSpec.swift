import Foundation

/// A validated, restricted 5-field cron expression (minute hour day-of-month month day-of-week) and its ticks.
///
/// Each field is `*` or a comma list of plain numbers (see `CronField`); ranges, steps and names are not supported.
/// Day matching follows classic (Vixie) cron: when both day-of-month and day-of-week are restricted, a day matches
/// when either matches; when one of them is `*`, only the other one counts.
///
/// Ticks are wall-clock times: a tick is a local time `Y-M-D h:m:00` in the evaluation zone that matches every field,
/// converted to an instant (unix seconds) in that zone. Daylight-saving rules:
/// - a local time that does not exist (spring-forward gap, e.g. 02:30 on 2026-03-29 in Europe/Berlin) is skipped:
///   there is no tick that day at that time;
/// - a local time that occurs twice (fall-back overlap, e.g. 02:30 on 2026-10-25 in Europe/Berlin) ticks once, at its
///   first occurrence (the earlier instant).
///
/// Searches walk day by day (skipping whole months that do not match) over at most about five years, and give nil
/// when no tick exists in that horizon or the instant lies outside the years 0001-9999.
public struct CronSpec: Sendable, Hashable, CustomStringConvertible {
    /// Minute of the hour (API field `cronMinutes`).
    public let minutes: CronField
    /// Hour of the day (API field `cronHours`).
    public let hours: CronField
    /// Day of the month (API field `cronDayMonth`).
    public let daysOfMonth: CronField
    /// Month of the year (API field `cronMonth`).
    public let months: CronField
    /// Day of the week, 0 = Sunday (API field `cronDayWeek`).
    public let daysOfWeek: CronField

    /// How many days a tick search looks ahead or back (about five years, so a Feb 29-only cron finds its day).
    static let horizonDays: Int64 = 5 * 366 + 1
    /// The instants a tick search accepts: 0001-01-01T00:00:00Z through 9999-12-31T23:59:59Z.
    static let supportedInstants: ClosedRange<Int64> = -62_135_596_800...253_402_300_799

    /// Validates the five field texts, throwing the `ValidationError` of the first bad field.
    public init(
        minutes: String,
        hours: String,
        dayOfMonth: String,
        month: String,
        dayOfWeek: String
    ) throws(ValidationError) {
        self.minutes = try CronField(minutes, kind: .minutes)
        self.hours = try CronField(hours, kind: .hours)
        self.daysOfMonth = try CronField(dayOfMonth, kind: .dayOfMonth)
        self.months = try CronField(month, kind: .month)
        self.daysOfWeek = try CronField(dayOfWeek, kind: .dayOfWeek)
    }

    /// Validates one field on its own, throwing `ValidationError` with the field's API name on failure.
    public static func validate(field: CronFieldKind, _ text: String) throws(ValidationError) -> CronField {
        try CronField(text, kind: field)
    }

    /// The canonical text, fields in order separated by single spaces, e.g. `0 2 * * 0,6`.
    public var text: String {
        "\(minutes.text) \(hours.text) \(daysOfMonth.text) \(months.text) \(daysOfWeek.text)"
    }

    /// Same as `text`.
    public var description: String { text }

    /// Most recent tick strictly before `instant` (unix seconds), evaluated in `timeZone`; nil if none within ~5 years.
    public func previousTick(before instant: Int64, in timeZone: TimeZone) -> Int64? {
        guard Self.supportedInstants.contains(instant) else {
            return nil
        }
        let clock = ZoneClock(zone: timeZone)
        let wall = instant + clock.offset(at: instant)
        // When `instant` is the second occurrence of a repeated wall time, ticks up to one overlap later on the wall
        // clock resolve to first occurrences before `instant`, so the wall-clock bound moves up by the difference.
        let firstOccurrence = min(clock.instant(forWall: wall) ?? instant, instant)
        let latestWall = wall + (instant - firstOccurrence) - 1
        var day = CivilDay(number: floorDiv(latestWall, 86400))
        var latestMinute = Int(floorMod(latestWall, 86400) / 60)
        let stop = day.number - Self.horizonDays
        while day.number >= stop {
            if months.matches(day.month) {
                if matchesDay(day) {
                    let found = tick(on: day, minutes: 0...latestMinute, latestFirst: true, clock: clock) {
                        $0 < instant
                    }
                    if let found {
                        return found
                    }
                }
                day.stepBack()
            } else {
                day.moveToEndOfPreviousMonth()
            }
            latestMinute = 1439
        }
        return nil
    }

    /// First tick strictly after `instant`, evaluated in `timeZone`; nil if none within ~5 years.
    public func nextTick(after instant: Int64, in timeZone: TimeZone) -> Int64? {
        guard Self.supportedInstants.contains(instant) else {
            return nil
        }
        let clock = ZoneClock(zone: timeZone)
        let wall = instant + clock.offset(at: instant)
        // Wall times at or before `wall` resolve to instants at or before `instant`, so start at the next minute.
        let earliestWall = floorDiv(wall, 60) * 60 + 60
        var day = CivilDay(number: floorDiv(earliestWall, 86400))
        var earliestMinute = Int(floorMod(earliestWall, 86400) / 60)
        let stop = day.number + Self.horizonDays
        while day.number <= stop {
            if months.matches(day.month) {
                if matchesDay(day) {
                    let found = tick(on: day, minutes: earliestMinute...1439, latestFirst: false, clock: clock) {
                        $0 > instant
                    }
                    if let found {
                        return found
                    }
                }
                day.stepForward()
            } else {
                day.moveToStartOfNextMonth()
            }
            earliestMinute = 0
        }
        return nil
    }

    /// True when the day fields select `day` (the month is checked separately), with Vixie OR semantics.
    private func matchesDay(_ day: CivilDay) -> Bool {
        let domMatches = daysOfMonth.matches(day.day)
        let dowMatches = daysOfWeek.matches(day.weekday)
        if !daysOfMonth.isWildcard && !daysOfWeek.isWildcard {
            return domMatches || dowMatches
        }
        return domMatches && dowMatches
    }

    /// The first instant (in the requested order) of a matching hour:minute on `day` within `window` that `accept`s.
    private func tick(
        on day: CivilDay,
        minutes window: ClosedRange<Int>,
        latestFirst: Bool,
        clock: ZoneClock,
        accept: (Int64) -> Bool
    ) -> Int64? {
        let hourList = hours.expanded
        let minuteList = minutes.expanded
        let dayStart = day.number * 86400
        for hourIndex in hourList.indices {
            let hour = hourList[latestFirst ? hourList.count - 1 - hourIndex : hourIndex]
            if latestFirst ? hour * 60 > window.upperBound : hour * 60 + 59 < window.lowerBound {
                continue
            }
            for minuteIndex in minuteList.indices {
                let minute = minuteList[latestFirst ? minuteList.count - 1 - minuteIndex : minuteIndex]
                let minuteOfDay = hour * 60 + minute
                guard window.contains(minuteOfDay) else {
                    continue
                }
                if let instant = clock.instant(forWall: dayStart + Int64(minuteOfDay) * 60), accept(instant) {
                    return instant
                }
            }
        }
        return nil
    }
}

/// Converts between instants and wall-clock seconds of one time zone, resolving DST gaps and overlaps.
///
/// "Wall seconds" count seconds since 1970-01-01T00:00 on the zone's wall clock, as if the wall clock were UTC.
private struct ZoneClock {
    /// The zone whose wall clock is meant.
    let zone: TimeZone

    /// The zone's offset from UTC in seconds at `instant`.
    func offset(at instant: Int64) -> Int64 {
        Int64(zone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(instant))))
    }

    /// The earliest instant whose wall time is `wall`, or nil when `wall` falls in a gap (does not exist).
    ///
    /// Candidates use the offsets in force one day before and after; a candidate counts only if it round-trips,
    /// i.e. the zone's offset at the candidate instant is the offset that produced it.
    func instant(forWall wall: Int64) -> Int64? {
        let before = offset(at: wall - 86400)
        let after = offset(at: wall + 86400)
        let early = wall - before
        let earlyValid = offset(at: early) == before
        if before == after {
            return earlyValid ? early : nil
        }
        let late = wall - after
        let lateValid = offset(at: late) == after
        switch (earlyValid, lateValid) {
        case (true, true): return min(early, late)
        case (true, false): return early
        case (false, true): return late
        case (false, false): return nil
        }
    }
}

/// A proleptic Gregorian calendar day, kept in step with its day number (days since 1970-01-01).
private struct CivilDay: Hashable {
    /// Days since 1970-01-01.
    private(set) var number: Int64
    /// The year, e.g. 2026.
    private(set) var year: Int64
    /// The month, 1-12.
    private(set) var month: Int
    /// The day of the month, 1-31.
    private(set) var day: Int

    /// The day with day number `number`.
    init(number: Int64) {
        // Shift the epoch to 0000-03-01 so leap days fall at the end of each 400-year era and of each year.
        let shifted = number + 719_468
        let era = floorDiv(shifted, 146_097)
        let dayOfEra = shifted - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let marchMonth = (5 * dayOfYear + 2) / 153
        let monthNumber = Int(marchMonth < 10 ? marchMonth + 3 : marchMonth - 9)
        self.number = number
        self.day = Int(dayOfYear - (153 * marchMonth + 2) / 5 + 1)
        self.month = monthNumber
        self.year = yearOfEra + era * 400 + (monthNumber <= 2 ? 1 : 0)
    }

    /// Day of the week, 0 = Sunday (1970-01-01 was a Thursday).
    var weekday: Int {
        Int(floorMod(number + 4, 7))
    }

    /// Number of days in the month of `year`.
    static func daysIn(month: Int, of year: Int64) -> Int {
        switch month {
        case 2:
            let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
            return leap ? 29 : 28
        case 4, 6, 9, 11:
            return 30
        default:
            return 31
        }
    }

    /// Moves to the following day.
    mutating func stepForward() {
        number += 1
        if day < Self.daysIn(month: month, of: year) {
            day += 1
        } else {
            moveMonthForward()
            day = 1
        }
    }

    /// Moves to the preceding day.
    mutating func stepBack() {
        number -= 1
        if day > 1 {
            day -= 1
        } else {
            moveMonthBack()
            day = Self.daysIn(month: month, of: year)
        }
    }

    /// Moves to the first day of the next month.
    mutating func moveToStartOfNextMonth() {
        number += Int64(Self.daysIn(month: month, of: year) - day + 1)
        moveMonthForward()
        day = 1
    }

    /// Moves to the last day of the previous month.
    mutating func moveToEndOfPreviousMonth() {
        number -= Int64(day)
        moveMonthBack()
        day = Self.daysIn(month: month, of: year)
    }

    /// Advances month (and year), leaving `number` and `day` to the caller.
    private mutating func moveMonthForward() {
        if month == 12 {
            month = 1
            year += 1
        } else {
            month += 1
        }
    }

    /// Steps month (and year) back, leaving `number` and `day` to the caller.
    private mutating func moveMonthBack() {
        if month == 1 {
            month = 12
            year -= 1
        } else {
            month -= 1
        }
    }
}

/// Integer division rounding towards negative infinity.
private func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
    let quotient = a / b
    return (a % b != 0 && (a < 0) != (b < 0)) ? quotient - 1 : quotient
}

/// The remainder matching `floorDiv`, always in `0..<b` for positive `b`.
private func floorMod(_ a: Int64, _ b: Int64) -> Int64 {
    a - floorDiv(a, b) * b
}
