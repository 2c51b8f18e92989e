import Foundation

/// Reading and writing times and durations on the command line: pure functions of text, zone and "now".
public enum TimeText {
    // MARK: Civil dates

    /// A wall-clock date and time, without a zone.
    public struct Civil: Equatable, Sendable {
        /// Year, e.g. 2026.
        public var year: Int64
        /// Month 1-12.
        public var month: Int
        /// Day 1-31.
        public var day: Int
        /// Hour 0-23.
        public var hour: Int
        /// Minute 0-59.
        public var minute: Int
        /// Second 0-59.
        public var second: Int

        /// Seconds since 1970-01-01T00:00 on the wall clock, as if the wall clock were UTC.
        var wallSeconds: Int64 {
            Self.daysFromCivil(year: year, month: month, day: day) * 86400 + Int64(hour * 3600 + minute * 60 + second)
        }

        /// The wall time `seconds` seconds after 1970-01-01T00:00.
        init(wallSeconds seconds: Int64) {
            let days = seconds.floorDivided(by: 86400)
            let rest = Int(seconds - days * 86400)
            let shifted = days + 719_468
            let era = shifted.floorDivided(by: 146_097)
            let dayOfEra = shifted - era * 146_097
            let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
            let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
            let marchMonth = (5 * dayOfYear + 2) / 153
            month = Int(marchMonth < 10 ? marchMonth + 3 : marchMonth - 9)
            day = Int(dayOfYear - (153 * marchMonth + 2) / 5 + 1)
            year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
            hour = rest / 3600
            minute = rest % 3600 / 60
            second = rest % 60
        }

        /// A wall time from its parts (not checked).
        init(year: Int64, month: Int, day: Int, hour: Int, minute: Int, second: Int) {
            (self.year, self.month, self.day, self.hour, self.minute, self.second) = (
                year, month, day, hour, minute, second
            )
        }

        /// Days since 1970-01-01 of a proleptic Gregorian date.
        static func daysFromCivil(year: Int64, month: Int, day: Int) -> Int64 {
            let y = month <= 2 ? year - 1 : year
            let era = y.floorDivided(by: 400)
            let yearOfEra = y - era * 400
            let m = Int64(month)
            let dayOfYear = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + Int64(day) - 1
            let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
            return era * 146_097 + dayOfEra - 719_468
        }

