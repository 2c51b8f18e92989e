import Day2Model
import Foundation
import Testing

@Suite("CronSpec validation")
struct CronSpecValidationTests {
    @Test(
        "rejected field texts name their API field",
        arguments: [
            (CronFieldKind.minutes, "/5"), (.minutes, "*/5"), (.minutes, "4-5"), (.minutes, "60"), (.minutes, "?"),
            (.minutes, ""), (.minutes, "05"), (.minutes, "00"), (.minutes, "1,,2"), (.minutes, "1,"), (.minutes, ",1"),
            (.minutes, " 1"), (.minutes, "1 "), (.minutes, "1, 2"), (.minutes, "100"), (.minutes, "-1"),
            (.minutes, "**"), (.minutes, "*,1"), (.minutes, "1\n"), (.minutes, "a"), (.minutes, "１"),
            (.hours, "24"), (.hours, "*/2"), (.hours, "1-3"), (.hours, "09"), (.hours, ""), (.hours, "?"),
            (.dayOfMonth, "32"), (.dayOfMonth, "0"), (.dayOfMonth, "01"), (.dayOfMonth, "?"), (.dayOfMonth, "L"),
            (.dayOfMonth, "1-5"),
            (.month, "13"), (.month, "0"), (.month, "JAN"), (.month, "01"), (.month, "1,13"),
            (.dayOfWeek, "7"), (.dayOfWeek, "MON"), (.dayOfWeek, "?"), (.dayOfWeek, "1-5"), (.dayOfWeek, "1#2"),
        ]
    )
    func rejected(kind: CronFieldKind, text: String) {
        let error = #expect(throws: ValidationError.self) {
            try CronSpec.validate(field: kind, text)
        }
        #expect(error?.field == kind.apiFieldName)
        #expect(error?.rule.isEmpty == false)
    }

    @Test(
        "accepted field texts",
        arguments: [
            (CronFieldKind.minutes, "1,2,3", [1, 2, 3] as [Int]?), (.minutes, "*", nil), (.minutes, "0", [0]),
            (.minutes, "59", [59]), (.minutes, "30,5,30", [5, 30]),
            (.hours, "0", [0]), (.hours, "23", [23]), (.hours, "*", nil), (.hours, "9,10,19,20", [9, 10, 19, 20]),
            (.dayOfMonth, "1", [1]), (.dayOfMonth, "31", [31]), (.dayOfMonth, "10,29,30", [10, 29, 30]),
            (.month, "1", [1]), (.month, "12", [12]), (.month, "10,11", [10, 11]),
            (.dayOfWeek, "0", [0]), (.dayOfWeek, "6", [6]), (.dayOfWeek, "0,6", [0, 6]), (.dayOfWeek, "*", nil),
        ]
    )
    func accepted(kind: CronFieldKind, text: String, values: [Int]?) throws {
        let field = try CronSpec.validate(field: kind, text)
        #expect(field.text == text)
        #expect(field.kind == kind)
        #expect(field.values == values)
        #expect(field.isWildcard == (values == nil))
    }

    @Test("API field names")
    func apiFieldNames() {
        #expect(
            CronFieldKind.allCases.map(\.apiFieldName) == [
                "cronMinutes", "cronHours", "cronDayMonth", "cronMonth", "cronDayWeek",
            ]
        )
    }

    @Test("matches honours the list and the wildcard")
    func matches() throws {
        let list = try CronSpec.validate(field: .hours, "2,14")
        #expect(list.matches(2))
        #expect(list.matches(14))
        #expect(!list.matches(3))
        #expect(!list.matches(-1))
        #expect(!list.matches(99))
        let all = try CronSpec.validate(field: .dayOfMonth, "*")
        #expect(all.matches(1))
        #expect(all.matches(31))
        #expect(!all.matches(0))
    }

    @Test(
        "a bad field in a full spec reports that field",
        arguments: [
            ("60 * * * *", "cronMinutes"), ("* 24 * * *", "cronHours"), ("* * 0 * *", "cronDayMonth"),
            ("* * * 13 *", "cronMonth"), ("* * * * 7", "cronDayWeek"),
        ]
    )
    func specReportsField(text: String, field: String) {
        let error = #expect(throws: ValidationError.self) {
            try cron(text)
        }
        #expect(error?.field == field)
    }

    @Test("canonical text keeps the fields as given")
    func text() throws {
        let spec = try CronSpec(minutes: "0", hours: "2", dayOfMonth: "*", month: "*", dayOfWeek: "0,6")
        #expect(spec.text == "0 2 * * 0,6")
        #expect(spec.description == "0 2 * * 0,6")
        #expect(spec.daysOfWeek.values == [0, 6])
        #expect(spec.daysOfMonth.isWildcard)
    }
}

