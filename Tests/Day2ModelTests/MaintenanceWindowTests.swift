import Day2Model
import Foundation
import Testing

@Suite("Single maintenance windows")
struct SingleWindowTests {
    @Test(
        "closed window includes both ends",
        arguments: [(99 as Int64, false), (100, true), (150, true), (200, true), (201, false)]
    )
    func closed(t: Int64, active: Bool) {
        #expect(WindowMath.singleIsActive(start: 100, end: 200, at: t) == active)
    }

    @Test(
        "nil or zero end means open-ended",
        arguments: [(99 as Int64, false), (100, true), (4_000_000_000, true)]
    )
    func openEnded(t: Int64, active: Bool) {
        #expect(WindowMath.singleIsActive(start: 100, end: nil, at: t) == active)
        #expect(WindowMath.singleIsActive(start: 100, end: 0, at: t) == active)
    }

    @Test("TimeWindow is half-open and may be open-ended")
    func timeWindow() {
        let closed = TimeWindow(start: 100, end: 200)
        #expect(!closed.contains(99))
        #expect(closed.contains(100))
        #expect(closed.contains(199))
        #expect(!closed.contains(200))
        let open = TimeWindow(start: 100, end: nil)
        #expect(!open.contains(99))
        #expect(open.contains(100))
        #expect(open.contains(.max))
    }
}

@Suite("Repeated maintenance windows")
struct RepeatedWindowTests {
    @Test(
        "active boundaries around a 02:00 UTC tick with a one-hour duration",
        arguments: [
            (-1 as Int64, false),  // just before the tick, yesterday's window is long over
            (0, false),  // a tick exactly at t is not the previous tick
            (1, true),
            (1800, true),
            (3600, true),  // t == prev + duration is still active
            (3601, false),
        ]
    )
    func boundaries(offsetFromTick: Int64, active: Bool) throws {
        let spec = try cron("0 2 * * *")
        let utc = try zone("UTC")
        let tick = try unixSeconds("2026-03-10T02:00:00Z")
        let t = tick + offsetFromTick
        #expect(WindowMath.repeatedIsActive(cron: spec, durationSeconds: 3600, timeZone: utc, at: t) == active)
        let window = WindowMath.repeatedWindow(containing: t, cron: spec, durationSeconds: 3600, timeZone: utc)
        #expect(window == (active ? TimeWindow(start: tick, end: tick + 3600) : nil))
    }

    @Test("at a tick instant a full-day duration is still inside the previous window")
    func tickInstantUsesPreviousWindow() throws {
        let spec = try cron("0 2 * * *")
        let utc = try zone("UTC")
        let tick = try unixSeconds("2026-03-10T02:00:00Z")
        let yesterday = try unixSeconds("2026-03-09T02:00:00Z")
        #expect(WindowMath.repeatedIsActive(cron: spec, durationSeconds: 86400, timeZone: utc, at: tick))
        let window = WindowMath.repeatedWindow(containing: tick, cron: spec, durationSeconds: 86400, timeZone: utc)
        #expect(window == TimeWindow(start: yesterday, end: tick))
    }

    @Test("a window that starts in the fall-back overlap is measured in real seconds")
    func overlapWindow() throws {
        let spec = try cron("30 2 * * *")
        let berlin = try zone("Europe/Berlin")
        let tick = try unixSeconds("2026-10-25T00:30:00Z")
        let second = try unixSeconds("2026-10-25T01:30:00Z")  // 02:30 CET, the repeated wall time
        #expect(WindowMath.repeatedIsActive(cron: spec, durationSeconds: 3600, timeZone: berlin, at: second))
        #expect(!WindowMath.repeatedIsActive(cron: spec, durationSeconds: 3599, timeZone: berlin, at: second))
        let window = WindowMath.repeatedWindow(containing: second, cron: spec, durationSeconds: 3600, timeZone: berlin)
        #expect(window == TimeWindow(start: tick, end: second))
    }