        /// The number of days in `month` of `year`.
        static func daysIn(month: Int, year: Int64) -> Int {
            switch month {
            case 2: (year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)) ? 29 : 28
            case 4, 6, 9, 11: 30
            default: 31
            }
        }
    }

    /// The zone's offset from UTC in seconds at `instant`.
    static func offset(_ zone: TimeZone, at instant: Int64) -> Int64 {
        Int64(zone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(instant))))
    }

    /// How a wall time maps to instants in a zone.
    public enum Resolution: Equatable, Sendable {
        /// Exactly one instant.
        case unique(Int64)
        /// The clocks were turned back: the wall time happens twice; the earlier instant first.
        case repeated(Int64, Int64)
        /// The clocks jumped forward over this wall time: it never happens.
        case skipped
    }

    /// The instants at which the wall clock of `zone` shows `civil`.
    public static func resolve(_ civil: Civil, in zone: TimeZone) -> Resolution {
        let wall = civil.wallSeconds
        let candidates = Set([offset(zone, at: wall - 86400), offset(zone, at: wall + 86400)].map { wall - $0 })
        let valid = candidates.filter { wall - offset(zone, at: $0) == $0 }.sorted()
        switch valid.count {
        case 0: return .skipped
        case 1: return .unique(valid[0])
        default: return .repeated(valid[0], valid[valid.count - 1])
        }
    }

    // MARK: Writing

    /// `2026-11-23T14:05:00Z`.
    public static func rfc3339(_ date: Date) -> String {
        let civil = Civil(wallSeconds: Int64(date.timeIntervalSince1970.rounded(.down)))
        return dateText(civil) + "T" + clockText(civil, seconds: true) + "Z"
    }

    /// `2026-11-23 15:05:00 +01:00`: the instant on the wall clock of `zone`, with the offset in force then.
    public static func display(_ seconds: Int64, in zone: TimeZone, withSeconds: Bool = true) -> String {
        let offset = offset(zone, at: seconds)
        let civil = Civil(wallSeconds: seconds + offset)
        return dateText(civil) + " " + clockText(civil, seconds: withSeconds) + " " + offsetText(offset)
    }

    /// `+01:00`, `-03:30`, `+00:00`.
    public static func offsetText(_ seconds: Int64) -> String {
        let sign = seconds < 0 ? "-" : "+"
        let minutes = abs(seconds) / 60
        return sign + pad(Int(minutes / 60)) + ":" + pad(Int(minutes % 60))
    }

    /// `14:05` or `14:05:00` of `civil`.
    static func clockText(_ civil: Civil, seconds: Bool) -> String {
        pad(civil.hour) + ":" + pad(civil.minute) + (seconds ? ":" + pad(civil.second) : "")
    }

    static func dateText(_ civil: Civil) -> String {
        let year = String(civil.year)
        return String(repeating: "0", count: max(0, 4 - year.count)) + year + "-" + pad(civil.month) + "-"
            + pad(civil.day)
    }

    static func pad(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }

    /// A duration as the Web UI shows it: `45s`, `12m`, `2h 5m`, `3d 4h`.
    public static func duration(_ seconds: Int64) -> String {
        let seconds = max(0, seconds)
        if seconds < 60 { return "\(seconds)s" }
        if seconds < 3600 { return "\(seconds / 60)m" }
        if seconds < 86400 { return "\(seconds / 3600)h \(seconds % 3600 / 60)m" }
        return "\(seconds / 86400)d \(seconds % 86400 / 3600)h"
    }

    // MARK: Reading

    /// A duration: `90` (seconds), `30s`, `10m`, `2h`, `1d`, or a sum such as `1h30m`; nil when malformed.
    public static func parseDuration(_ text: String) -> Int64? {
        let text = text.trimmingCharacters(in: .whitespaces).lowercased()
        guard !text.isEmpty else { return nil }
        if let plain = Int64(text) { return plain >= 0 ? plain : nil }
        var total: Int64 = 0
        var number = ""
        for character in text {
            if character.isASCII, character.isNumber {
                number.append(character)
                continue
            }
            let unit: Int64
            switch character {
            case "s": unit = 1
            case "m": unit = 60
            case "h": unit = 3600
            case "d": unit = 86400
            default: return nil
            }
            guard let value = Int64(number), value <= 1_000_000_000 else { return nil }
            total += value * unit
            number = ""
        }
        return number.isEmpty ? total : nil
    }

    /// RFC 3339 with an offset or `Z` (`2026-07-01T02:00:00+02:00`, fractions ignored); nil otherwise.
    public static func parseRFC3339(_ text: String) -> Date? {
        guard let (civil, rest) = parseCivil(text, separators: ["T", "t"]), let offset = parseOffset(rest) else {
            return nil
        }
        return Date(timeIntervalSince1970: TimeInterval(civil.wallSeconds - offset))
    }

    /// An instant given on the command line for `option`:
    /// - `now`, `now+30s`, `now+1h30m`, `now-5m`;
    /// - RFC 3339 with an offset, `2026-07-01T02:00:00+02:00` or `…Z`;
    /// - a wall time in `zone`, `2026-07-01 02:00`, `2026-07-01 02:00:30` or `2026-07-01T02:00`.
    ///
    /// A wall time that the zone skips (clocks jump forward) is refused; one that happens twice means the first.
    public static func parseInstant(
        _ text: String,
        option: String,
        zone: TimeZone,
        now: Int64
    ) throws(CLIError) -> Int64 {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let lowered = trimmed.lowercased()
        if lowered == "now" { return now }
        if lowered.hasPrefix("now+") || lowered.hasPrefix("now-") {
            guard let amount = parseDuration(String(lowered.dropFirst(4))) else {
                throw CLIError.option(option, "\"\(text)\" is not now+<duration> such as now+30s, now+10m or now+1h30m")
            }
            return lowered.hasPrefix("now+") ? now + amount : now - amount
        }
        if let date = parseRFC3339(trimmed) { return Int64(date.timeIntervalSince1970.rounded(.down)) }
        guard let (civil, rest) = parseCivil(trimmed, separators: [" ", "T", "t"]), rest.isEmpty else {
            throw CLIError.option(
                option,
                "\"\(text)\" is not a time: use now, now+30s, 2026-07-01T02:00:00+02:00 or \"2026-07-01 02:00\" "
                    + "(a wall time in --timezone, here \(zone.identifier))"
            )
        }
        switch resolve(civil, in: zone) {
        case .unique(let instant), .repeated(let instant, _):
            return instant
        case .skipped:
            throw CLIError.option(
                option,
                "\(dateText(civil)) \(clockText(civil, seconds: false)) does not exist in \(zone.identifier) "
                    + "(the clocks jump forward over it); choose another time"
            )
        }
    }

    /// `YYYY-MM-DD<sep>HH:MM[:SS[.fff]]` and whatever follows it.
    private static func parseCivil(_ text: String, separators: Set<Character>) -> (Civil, Substring)? {
        let characters = Array(text)
        func number(_ range: Range<Int>) -> Int? {
            guard range.upperBound <= characters.count else { return nil }
            let slice = characters[range]
            guard slice.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
            return Int(String(slice))
        }
        guard characters.count >= 16, characters[4] == "-", characters[7] == "-", separators.contains(characters[10]),
            characters[13] == ":", let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
            let hour = number(11..<13), let minute = number(14..<16)
        else { return nil }
        var index = 16
        var second = 0
        if characters.count >= 19, characters[16] == ":", let value = number(17..<19) {
            second = value
            index = 19
            if index < characters.count, characters[index] == "." {
                index += 1
                while index < characters.count, characters[index].isASCII, characters[index].isNumber { index += 1 }
            }
        }
        guard (1...12).contains(month), (1...Civil.daysIn(month: month, year: Int64(year))).contains(day),
            (0...23).contains(hour), (0...59).contains(minute), (0...59).contains(second)
        else { return nil }
        let civil = Civil(year: Int64(year), month: month, day: day, hour: hour, minute: minute, second: second)
        return (civil, Substring(String(characters[index...])))
    }

    /// `Z` or `±HH:MM` as seconds east of UTC; nil otherwise.
    private static func parseOffset(_ text: Substring) -> Int64? {
        if text == "Z" || text == "z" { return 0 }
        let characters = Array(text)
        guard characters.count == 6, characters[0] == "+" || characters[0] == "-", characters[3] == ":",
            let hours = Int64(String(characters[1...2])), let minutes = Int64(String(characters[4...5])),
            hours <= 23, minutes <= 59
        else { return nil }
        let value = hours * 3600 + minutes * 60
        return characters[0] == "-" ? -value : value
    }
}

extension Int64 {
    /// Division rounding towards negative infinity.
    func floorDivided(by divisor: Int64) -> Int64 {
        let quotient = self / divisor
        return (self % divisor != 0 && (self < 0) != (divisor < 0)) ? quotient - 1 : quotient
    }

    /// The remainder that goes with `floorDivided(by:)`, in `0..<divisor` for a positive divisor.
    func floorModulo(_ divisor: Int64) -> Int64 { self - floorDivided(by: divisor) * divisor }
}