@Suite("CronSpec ticks in UTC")
struct CronSpecUTCTickTests {
    @Test(
        "previous tick strictly before an instant",
        arguments: [
            // A tick exactly at the instant is not "before" it.
            ("0 2 * * *", "2026-03-10T02:00:00Z", "2026-03-09T02:00:00Z"),
            ("0 2 * * *", "2026-03-10T02:00:01Z", "2026-03-10T02:00:00Z"),
            ("* * * * *", "2026-03-10T02:00:30Z", "2026-03-10T02:00:00Z"),
            ("* * * * *", "2026-03-10T02:00:00Z", "2026-03-10T01:59:00Z"),
            ("15,45 9,17 * * *", "2026-03-10T17:30:00Z", "2026-03-10T17:15:00Z"),
            ("15,45 9,17 * * *", "2026-03-10T09:15:00Z", "2026-03-09T17:45:00Z"),
            // The 31st is skipped in 30-day months.
            ("0 0 31 * *", "2026-07-15T00:00:00Z", "2026-05-31T00:00:00Z"),
            ("0 0 31 * *", "2026-03-01T00:00:00Z", "2026-01-31T00:00:00Z"),
            // Feb 29 only exists in leap years.
            ("0 0 29 2 *", "2028-02-29T00:00:00Z", "2024-02-29T00:00:00Z"),
            ("0 0 29 2 *", "2031-01-01T00:00:00Z", "2028-02-29T00:00:00Z"),
            // Year rollover.
            ("30 0 * * *", "2027-01-01T00:10:00Z", "2026-12-31T00:30:00Z"),
            ("0 0 1 1 *", "2027-01-01T00:00:00Z", "2026-01-01T00:00:00Z"),
            // Day of month OR day of week (2026-03-06 and 2026-03-13 are Fridays, 2026-03-10 a Tuesday).
            ("0 12 10 * 5", "2026-03-10T00:00:00Z", "2026-03-06T12:00:00Z"),
            ("0 12 10 * 5", "2026-03-12T00:00:00Z", "2026-03-10T12:00:00Z"),
            ("0 12 10 * *", "2026-03-09T00:00:00Z", "2026-02-10T12:00:00Z"),
            ("0 12 * * 5", "2026-03-12T00:00:00Z", "2026-03-06T12:00:00Z"),
            // Before 1970.
            ("0 0 1 1 *", "1969-06-01T00:00:00Z", "1969-01-01T00:00:00Z"),
        ]
    )
    func previous(text: String, instant: String, expected: String) throws {
        let spec = try cron(text)
        let utc = try zone("UTC")
        #expect(spec.previousTick(before: try unixSeconds(instant), in: utc) == (try unixSeconds(expected)))
    }

