import ArgumentParser
import Day2Model
import Foundation
import Testing

@testable import Day2CLI

/// The parts of `day2ctl rollouts` that need no server: flags to request, JSON to tables, the watch's bars and
/// exit codes.
@Suite struct RolloutCommandTests {
    let utc = TimeZone(identifier: "UTC")!
    /// 2026-12-08T07:00:00Z.
    let now: Int64 = 1_796_713_200

    func run(_ arguments: [String], input: [String] = []) async -> (code: Int32, out: String, err: String) {
        let out = CapturedText()
        let err = CapturedText()
        let context = CLIContext(
            environment: ["DAY2CTL_CONFIG": "/nonexistent/day2ctl-test/config.json", "TZ": "UTC"],
            output: out,
            errors: err,
            input: ScriptedInput(input)
        )
        let code = await Day2CTL.run(arguments, in: context)
        return (code, out.text, err.text)
    }

    /// A running rollout of 12 hosts in three waves as the API answers it: the canary done, wave 2 under way.
    static let rolloutJSON = """
        {"resourceId":"rollout-1a2b3c4d","name":"emt-0602","osUpdatePolicyId":"osupdatepolicy-5e6f7a8b",
         "regionId":"","siteId":"site-00c0ffee","hostIds":[],"filter":"",
         "waves":[
           {"hosts":2,"percent":0,"state":"WAVE_STATE_SUCCEEDED","total":2,"pending":0,"updating":0,"updated":2,
            "failed":0,"skipped":0,"startTime":1796713200,"endTime":1796716800},
           {"hosts":0,"percent":25,"state":"WAVE_STATE_RUNNING","total":3,"pending":1,"updating":1,"updated":0,
            "failed":1,"skipped":0,"startTime":1796716800,"endTime":0},
           {"hosts":0,"percent":100,"state":"WAVE_STATE_PENDING","total":7,"pending":5,"updating":0,"updated":0,
            "failed":0,"skipped":2,"startTime":0,"endTime":0}],
         "successThreshold":100,"failureThreshold":40,"soakSeconds":1800,"commitDeadlineSeconds":7200,
         "startSeconds":1796713200,"respectMaintenanceWindows":true,"windowSeconds":3600,
         "state":"ROLLOUT_STATE_RUNNING","stateReason":"","currentWave":2,"totalHosts":12,
         "timestamps":{"createdAt":"2026-12-08T06:55:00Z","updatedAt":"2026-12-08T08:00:00Z"}}
        """

    func rollout() throws -> JSONValue { try #require(JSONValue.parse(Self.rolloutJSON)) }

    // MARK: --wave

    @Test func waveFlagsReadHostsPercentagesAndTheRest() throws {
        #expect(try RolloutRequest.waves(["5", "25%", "rest"]) == [.hosts(5), .percent(25), .percent(100)])
        #expect(
            try RolloutRequest.waves(["1,10%", " 50% ", "REST"]) == [
                .hosts(1), .percent(10), .percent(50), .percent(100),
            ]
        )
        #expect(try RolloutRequest.waves(["3", "100%"]) == [.hosts(3), .percent(100)])
        #expect(try RolloutRequest.waves(["rest"]) == [.percent(100)])
        #expect(try RolloutRequest.waves([]) == [])
        #expect(try RolloutRequest.waves(["40%", "40%", "40%"]) == [.percent(40), .percent(40), .percent(40)])
    }

    @Test(
        arguments: [
            (["rest", "5"], "\"rest\" takes every host left, so it can only be the last wave (wave 1 of 2)"),
            (["100%", "rest"], "\"100%\" takes every host left, so it can only be the last wave (wave 1 of 2)"),
            (["0"], "\"0\" hosts: a wave takes 1 to 100000 hosts (wave 1)"),
            (["5", "0%"], "\"0%\" is not a percentage of 1% to 100% (wave 2)"),
            (["150%"], "\"150%\" is not a percentage of 1% to 100% (wave 1)"),
            (["five"], "\"five\" is not a wave size: give a number of hosts (5), a percentage (25%) or rest"),
            (["5,,rest"], "\"\" is not a wave size: give a number of hosts (5), a percentage (25%) or rest"),
            (["60%", "40%", "rest"], "waves 1 to 2 take 100% of the hosts, so the waves after them would be empty"),
        ]
    )
    func badWaveFlagsAreRefusedNamingTheFlag(waves: [String], rule: String) {
        #expect(throws: CLIError.self) { try RolloutRequest.waves(waves) }
        do {
            _ = try RolloutRequest.waves(waves)
        } catch {
            #expect(error.message == "--wave: " + rule)
            #expect(error.exitCode == 64)
        }
    }

