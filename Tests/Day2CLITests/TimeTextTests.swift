import Foundation
import Testing

@testable import Day2CLI

@Suite struct TimeTextTests {
    let berlin = TimeZone(identifier: "Europe/Berlin")!
    let utc = TimeZone(identifier: "UTC")!
    /// 2026-06-01T12:00:00Z.
    let now: Int64 = 1_780_315_200

    @Test(arguments: [
        ("now", 0), ("now+30s", 30), ("NOW+10m", 600), ("now+1h30m", 5400), ("now-5m", -300), ("now+1d", 86400),
    ])
    func relativeTimes(_ text: String, _ offset: Int64) throws {
        #expect(try TimeText.parseInstant(text, option: "--start", zone: berlin, now: now) == now + offset)
    }

    @Test func rfc3339WithOffsetIgnoresTheZone() throws {
        #expect(try TimeText.parseInstant("2026-06-01T14:00:00+02:00", option: "--start", zone: utc, now: now) == now)
        #expect(try TimeText.parseInstant("2026-06-01T12:00:00.250Z", option: "--start", zone: berlin, now: now) == now)
    }

    @Test func wallTimesUseTheZonesOffsetOnThatDay() throws {
        // Summer: UTC+2; winter: UTC+1.
        #expect(try TimeText.parseInstant("2026-06-01 14:00", option: "--start", zone: berlin, now: now) == now)
        let winter = try TimeText.parseInstant("2026-12-01T13:00", option: "--start", zone: berlin, now: now)
        #expect(winter == 1_796_126_400)
        #expect(TimeText.display(winter, in: berlin) == "2026-12-01 13:00:00 +01:00")
        #expect(TimeText.display(now, in: berlin, withSeconds: false) == "2026-06-01 14:00 +02:00")
    }

    @Test func aSkippedWallTimeIsRefusedAndARepeatedOneMeansTheFirst() throws {
        #expect(throws: CLIError.self) {
            try TimeText.parseInstant("2026-03-29 02:30", option: "--start", zone: berlin, now: now)
        }
        do {
            _ = try TimeText.parseInstant("2026-03-29 02:30", option: "--start", zone: berlin, now: now)
        } catch {
            #expect(error.description.contains("--start: 2026-03-29 02:30 does not exist in Europe/Berlin"))
            #expect(error.exitCode == 64)
        }
        // 02:30 happens twice on 2026-10-25: first at 00:30Z (CEST), then 01:30Z (CET).
        let first = try TimeText.parseInstant("2026-10-25 02:30", option: "--start", zone: berlin, now: now)
        #expect(TimeText.display(first, in: utc) == "2026-10-25 00:30:00 +00:00")
    }

    @Test(arguments: ["tomorrow", "2026-13-01 10:00", "2026-02-30 10:00", "now+", "now+5x", "2026-06-01 25:00"])
    func nonsenseIsRefusedNamingTheOption(_ text: String) {
        do {
            _ = try TimeText.parseInstant(text, option: "--end", zone: berlin, now: now)
            Issue.record("\(text) was accepted")
        } catch {
            #expect(error.message.hasPrefix("--end: "))
        }
    }

    @Test(
        arguments: [("90", 90), ("30s", 30), ("10m", 600), ("2h", 7200), ("1h30m", 5400), ("1d", 86400)]
            as [(String, Int64)]
    )
    func durations(_ text: String, _ seconds: Int64) {
        #expect(TimeText.parseDuration(text) == seconds)
    }

    @Test func badDurations() {
        for text in ["", "h", "1x", "1h30", "-5", "soon"] { #expect(TimeText.parseDuration(text) == nil, "\(text)") }
    }

    @Test func durationsReadLikeTheWebUI() {
        #expect(TimeText.duration(45) == "45s")
        #expect(TimeText.duration(720) == "12m")
        #expect(TimeText.duration(7500) == "2h 5m")
        #expect(TimeText.duration(3 * 86400 + 4 * 3600) == "3d 4h")
    }
}