    @Test(
        "next tick strictly after an instant",
        arguments: [
            ("0 2 * * *", "2026-03-10T02:00:00Z", "2026-03-11T02:00:00Z"),
            ("0 2 * * *", "2026-03-10T01:59:59Z", "2026-03-10T02:00:00Z"),
            ("* * * * *", "2026-03-10T02:00:30Z", "2026-03-10T02:01:00Z"),
            ("15,45 9,17 * * *", "2026-03-10T09:45:00Z", "2026-03-10T17:15:00Z"),
            ("15,45 9,17 * * *", "2026-03-10T17:45:00Z", "2026-03-11T09:15:00Z"),
            ("0 0 31 * *", "2026-04-01T00:00:00Z", "2026-05-31T00:00:00Z"),
            ("0 0 31 * *", "2026-05-31T00:00:00Z", "2026-07-31T00:00:00Z"),
            ("0 0 29 2 *", "2026-03-01T00:00:00Z", "2028-02-29T00:00:00Z"),
            ("0 0 29 2 *", "2028-02-29T00:00:00Z", "2032-02-29T00:00:00Z"),
            ("30 0 * * *", "2026-12-31T23:00:00Z", "2027-01-01T00:30:00Z"),
            ("59 23 31 12 *", "2026-12-31T23:59:00Z", "2027-12-31T23:59:00Z"),
            ("0 12 10 * 5", "2026-03-01T00:00:00Z", "2026-03-06T12:00:00Z"),
            ("0 12 10 * 5", "2026-03-06T12:00:00Z", "2026-03-10T12:00:00Z"),
            ("0 12 10 * 5", "2026-03-10T12:00:00Z", "2026-03-13T12:00:00Z"),
            ("0 12 10 * *", "2026-03-01T00:00:00Z", "2026-03-10T12:00:00Z"),
            ("0 12 * * 5", "2026-03-06T12:00:00Z", "2026-03-13T12:00:00Z"),
            ("0 0 * * 0", "2026-03-10T00:00:00Z", "2026-03-15T00:00:00Z"),
        ]
    )
    func next(text: String, instant: String, expected: String) throws {
        let spec = try cron(text)
        let utc = try zone("UTC")
        #expect(spec.nextTick(after: try unixSeconds(instant), in: utc) == (try unixSeconds(expected)))
    }

    @Test("a cron that never ticks gives nil", arguments: ["0 0 30 2 *", "0 0 31 4,6,9,11 *"])
    func never(text: String) throws {
        let spec = try cron(text)
        let utc = try zone("UTC")
        let now = try unixSeconds("2026-03-10T00:00:00Z")
        #expect(spec.previousTick(before: now, in: utc) == nil)
        #expect(spec.nextTick(after: now, in: utc) == nil)
    }

    @Test("instants outside years 1-9999 give nil instead of trapping")
    func extremeInstants() throws {
        let spec = try cron("* * * * *")
        let utc = try zone("UTC")
        #expect(spec.previousTick(before: .max, in: utc) == nil)
        #expect(spec.nextTick(after: .min, in: utc) == nil)
    }
}

@Suite("CronSpec ticks across daylight-saving changes")
struct CronSpecDSTTests {
    @Test(
        "previous tick in a zone with DST",
        arguments: [
            // Berlin spring forward 2026-03-29 02:00 CET -> 03:00 CEST: 02:30 does not exist that day.
            ("Europe/Berlin", "30 2 * * *", "2026-03-30T00:30:00Z", "2026-03-28T01:30:00Z"),
            ("Europe/Berlin", "* 2 * * *", "2026-03-29T01:00:00Z", "2026-03-28T01:59:00Z"),
            // Berlin fall back 2026-10-25 03:00 CEST -> 02:00 CET: 02:30 ticks once, at 00:30Z (02:30 CEST).
            ("Europe/Berlin", "30 2 * * *", "2026-10-25T01:45:00Z", "2026-10-25T00:30:00Z"),
            ("Europe/Berlin", "30 2 * * *", "2026-10-25T01:15:00Z", "2026-10-25T00:30:00Z"),
            ("Europe/Berlin", "30 2 * * *", "2026-10-25T00:30:00Z", "2026-10-24T00:30:00Z"),
            ("Europe/Berlin", "30 2 * * *", "2026-10-26T01:30:00Z", "2026-10-25T00:30:00Z"),
            ("Europe/Berlin", "* 2 * * *", "2026-10-25T01:30:00Z", "2026-10-25T00:59:00Z"),
            // New York spring forward 2026-03-08 02:00 EST -> 03:00 EDT.
            ("America/New_York", "30 2 * * *", "2026-03-09T06:30:00Z", "2026-03-07T07:30:00Z"),
            // New York fall back 2026-11-01 02:00 EDT -> 01:00 EST: 01:30 ticks at 05:30Z (01:30 EDT) only.
            ("America/New_York", "30 1 * * *", "2026-11-01T06:15:00Z", "2026-11-01T05:30:00Z"),
            ("America/New_York", "30 1 * * *", "2026-11-01T06:45:00Z", "2026-11-01T05:30:00Z"),
            ("America/New_York", "30 1 * * *", "2026-11-02T06:30:00Z", "2026-11-01T05:30:00Z"),
        ]
    )
    func previous(zoneID: String, text: String, instant: String, expected: String) throws {
        let spec = try cron(text)
        let tz = try zone(zoneID)
        #expect(spec.previousTick(before: try unixSeconds(instant), in: tz) == (try unixSeconds(expected)))
    }

