import Day2Model
import Foundation
import Testing

@testable import Day2CLI

@Suite struct ScheduleConversionTests {
    let berlin = TimeZone(identifier: "Europe/Berlin")!
    /// 2026-01-15T12:00:00Z (winter in Berlin) and 2026-06-15T12:00:00Z (summer).
    let winter: Int64 = 1_768_478_400
    let summer: Int64 = 1_781_524_800

    func cron(_ text: String) throws -> CronSpec {
        let f = text.split(separator: " ").map(String.init)
        return try CronSpec(minutes: f[0], hours: f[1], dayOfMonth: f[2], month: f[3], dayOfWeek: f[4])
    }

    func converted(_ text: String, _ zone: TimeZone, now: Int64) throws -> [String] {
        try ScheduleConversion.toUTC(cron(text), zone: zone, now: now).crons.map(\.text)
    }

    @Test func theOffsetAtTheFirstWindowIsUsed() throws {
        #expect(try converted("0 2 * * 6", berlin, now: winter) == ["0 1 * * 6"])
        #expect(try converted("0 2 * * 6", berlin, now: summer) == ["0 0 * * 6"])
        // Made in winter for July only: the summer offset applies.
        #expect(try converted("0 2 * 7 *", berlin, now: winter) == ["0 0 * 7 *"])
    }

    @Test func crossingMidnightMovesTheDays() throws {
        // Saturday 00:30 in Berlin (winter) is Friday 23:30 UTC; the 15th becomes the 14th.
        #expect(try converted("30 0 * * 6", berlin, now: winter) == ["30 23 * * 5"])
        #expect(try converted("30 0 15 * *", berlin, now: winter) == ["30 23 14 * *"])
        // Monday-Friday 22:30 in New York (winter, UTC-5) is Tuesday-Saturday 03:30 UTC.
        let newYork = TimeZone(identifier: "America/New_York")!
        #expect(try converted("30 22 * * 1,2,3,4,5", newYork, now: winter) == ["30 3 * * 2,3,4,5,6"])
        // Half-hour zones shift the minutes too.
        let kolkata = TimeZone(identifier: "Asia/Kolkata")!
        #expect(try converted("0 2 * * 1", kolkata, now: winter) == ["30 20 * * 0"])
    }

    @Test func timesOnDifferentUTCDaysBecomeSeparateCrons() throws {
        #expect(try converted("0 0,12 * * 1", berlin, now: winter) == ["0 23 * * 0", "0 11 * * 1"])
        // Without a day restriction the day does not matter: one cron.
        #expect(try converted("0 * * * *", berlin, now: winter) == ["0 * * * *"])
        #expect(try converted("15 0,12 * * *", berlin, now: winter) == ["15 11,23 * * *"])
    }

    @Test func aDayOfMonthThatLeavesTheMonthIsRefused() throws {
        do {
            _ = try converted("30 0 1 * *", berlin, now: winter)
            Issue.record("day 1 at 00:30 Berlin was converted")
        } catch let error as CLIError {
            #expect(error.message.hasPrefix("--day-of-month: day 1 at that time of day in Europe/Berlin"))
            #expect(error.message.contains("last day of the previous month in UTC"))
        }
        // UTC-5 at 22:00 on the 28th is the 29th in UTC, which February lacks.
        let newYork = TimeZone(identifier: "America/New_York")!
        #expect(throws: CLIError.self) { try converted("0 22 28 * *", newYork, now: winter) }
        #expect(try converted("0 22 27 * *", newYork, now: winter) == ["0 3 28 * *"])
    }

    @Test func clockChangesAndMonthEdgesAreReported() throws {
        let plan = try ScheduleConversion.toUTC(cron("0 2 * * 6"), zone: berlin, now: winter)
        #expect(plan.offsetSeconds == 3600)
        #expect(plan.notes.contains { $0.contains("Europe/Berlin changes to UTC+02:00 on 2026-03-29") })
        #expect(plan.notes.contains { $0.contains("1h 0m later on the local clock (03:00 instead of 02:00)") })
        let kolkata = TimeZone(identifier: "Asia/Kolkata")!
        let steady = try ScheduleConversion.toUTC(cron("0 2 * * 1"), zone: kolkata, now: winter)
        #expect(!steady.notes.contains { $0.contains("changes to") })
        let edges = try ScheduleConversion.toUTC(cron("30 0 * 3 *"), zone: berlin, now: winter)
        #expect(edges.notes.contains { $0.contains("near the start and end of the selected months") })
        let utc = try ScheduleConversion.toUTC(cron("0 2 * * 6"), zone: TimeZone(identifier: "UTC")!, now: winter)
        #expect(utc.crons.map(\.text) == ["0 2 * * 6"])
        #expect(utc.notes.isEmpty)
    }

    @Test func thePreviewListsTheNextWindowsOfAllCrons() throws {
        let plan = try ScheduleConversion.toUTC(cron("0 0,12 * * 1"), zone: berlin, now: winter)
        let windows = ScheduleConversion.nextWindows(plan.crons, durationSeconds: 3600, after: winter, count: 3)
        // 2026-01-15 is a Thursday: next Monday is the 19th, 00:00 and 12:00 Berlin = 18th 23:00Z, 19th 11:00Z.
        #expect(windows.map(\.start) == [1_768_777_200, 1_768_820_400, 1_769_382_000])
        #expect(windows.allSatisfy { $0.end == $0.start + 3600 })
        #expect(
            windows.map { TimeText.display($0.start, in: berlin, withSeconds: false) }.first
                == "2026-01-19 00:00 +01:00"
        )
    }

    @Test func friendlyCronInputExpands() throws {
        #expect(try CronInput.expand("mon-fri", kind: .dayOfWeek, option: "--day-of-week") == "1,2,3,4,5")
        #expect(try CronInput.expand("fri-sun", kind: .dayOfWeek, option: "--day-of-week") == "0,5,6")
        #expect(try CronInput.expand("7", kind: .dayOfWeek, option: "--day-of-week") == "0")
        #expect(try CronInput.expand("jan,jul-aug", kind: .month, option: "--month") == "1,7,8")
        #expect(try CronInput.expand("1-3,31", kind: .dayOfMonth, option: "--day-of-month") == "1,2,3,31")
        #expect(try CronInput.expand("*", kind: .hours, option: "--hour") == "*")
        for (text, kind) in [
            ("24", CronFieldKind.hours), ("5-1", .hours), ("*/5", .minutes), ("funday", .dayOfWeek), ("", .month),
        ] {
            do {
                _ = try CronInput.expand(text, kind: kind, option: "--x")
                Issue.record("\(text) was accepted")
            } catch {
                #expect(error.message.hasPrefix("--x: "))
            }
        }
    }
}