    @Test func tooManyWavesAreRefused() {
        do {
            _ = try RolloutRequest.waves(Array(repeating: "1", count: 101))
            Issue.record("101 waves were accepted")
        } catch {
            #expect(error.message == "--wave: 101 waves given; a rollout has at most 100")
        }
    }

    @Test func aBadWaveIsAUsageErrorBeforeAnythingIsSent() async {
        let result = await run([
            "rollouts", "create", "r", "--policy", "p", "--site", "s", "--wave", "5", "--wave", "x%",
        ])
        #expect(result.code == 64)
        #expect(result.err.hasPrefix("error: --wave: \"x%\" is not a percentage"), "\(result)")
        #expect(!result.err.contains("not logged in"))
    }

    // MARK: The request body

    func create(_ arguments: [String]) throws -> RolloutCommands.Create {
        try RolloutCommands.Create.parse(arguments)
    }

    @Test func everyFlagLandsInTheContractsField() throws {
        let command = try create([
            "canary", "--policy", "osupdatepolicy-5e6f7a8b", "--region", "region-0a0b0c0d", "--wave", "2", "--wave",
            "25%", "--wave", "rest", "--success-threshold", "90%", "--failure-threshold", "20", "--soak", "30m",
            "--commit-deadline", "1h30m", "--start", "2026-12-08 09:00", "--ignore-windows", "--window", "2h",
            "--timezone", "Europe/Berlin",
        ])
        let berlin = try #require(TimeZone(identifier: "Europe/Berlin"))
        let body = try command.request(now: now, zone: berlin).body
        #expect(
            body.compact
                == #"{"name":"canary","osUpdatePolicyId":"osupdatepolicy-5e6f7a8b","regionId":"region-0a0b0c0d","#
                + #""waves":[{"hosts":2},{"percent":25},{"percent":100}],"successThreshold":90,"failureThreshold":20,"#
                + #""soakSeconds":1800,"commitDeadlineSeconds":5400,"startSeconds":1796716800,"#
                + #""respectMaintenanceWindows":false,"windowSeconds":7200}"#
        )
    }

    @Test func onlyWhatWasGivenIsSentSoTheServerDefaultsApply() throws {
        let bySite = try create(["r", "--policy", "emt", "--site", "berlin"]).request(now: now, zone: utc)
        #expect(bySite.body.compact == #"{"name":"r","osUpdatePolicyId":"emt","siteId":"berlin"}"#)
        let byHosts = try create(["r", "--policy", "p", "--hosts", "edge-1,edge-2", "--hosts", "host-0000000a"])
            .request(now: now, zone: utc)
        #expect(byHosts.target == .hosts(["edge-1", "edge-2", "host-0000000a"]))
        #expect(byHosts.body["hostIds"] == .array([.string("edge-1"), .string("edge-2"), .string("host-0000000a")]))
        let byFilter = try create(["r", "--policy", "p", "--filter", #"name="edge-1""#]).request(now: now, zone: utc)
        #expect(byFilter.body["filter"] == .string(#"name="edge-1""#))
        let ignoring = try create(["r", "--policy", "p", "--site", "s", "--ignore-windows"]).request(
            now: now,
            zone: utc
        )
        #expect(ignoring.body["respectMaintenanceWindows"] == .bool(false))
        #expect(ignoring.body["windowSeconds"].isNull)
        let startNow = try create(["r", "--policy", "p", "--site", "s", "--start", "now+1h"]).request(
            now: now,
            zone: utc
        )
        #expect(startNow.startSeconds == now + 3600)
    }

    @Test(
        arguments: [
            (["--success-threshold", "120"], "--success-threshold: \"120\" is not a percentage from 0 to 100"),
            (["--failure-threshold", "x"], "--failure-threshold: \"x\" is not a percentage from 0 to 100"),
            (["--soak", "soon"], "--soak: \"soon\" is not a duration such as 90, 30s, 10m, 2h or 1h30m"),
            (["--soak", "31d"], "--soak: 31d 0h is out of range: give 0s to 30d"),
            (["--commit-deadline", "30s"], "--commit-deadline: 30s is out of range: give 1m to 30d"),
            (
                ["--window", "2h"],
                "--window: only with --ignore-windows (otherwise the hosts' own maintenance windows apply)"
            ),
            (["--ignore-windows", "--window", "2d"], "--window: 2d 0h is out of range: give 1m to 24h"),
            (
                ["--start", "2020-01-01T00:00:00Z"],
                "--start: 2020-01-01 00:00:00 +00:00 is in the past (now is 2026-12-08 07:00:00 +00:00)"
            ),
            (["--start", "tomorrow"], "--start: \"tomorrow\" is not a time"),
        ]
    )
    func badFlagsNameTheFlag(extra: [String], message: String) throws {
        let command = try create(["r", "--policy", "p", "--site", "s"] + extra)
        do {
            _ = try command.request(now: now, zone: utc)
            Issue.record("\(extra) was accepted")
        } catch {
            #expect(error.message.hasPrefix(message), "\(error.message)")
            #expect(error.exitCode == 64)
        }
    }

    @Test func theTargetIsExactlyOneOfRegionSiteHostsAndFilter() async {
        let none = await run(["rollouts", "create", "r", "--policy", "p"])
        #expect(none.code == 64)
        #expect(none.err.contains("give the hosts to update: --region, --site, --hosts or --filter"), "\(none)")
        let two = await run(["rollouts", "create", "r", "--policy", "p", "--site", "s", "--hosts", "h"])
        #expect(two.code == 64)
        #expect(two.err.contains("give only one of --region, --site, --hosts and --filter"), "\(two)")
        let noPolicy = await run(["rollouts", "create", "r", "--site", "s"])
        #expect(noPolicy.code == 64)
        #expect(noPolicy.err.contains("--policy"), "\(noPolicy)")
        let badFirst = await run(["rollouts", "preview", "rollout-1a2b3c4d", "--first", "2000"])
        #expect(badFirst.code == 64)
        #expect(badFirst.err.contains("--first must be 0...1000"))
        let badState = await run(["rollouts", "hosts", "rollout-1a2b3c4d", "--state", "broken"])
        #expect(badState.code == 64)
        #expect(badState.err.contains("--state"), "\(badState)")
        let badInterval = await run(["rollouts", "watch", "rollout-1a2b3c4d", "--interval", "0s"])
        #expect(badInterval.code == 64)
        #expect(badInterval.err.contains("--interval: 0s is out of range: give 1s to 1h"), "\(badInterval)")
    }

    @Test func hostStatesReadShortAndAPINames() {
        #expect(RolloutCommands.HostState(argument: "failed")?.apiName == "ROLLOUT_HOST_STATE_FAILED")
        #expect(
            RolloutCommands.HostState(argument: "ROLLOUT_HOST_STATE_UPDATING")?.apiName == "ROLLOUT_HOST_STATE_UPDATING"
        )
        #expect(RolloutCommands.HostState(argument: "done") == nil)
    }

    // MARK: Tables

    @Test func aRolloutReadsAsAListRow() throws {
        let item = try rollout()
        let columns = RolloutViews.columns(zone: utc)
        let table = Table(headers: columns.map(\.header), rows: [columns.map { $0.value(item) }]).rendered
        #expect(
            table == """
                RESOURCE ID        NAME       STATE     WAVE   HOSTS   UPDATED   FAILED   SKIPPED   START                        REASON
                rollout-1a2b3c4d   emt-0602   running   2/3    12      2         1        2         2026-12-08 07:00:00 +00:00   -
                """
        )
    }

    @Test func aRolloutReadsAsLabelledLinesWithItsWaves() throws {
        let item = try rollout()
        let text = Table.details(RolloutViews.details(item, zone: utc))
        #expect(
            text == """
                Resource ID:       rollout-1a2b3c4d
                Name:              emt-0602
                State:             running
                Reason:            -
                OS update policy:  osupdatepolicy-5e6f7a8b
                Target:            site site-00c0ffee
                Hosts:             12
                Current wave:      2/3
                Success threshold: 100%
                Failure threshold: 40%
                Soak:              30m
                Commit deadline:   2h 0m
                Start:             2026-12-08 07:00:00 +00:00
                Windows:           the hosts' own maintenance windows (host, site, regions)
                Created:           2026-12-08 06:55:00 +00:00
                Updated:           2026-12-08 08:00:00 +00:00
                Waves:             WAVE   SIZE   STATE       TOTAL   UPDATED   FAILED   UPDATING   PENDING   SKIPPED   START                        END
                                   1      2      succeeded   2       2         0        0          0         0         2026-12-08 07:00:00 +00:00   2026-12-08 08:00:00 +00:00
                                   2      25%    running     3       0         1        1          1         0         2026-12-08 08:00:00 +00:00   -
                                   3      rest   pending     7       0         0        0          5         2         -                            -
                """
        )
    }

    @Test func targetsAndWindowsReadAsWords() throws {
        let byHosts = try #require(
            JSONValue.parse(
                #"{"regionId":"","siteId":"","hostIds":["host-1","host-2","host-3","host-4","host-5","host-6","host-7"],"#
                    + #""filter":"","respectMaintenanceWindows":false,"windowSeconds":5400}"#
            )
        )
        #expect(RolloutViews.target(byHosts) == "hosts host-1, host-2, host-3, host-4, host-5 and 2 more")
        #expect(RolloutViews.windows(byHosts) == "opened by the rollout when a wave opens, 1h 30m each")
        let byFilter = try #require(JSONValue.parse(#"{"regionId":"","siteId":"","hostIds":[],"filter":"name=\"a\""}"#))
        #expect(RolloutViews.target(byFilter) == "filter name=\"a\"")
    }

    @Test func aHostsReasonIsShortInATable() throws {
        let log =
            #"{"update_log":[{"action":"install","failure_log":"the new image did not boot","#
            + #""failure_reason":"bootloader","status":"rolledback"}]}"#
        let failed = JSONValue.object([("reason", .string("update-failed")), ("reasonDetail", .string(log))])
        #expect(RolloutViews.reason(failed) == "update-failed: the new image did not boot")
        let long = String(repeating: "x", count: 300)
        let deadline = JSONValue.object([("reason", .string("deadline")), ("reasonDetail", .string(long))])
        #expect(RolloutViews.reason(deadline) == "deadline: " + String(repeating: "x", count: 99) + "…")
        #expect(RolloutViews.reason(.object([("reason", .string("")), ("reasonDetail", .string(""))])) == "")
        let hosts = RolloutViews.hostColumns(zone: utc)
        let host = try #require(
            JSONValue.parse(
                #"{"hostId":"host-0000000a","hostName":"edge-a","siteId":"site-00c0ffee","wave":1,"#
                    + #""state":"ROLLOUT_HOST_STATE_UPDATED","reason":"","reasonDetail":"","runId":"osupdaterun-0000000b","#
                    + #""openedAt":1796713200,"startedAt":1796713260,"endedAt":1796713500}"#
            )
        )
        #expect(
            Table(headers: hosts.map(\.header), rows: [hosts.map { $0.value(host) }]).rendered == """
                HOST ID         NAME     SITE ID         WAVE   STATE     REASON   RUN                    STARTED                      ENDED
                host-0000000a   edge-a   site-00c0ffee   1      updated   -        osupdaterun-0000000b   2026-12-08 07:01:00 +00:00   2026-12-08 07:05:00 +00:00
                """
        )
    }

    @Test func aPreviewShowsWavesSkippedHostsAndTheFirstHosts() throws {
        let preview = try #require(
            JSONValue.parse(
                """
                {"totalHosts":5,
                 "waves":[{"wave":1,"hosts":1,"skipped":0,"earliestStart":1796713200,"earliestFinish":1796716800},
                          {"wave":2,"hosts":4,"skipped":1,"earliestStart":1796716800,"earliestFinish":0}],
                 "skippedByReason":[{"reason":"already-on-target","hosts":1}],
                 "earliestFinish":0,
                 "hosts":[{"hostId":"host-0000000a","hostName":"edge-a","siteId":"site-00c0ffee","wave":1,
                           "state":"ROLLOUT_HOST_STATE_PENDING","reason":"","osId":"os-0000000b",
                           "offer":"microvisor 3.0.20260602.2200","earliestStart":1796716800,
                           "earliestStartUtc":"2026-12-08T08:00:00Z","earliestStartLocal":"2026-12-08T09:00:00+01:00",
                           "timeZone":"Europe/Berlin"},
                          {"hostId":"host-0000000c","hostName":"edge-c","siteId":"site-00c0ffee","wave":2,
                           "state":"ROLLOUT_HOST_STATE_SKIPPED","reason":"already-on-target","osId":"","offer":"",
                           "earliestStart":0,"earliestStartUtc":"","earliestStartLocal":"","timeZone":""}],
                 "totalElements":5,"hasNext":true}
                """
            )
        )
        let text = RolloutViews.preview(preview, zone: utc, command: "--preview")
        #expect(
            text == """
                plan: 5 hosts in 2 waves; earliest finish never (a wave cannot reach its threshold)
                WAVE   HOSTS   SKIPPED   EARLIEST START               EARLIEST FINISH
                1      1       0         2026-12-08 07:00:00 +00:00   2026-12-08 08:00:00 +00:00
                2      4       1         2026-12-08 08:00:00 +00:00   never

                skipped: 1 already-on-target

                HOST ID         NAME     SITE ID         WAVE   STATE                        OS OFFER                       EARLIEST START (UTC)         LOCAL
                host-0000000a   edge-a   site-00c0ffee   1      pending                      microvisor 3.0.20260602.2200   2026-12-08 08:00:00 +00:00   2026-12-08 09:00:00 +01:00 Europe/Berlin
                host-0000000c   edge-c   site-00c0ffee   2      skipped: already-on-target   -                              -                            -
                … and 3 more hosts (--preview --first N shows more, -o json all fields)
                """
        )
    }

    // MARK: watch

    @Test(
        arguments: [
            (20, 0, 0, 0, 0, "[####################]"),
            (5, 0, 1, 2, 12, "[#####!>>............]"),
            (0, 0, 0, 0, 10, "[....................]"),
            (1, 2, 0, 0, 1, "[#####----------.....]"),
            (0, 0, 1, 0, 99, "[!...................]"),
            (97, 1, 1, 1, 0, "[#################-!>]"),
            (0, 0, 0, 0, 0, "[                    ]"),
        ]
    )
    func theBarIsProportionalAndShowsEveryState(
        updated: Int,
        skipped: Int,
        failed: Int,
        updating: Int,
        pending: Int,
        expected: String
    ) {
        let bar = RolloutProgress.bar(
            updated: updated,
            skipped: skipped,
            failed: failed,
            updating: updating,
            pending: pending
        )
        #expect(bar == expected)
    }

    @Test func theBarAlwaysFillsItsWidth() {
        for updated in 0...7 {
            for failed in 0...3 {
                for pending in 0...40 where updated + failed + pending > 0 {
                    let bar = RolloutProgress.bar(
                        updated: updated,
                        skipped: 0,
                        failed: failed,
                        updating: 1,
                        pending: pending
                    )
                    #expect(bar.count == RolloutProgress.barWidth + 2, "\(updated) \(failed) \(pending): \(bar)")
                    #expect(bar.contains("!") == (failed > 0))
                    #expect(bar.contains(">"))
                }
            }
        }
    }

    @Test func theFrameHasAHeadlineAWaveLineEachAndTheReason() throws {
        var item = try rollout()
        #expect(
            RolloutProgress.frame(item, zone: utc) == [
                "rollout-1a2b3c4d (emt-0602): running, wave 2/3, 12 hosts",
                "wave 1 [####################] 2/2 updated, 0 failed, 0 updating, 0 pending: succeeded",
                "wave 2 [!!!!!!!>>>>>>>......] 0/3 updated, 1 failed, 1 updating, 1 pending: running",
                "wave 3 [------..............] 0/7 updated, 2 skipped, 0 failed, 0 updating, 5 pending: pending",
            ]
        )
        item = item.setting("state", .string("ROLLOUT_STATE_PAUSED"))
            .setting("stateReason", .string("wave 2: 1 of 3 hosts failed, above the failure threshold of 0 %"))
        let paused = RolloutProgress.frame(item, zone: utc)
        #expect(paused.first == "rollout-1a2b3c4d (emt-0602): paused, wave 2/3, 12 hosts")
        #expect(
            paused.last
                == "paused: wave 2: 1 of 3 hosts failed, above the failure threshold of 0 % "
                + "(day2ctl rollouts resume rollout-1a2b3c4d goes on)"
        )
        let scheduled = item.setting("state", .string("ROLLOUT_STATE_SCHEDULED")).setting("stateReason", .string(""))
            .setting("currentWave", .int(0))
        #expect(
            RolloutProgress.frame(scheduled, zone: utc).first
                == "rollout-1a2b3c4d (emt-0602): scheduled, starts 2026-12-08 07:00:00 +00:00, wave 0/3, 12 hosts"
        )
    }

    @Test func withoutATerminalOnlyTheLinesThatChangedArePrinted() throws {
        let before = try rollout()
        #expect(RolloutProgress.changes(from: nil, to: before, zone: utc).count == 4)
        #expect(RolloutProgress.changes(from: before, to: before, zone: utc).isEmpty)
        var waves = before["waves"].array
        waves[1] = waves[1].setting("updating", .int(0)).setting("updated", .int(1))
        let after = before.setting("waves", .array(waves))
        #expect(
            RolloutProgress.changes(from: before, to: after, zone: utc) == [
                "wave 2 [#######!!!!!!!......] 1/3 updated, 1 failed, 0 updating, 1 pending: running"
            ]
        )
        let cancelled = after.setting("state", .string("ROLLOUT_STATE_CANCELLED"))
            .setting("stateReason", .string("cancelled by admin"))
        #expect(
            RolloutProgress.changes(from: after, to: cancelled, zone: utc) == [
                "rollout-1a2b3c4d (emt-0602): cancelled, wave 2/3, 12 hosts", "reason: cancelled by admin",
            ]
        )
    }

    @Test func aRedrawMovesUpOverTheLastFrame() {
        #expect(RolloutProgress.redraw(over: 0) == "")
        #expect(RolloutProgress.redraw(over: 4) == "\u{1B}[4A\r\u{1B}[J")
    }

    @Test(
        arguments: [
            ("ROLLOUT_STATE_SUCCEEDED", RolloutProgress.Outcome.succeeded, Int32?.some(0)),
            ("ROLLOUT_STATE_FAILED", .failed, 1),
            ("ROLLOUT_STATE_CANCELLED", .cancelled, 1),
            ("ROLLOUT_STATE_PAUSED", .watching, nil),
            ("ROLLOUT_STATE_RUNNING", .watching, nil),
            ("ROLLOUT_STATE_SCHEDULED", .watching, nil),
            ("ROLLOUT_STATE_SOMETHING_NEW", .watching, nil),
        ]
    )
    func theWatchEndsOnlyWhenTheRolloutHasEnded(state: String, outcome: RolloutProgress.Outcome, code: Int32?) {
        #expect(RolloutProgress.outcome(state) == outcome)
        #expect(outcome.exitCode == code)
    }

    @Test func aFailedOrCancelledEndIsAnErrorWithTheReason() throws {
        let item = try rollout()
        #expect(throws: Never.self) {
            try RolloutCommands.Watch.finish(item.setting("state", .string("ROLLOUT_STATE_SUCCEEDED")))
        }
        do {
            try RolloutCommands.Watch.finish(
                item.setting("state", .string("ROLLOUT_STATE_FAILED"))
                    .setting("stateReason", .string("wave 2 can no longer reach its success threshold"))
            )
            Issue.record("a failed rollout ended the watch without an error")
        } catch {
            #expect(
                error.message == "rollout rollout-1a2b3c4d failed: wave 2 can no longer reach its success threshold"
            )
            #expect(error.exitCode == 1)
        }
        do {
            try RolloutCommands.Watch.finish(item.setting("state", .string("ROLLOUT_STATE_CANCELLED")))
            Issue.record("a cancelled rollout ended the watch without an error")
        } catch {
            #expect(error.message == "rollout rollout-1a2b3c4d was cancelled")
            #expect(error.exitCode == 1)
        }
    }

    // MARK: Asking

    @Test func theQuestionTakesYesOnlyAndNoAnswerIsNoTerminal() {
        func answer(_ lines: [String]) -> (Bool?, String) {
            let err = CapturedText()
            let context = CLIContext(environment: [:], output: CapturedText(), errors: err, input: ScriptedInput(lines))
            return (RolloutTerminal.confirm("Create this rollout? [y/N]", context: context), err.text)
        }
        #expect(answer(["y"]).0 == true)
        #expect(answer([" YES "]).0 == true)
        #expect(answer(["n"]).0 == false)
        #expect(answer([""]).0 == false)
        #expect(answer(["yess"]).0 == false)
        let (none, asked) = answer([])
        #expect(none == nil)
        #expect(asked == "Create this rollout? [y/N] \n")
        #expect(RolloutTerminal.isTerminal(CapturedText()) == false)
    }
}