    @Test(
        "next tick in a zone with DST",
        arguments: [
            ("Europe/Berlin", "30 2 * * *", "2026-03-28T01:30:00Z", "2026-03-30T00:30:00Z"),
            ("Europe/Berlin", "* 2 * * *", "2026-03-28T01:59:00Z", "2026-03-30T00:00:00Z"),
            ("Europe/Berlin", "30 2 * * *", "2026-10-24T00:30:00Z", "2026-10-25T00:30:00Z"),
            ("Europe/Berlin", "30 2 * * *", "2026-10-25T00:30:00Z", "2026-10-26T01:30:00Z"),
            ("Europe/Berlin", "30 2 * * *", "2026-10-25T01:15:00Z", "2026-10-26T01:30:00Z"),
            ("Europe/Berlin", "* 2 * * *", "2026-10-25T00:59:00Z", "2026-10-26T01:00:00Z"),
            ("America/New_York", "30 2 * * *", "2026-03-07T07:30:00Z", "2026-03-09T06:30:00Z"),
            ("America/New_York", "30 1 * * *", "2026-10-31T05:30:00Z", "2026-11-01T05:30:00Z"),
            ("America/New_York", "30 1 * * *", "2026-11-01T05:30:00Z", "2026-11-02T06:30:00Z"),
        ]
    )
    func next(zoneID: String, text: String, instant: String, expected: String) throws {
        let spec = try cron(text)
        let tz = try zone(zoneID)
        #expect(spec.nextTick(after: try unixSeconds(instant), in: tz) == (try unixSeconds(expected)))
    }

    @Test(
        "a daily 01:00 tick stays at 01:00 local, so its UTC instant shifts by an hour",
        arguments: [
            (
                "Europe/Berlin", "2026-03-27T12:00:00Z",
                [
                    "2026-03-28T00:00:00Z", "2026-03-29T00:00:00Z", "2026-03-29T23:00:00Z", "2026-03-30T23:00:00Z",
                ]
            ),
            (
                "Europe/Berlin", "2026-10-23T12:00:00Z",
                [
                    "2026-10-23T23:00:00Z", "2026-10-24T23:00:00Z", "2026-10-26T00:00:00Z", "2026-10-27T00:00:00Z",
                ]
            ),
            (
                "America/New_York", "2026-03-06T12:00:00Z",
                [
                    "2026-03-07T06:00:00Z", "2026-03-08T06:00:00Z", "2026-03-09T05:00:00Z", "2026-03-10T05:00:00Z",
                ]
            ),
            (
                "America/New_York", "2026-10-30T12:00:00Z",
                [
                    "2026-10-31T05:00:00Z", "2026-11-01T05:00:00Z", "2026-11-02T06:00:00Z", "2026-11-03T06:00:00Z",
                ]
            ),
        ]
    )
    func dailyOneOClock(zoneID: String, start: String, expected: [String]) throws {
        let spec = try cron("0 1 * * *")
        let tz = try zone(zoneID)
        let wanted = try expected.map(unixSeconds)
        var forward: [Int64] = []
        var cursor = try unixSeconds(start)
        for _ in wanted {
            let tick = try #require(spec.nextTick(after: cursor, in: tz))
            forward.append(tick)
            cursor = tick
        }
        #expect(forward == wanted)
        var backward: [Int64] = []
        cursor = try #require(wanted.last) + 1
        for _ in wanted {
            let tick = try #require(spec.previousTick(before: cursor, in: tz))
            backward.append(tick)
            cursor = tick
        }
        #expect(backward == wanted.reversed())
    }
}
