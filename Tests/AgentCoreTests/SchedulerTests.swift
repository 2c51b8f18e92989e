import AgentCore
import Testing

@Suite("Maintenance windows (pure, clock-injected)")
struct SchedulerTests {
    @Test("a single window opens at its start and closes at its end (exclusive)")
    func single() {
        let scheduler = MaintenanceScheduler(single: SingleWindow(startSeconds: 1000, endSeconds: 2000), repeated: [])
        #expect(scheduler.openWindows(at: 999).isEmpty)
        #expect(scheduler.nextStart(after: 999) == 1000)
        #expect(scheduler.openWindows(at: 1000) == [WindowKey(source: .single, start: 1000, end: 2000)])
        #expect(scheduler.openWindows(at: 1999).count == 1)
        #expect(scheduler.openWindows(at: 2000).isEmpty)
        #expect(scheduler.nextStart(after: 1000) == nil)
    }

    @Test("an open-ended single window is honoured, long after its start")
    func openEnded() {
        let scheduler = MaintenanceScheduler(single: SingleWindow(startSeconds: 1000, endSeconds: 0), repeated: [])
        #expect(scheduler.openWindows(at: 1000) == [WindowKey(source: .single, start: 1000, end: nil)])
        #expect(scheduler.openWindows(at: 1000 + 86400 * 365).count == 1)
    }

    @Test("a window still open after a restart is joined with whatever time remains, once")
    func restartInsideWindow() {
        // Evaluation is a pure function of the windows and the time: a restarted agent sees the same window.
        let window = SingleWindow(startSeconds: 1000, endSeconds: 1300)
        let afterRestart = MaintenanceScheduler(single: window, repeated: [])
        var state = Day2AgentState()
        let open = afterRestart.usableWindow(at: 1290) { state.isUsed($0) }
        #expect(open == WindowKey(source: .single, start: 1000, end: 1300))
        state.markUsed(open!)
        // Used windows are not re-armed on later polls.
        #expect(afterRestart.usableWindow(at: 1295) { state.isUsed($0) } == nil)
    }

    @Test("repeated windows in UTC across a month end: a day-31 cron skips February")
    func monthEnd() {
        let cron = RepeatedWindow(durationSeconds: 3600, cronMinutes: "0", cronHours: "2", cronDayMonth: "31")
        let scheduler = MaintenanceScheduler(single: nil, repeated: [cron])
        #expect(scheduler.nextStart(after: 1_769_828_400) == 1_774_922_400)  // Jan 31 03:00 → Mar 31 02:00
        #expect(scheduler.openWindows(at: 1_774_922_400 + 3599).count == 1)
        #expect(scheduler.openWindows(at: 1_774_922_400 + 3600).isEmpty)
        // Each occurrence is its own window: using March's does not use May's.
        var state = Day2AgentState()
        state.markUsed(scheduler.openWindows(at: 1_774_922_400)[0])
        let may = scheduler.nextStart(after: 1_774_922_400)!
        #expect(scheduler.usableWindow(at: may + 10) { state.isUsed($0) } != nil)
    }

    @Test("a leap-day window comes round in the next leap year")
    func leapDay() {
        let cron = RepeatedWindow(
            durationSeconds: 600,
            cronMinutes: "0",
            cronHours: "0",
            cronDayMonth: "29",
            cronMonth: "2"
        )
        let scheduler = MaintenanceScheduler(single: nil, repeated: [cron])
        #expect(scheduler.nextStart(after: 1_803_859_200) == 1_835_395_200)  // 2027-03-01 → 2028-02-29
        #expect(scheduler.openWindows(at: 1_835_395_200 + 599).count == 1)
    }

    @Test("IANA time zone: the spring-forward gap has no window, the fall-back overlap opens once")
    func daylightSaving() {
        let cron = RepeatedWindow(durationSeconds: 1800, cronMinutes: "30", cronHours: "2", timeZone: "Europe/Berlin")
        let scheduler = MaintenanceScheduler(single: nil, repeated: [cron])
        #expect(scheduler.problems.isEmpty)
        // 2026-03-28 02:30 CET → next is 2026-03-30 02:30 CEST (02:30 does not exist on the 29th).
        #expect(scheduler.nextStart(after: 1_774_661_400) == 1_774_830_600)
        // 2026-10-24 02:30 CEST → 2026-10-25 02:30 CEST (first occurrence), and not again an hour later.
        let first = scheduler.nextStart(after: 1_792_801_800)
        #expect(first == 1_792_888_200)
        #expect(scheduler.nextStart(after: 1_792_888_200)! > 1_792_888_200 + 86400 - 7200)
        // The same cron in UTC opens at a different instant.
        let utc = MaintenanceScheduler(
            single: nil,
            repeated: [RepeatedWindow(durationSeconds: 1800, cronMinutes: "30", cronHours: "2")]
        )
        #expect(utc.nextStart(after: 1_792_801_800) != first)
    }

    @Test("bad repeated windows are listed and ignored; the others still work")
    func badRepeated() {
        let scheduler = MaintenanceScheduler(
            single: nil,
            repeated: [
                RepeatedWindow(durationSeconds: 0, cronMinutes: "0", cronHours: "1"),
                RepeatedWindow(durationSeconds: 60, cronMinutes: "*/5", cronHours: "1"),
                RepeatedWindow(durationSeconds: 60, cronMinutes: "0", cronHours: "1", timeZone: "Mars/Olympus"),
                RepeatedWindow(durationSeconds: 60, cronMinutes: "0", cronHours: "3"),
            ]
        )
        #expect(scheduler.problems.count == 3)
        #expect(scheduler.repeated.count == 1)
    }

    @Test("pre-download: jitter inside the download window, kept for the same image and window")
    func preDownload() {
        let window: Int64 = 100_000
        let early = PreDownloadPlan.plan(
            existing: nil,
            sha256: "s",
            windowStart: window,
            now: 0,
            immediate: 600,
            spread: 21600,
            random: { 0.5 }
        )
        #expect(early.startAt == window - 600 - 10800)
        let kept = PreDownloadPlan.plan(
            existing: early,
            sha256: "s",
            windowStart: window,
            now: 50,
            immediate: 600,
            spread: 21600,
            random: { 0.9 }
        )
        #expect(kept == early)
        let inside = PreDownloadPlan.plan(
            existing: nil,
            sha256: "s",
            windowStart: window,
            now: window - 1600,
            immediate: 600,
            spread: 21600,
            random: { 0.5 }
        )
        #expect(inside.startAt == window - 1100)
        let late = PreDownloadPlan.plan(
            existing: nil,
            sha256: "s",
            windowStart: window,
            now: window - 60,
            immediate: 600,
            spread: 21600,
            random: { 0.5 }
        )
        #expect(late.startAt == window - 60)
        let otherImage = PreDownloadPlan.plan(
            existing: early,
            sha256: "t",
            windowStart: window,
            now: 0,
            immediate: 600,
            spread: 21600,
            random: { 0 }
        )
        #expect(otherImage.startAt == window - 600 - 21600)
    }
}