    @Test("next windows start strictly after t and increase")
    func nextWindowsUTC() throws {
        let spec = try cron("0 2 * * *")
        let utc = try zone("UTC")
        let tick = try unixSeconds("2026-03-10T02:00:00Z")
        let windows = WindowMath.nextWindows(after: tick, count: 5, cron: spec, durationSeconds: 7200, timeZone: utc)
        let starts = try ["2026-03-11", "2026-03-12", "2026-03-13", "2026-03-14", "2026-03-15"].map {
            try unixSeconds("\($0)T02:00:00Z")
        }
        #expect(windows == starts.map { TimeWindow(start: $0, end: $0 + 7200) })
        #expect(zip(windows, windows.dropFirst()).allSatisfy { $0.start < $1.start })
    }

    @Test("next windows follow the wall clock across a DST change")
    func nextWindowsDST() throws {
        let spec = try cron("0 1 * * 0,6")
        let berlin = try zone("Europe/Berlin")
        let start = try unixSeconds("2026-03-20T12:00:00Z")
        let windows = WindowMath.nextWindows(
            after: start,
            count: 4,
            cron: spec,
            durationSeconds: 600,
            timeZone: berlin
        )
        // Sat 21, Sun 22, Sat 28 (CET, 00:00Z), Sun 29 (01:00 is still CET, the change is at 02:00).
        let starts = try [
            "2026-03-21T00:00:00Z", "2026-03-22T00:00:00Z", "2026-03-28T00:00:00Z", "2026-03-29T00:00:00Z",
        ].map(unixSeconds)
        #expect(windows == starts.map { TimeWindow(start: $0, end: $0 + 600) })
        let after = WindowMath.nextWindows(
            after: starts[3],
            count: 1,
            cron: spec,
            durationSeconds: 600,
            timeZone: berlin
        )
        #expect(after.map(\.start) == [try unixSeconds("2026-04-03T23:00:00Z")])
    }

    @Test("next windows with zero count or a cron that never ticks are empty")
    func nextWindowsEmpty() throws {
        let utc = try zone("UTC")
        let now = try unixSeconds("2026-03-10T00:00:00Z")
        let daily = try cron("0 2 * * *")
        #expect(WindowMath.nextWindows(after: now, count: 0, cron: daily, durationSeconds: 60, timeZone: utc).isEmpty)
        let never = try cron("0 0 30 2 *")
        #expect(WindowMath.nextWindows(after: now, count: 5, cron: never, durationSeconds: 60, timeZone: utc).isEmpty)
        #expect(!WindowMath.repeatedIsActive(cron: never, durationSeconds: 86400, timeZone: utc, at: now))
    }
}

@Suite("Window input validation")
struct WindowValidationTests {
    @Test("durations in 1...86400 are accepted", arguments: [1 as Int64, 3600, 86400])
    func durationAccepted(duration: Int64) throws {
        try WindowMath.validateDuration(duration)
    }

    @Test("durations outside 1...86400 are rejected", arguments: [0 as Int64, -1, 86401, .min, .max])
    func durationRejected(duration: Int64) {
        let error = #expect(throws: ValidationError.self) {
            try WindowMath.validateDuration(duration)
        }
        #expect(error?.field == "durationSeconds")
    }

    @Test(
        "IANA zone ids and UTC are accepted",
        arguments: [("UTC", 0), ("Europe/Berlin", 3600), ("America/New_York", -18000), ("Etc/GMT-5", 18000)]
    )
    func zoneAccepted(name: String, januaryOffset: Int) throws {
        let tz = try WindowMath.timeZone(named: name)
        let january = Date(timeIntervalSince1970: TimeInterval(try unixSeconds("2026-01-15T12:00:00Z")))
        #expect(tz.secondsFromGMT(for: january) == januaryOffset)
    }

    @Test(
        "unknown zone names are rejected",
        arguments: ["", "Foo/Bar", "europe/berlin", "Europe/Berlin ", "GMT+5", "UTC+2", "UTC-03:00", "+02:00"]
    )
    func zoneRejected(name: String) {
        let error = #expect(throws: ValidationError.self) {
            try WindowMath.timeZone(named: name)
        }
        #expect(error?.field == "timeZone")
    }
}
