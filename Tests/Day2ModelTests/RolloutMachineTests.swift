import Day2Model
import Testing

/// A rollout and its hosts as the store keeps them, with each step of ``RolloutMachine`` applied the way the store
/// writes it (`applyRolloutAdvance`) and the observations built the way the store reads them
/// (`rolloutObservations`): hosts pending or updating in an open wave, with the newest run since the wave opened.
struct MachineHarness {
    var rollout: Rollout
    var hosts: [RolloutHost]
    /// The newest run of each host, by host ID.
    var runs: [String: ObservedRun] = [:]

    /// A rollout with waves of `sizes` hosts (host `n` is `host-0000000n`, in wave order); hosts in `skipped` are
    /// planned as skipped (already on target).
    init(
        sizes: [Int],
        successThreshold: Int = 100,
        failureThreshold: Int = 0,
        soakSeconds: Int64 = 0,
        commitDeadlineSeconds: Int64 = 7200,
        startSeconds: Int64 = 1000,
        respectMaintenanceWindows: Bool = true,
        skipped: Set<Int> = []
    ) {
        var hosts: [RolloutHost] = []
        var waves: [RolloutWave] = []
        for (wave, size) in sizes.enumerated() {
            var counts = RolloutCounts()
            for _ in 0..<size {
                let position = hosts.count
                let isSkipped = skipped.contains(position)
                hosts.append(
                    RolloutHost(
                        hostId: Self.hostId(position),
                        wave: wave,
                        position: position,
                        state: isSkipped ? .skipped : .pending,
                        reason: isSkipped ? .alreadyOnTarget : nil
                    )
                )
                counts[isSkipped ? .skipped : .pending] += 1
            }
            var value = RolloutWave(size: .hosts(size))
            value.counts = counts
            waves.append(value)
        }
        rollout = Rollout(
            resourceId: "rollout-0000abcd",
            name: "fleet",
            osUpdatePolicyId: "osupdatepolicy-0000abcd",
            target: .hosts(hosts.map(\.hostId)),
            waves: waves,
            successThreshold: successThreshold,
            failureThreshold: failureThreshold,
            soakSeconds: soakSeconds,
            commitDeadlineSeconds: commitDeadlineSeconds,
            startSeconds: startSeconds,
            respectMaintenanceWindows: respectMaintenanceWindows
        )
        self.hosts = hosts
    }

    static func hostId(_ number: Int) -> String { ResourceID.make(.host, number: UInt32(number)) }

    func host(_ number: Int) -> RolloutHost { hosts[number] }

    /// The hosts of `wave` (0-based).
    func hosts(ofWave wave: Int) -> [RolloutHost] { hosts.filter { $0.wave == wave } }

    /// What the store would hand the machine now.
    var observations: [RolloutObservation] {
        hosts.compactMap { host in
            guard host.state == .pending || host.state == .updating, let opened = host.openedAt else { return nil }
            let run = runs[host.hostId].flatMap { $0.startTime >= opened ? $0 : nil }
            guard host.state == .updating || run != nil else { return nil }
            return RolloutObservation(host: host, run: run)
        }
    }

    /// The rollout with its waves' counts taken from the hosts, as the controller prepares it.
    var counted: Rollout {
        var value = rollout
        var counts = Array(repeating: RolloutCounts(), count: value.waves.count)
        for host in hosts { counts[host.wave][host.state] += 1 }
        for index in value.waves.indices { value.waves[index].counts = counts[index] }
        return value
    }

    /// One controller step at `now`: the machine's decision, applied.
    @discardableResult
    mutating func step(at now: Int64) -> RolloutAdvance {
        let advance = RolloutMachine.advance(counted, observations: observations, now: now)
        apply(advance, now: now)
        return advance
    }

    /// Writes a step or an operator action the way the store does.
    mutating func apply(_ advance: RolloutAdvance, now: Int64) {
        rollout = advance.rollout
        for changed in advance.changedHosts {
            guard let index = hosts.firstIndex(where: { $0.hostId == changed.hostId }) else { continue }
            hosts[index] = changed
        }
        for index in hosts.indices where advance.openedWaves.contains(hosts[index].wave) && hosts[index].openedAt == nil
        {
            hosts[index].openedAt = now
        }
        for runId in advance.runsToFail {
            for (hostId, run) in runs where run.runId == runId && run.endTime == nil {
                var closed = run
                closed.indicator = .error
                closed.status = "Update failed"
                closed.statusTimestamp = now
                closed.endTime = now
                runs[hostId] = closed
            }
        }
        if let reason = advance.endPending {
            for index in hosts.indices where hosts[index].state == .pending {
                hosts[index].state = .skipped
                hosts[index].reason = reason
                hosts[index].endedAt = now
                hosts[index].active = false
            }
        }
        if advance.releaseFinishedHosts {
            for index in hosts.indices where hosts[index].state != .updating { hosts[index].active = false }
        }
    }

    /// The node of host `number` reports a run status at `at`: "Updating" (STARTED), a download, or an end.
    mutating func report(
        _ number: Int,
        _ status: String = "Updating",
        indicator: StatusIndication = .inProgress,
        ends: Bool = false,
        details: String = "",
        at: Int64
    ) {
        let hostId = Self.hostId(number)
        var run =
            runs[hostId].flatMap { $0.endTime == nil ? $0 : nil }
            ?? ObservedRun(
                runId: ResourceID.make(.osUpdateRun, number: UInt32(number)),
                indicator: indicator,
                status: status,
                statusTimestamp: at,
                startTime: at
            )
        run.status = status
        run.indicator = indicator
        run.details = details
        run.statusTimestamp = at
        if ends { run.endTime = at }
        runs[hostId] = run
    }

    /// The node of host `number` reports UPDATED at `at` (after STARTED a moment before, when no run is open).
    mutating func succeed(_ number: Int, at: Int64) {
        if runs[Self.hostId(number)]?.endTime != nil || runs[Self.hostId(number)] == nil {
            report(number, at: at - 1)
        }
        report(number, "Update completed", indicator: .idle, ends: true, at: at)
    }

    /// The node of host `number` reports FAILED at `at`.
    mutating func fail(_ number: Int, at: Int64, details: String = "boot check failed") {
        if runs[Self.hostId(number)]?.endTime != nil || runs[Self.hostId(number)] == nil {
            report(number, at: at - 1)
        }
        report(number, "Update failed", indicator: .error, ends: true, details: details, at: at)
    }

    /// Whether another step at `now` on the resulting state decides nothing new.
    func isSettled(at now: Int64) -> Bool {
        let again = RolloutMachine.advance(counted, observations: observations, now: now)
        return again.isEmpty && again.rollout == counted
    }
}

@Suite("Rollout state machine")
struct RolloutMachineTests {
    @Test(
        "a scheduled rollout starts at startSeconds and not before",
        arguments: [(999 as Int64, false), (1000, true), (1500, true)]
    )
    func startsAtStartSeconds(now: Int64, starts: Bool) {
        var harness = MachineHarness(sizes: [1, 2])
        let advance = harness.step(at: now)
        #expect(advance.rollout.state == (starts ? .running : .scheduled))
        #expect(advance.openedWaves == (starts ? [0] : []))
        #expect(advance.rollout.currentWave == (starts ? 0 : -1))
        #expect(advance.rollout.waves[0].state == (starts ? .running : .pending))
        #expect(advance.rollout.waves[0].startTime == (starts ? now : 0))
        #expect(advance.rollout.waves[1].state == .pending)
        #expect(harness.hosts(ofWave: 0).map(\.openedAt) == [starts ? now : nil])
        #expect(harness.hosts(ofWave: 1).allSatisfy { $0.openedAt == nil })
        #expect(harness.isSettled(at: now))
    }

    @Test("a canary that succeeds opens the next wave, and only that one")
    func canaryOpensNextWave() {
        var harness = MachineHarness(sizes: [1, 2, 3])
        harness.step(at: 1000)
        harness.report(0, at: 1010)
        let seen = harness.step(at: 1010)
        #expect(harness.host(0).state == .updating)
        #expect(harness.host(0).startedAt == 1010)
        #expect(harness.host(0).runId == ResourceID.make(.osUpdateRun, number: 0))
        #expect(seen.openedWaves.isEmpty)
        #expect(seen.rollout.waves[0].updating == 1 && seen.rollout.waves[0].pending == 0)

        harness.succeed(0, at: 1100)
        let advance = harness.step(at: 1100)
        #expect(harness.host(0).state == .updated)
        #expect(harness.host(0).endedAt == 1100)
        #expect(advance.openedWaves == [1])
        #expect(advance.rollout.currentWave == 1)
        #expect(advance.rollout.waves[0].state == .succeeded)
        #expect(advance.rollout.waves[0].endTime == 1100)
        #expect(advance.rollout.waves[0].updated == 1)
        #expect(advance.rollout.waves[1].state == .running)
        #expect(advance.rollout.waves[1].startTime == 1100)
        #expect(advance.rollout.waves[2].state == .pending)
        #expect(harness.hosts(ofWave: 1).allSatisfy { $0.openedAt == 1100 })
        #expect(harness.hosts(ofWave: 2).allSatisfy { $0.openedAt == nil })
        #expect(advance.rollout.state == .running)
        #expect(harness.isSettled(at: 1100))
    }

    @Test(
        "the next wave opens once the success threshold of the wave is reached",
        arguments: [
            (50, 1, false), (50, 2, true), (75, 2, false), (75, 3, true), (100, 3, false), (100, 4, true),
        ]
    )
    func successThreshold(threshold: Int, updated: Int, opens: Bool) {
        var harness = MachineHarness(sizes: [4, 4], successThreshold: threshold)
        harness.step(at: 1000)
        for number in 0..<updated { harness.succeed(number, at: 1100 + Int64(number)) }
        let advance = harness.step(at: 1200)
        #expect(advance.openedWaves == (opens ? [1] : []))
        #expect(advance.rollout.waves[0].state == (opens ? .succeeded : .running))
        #expect(advance.rollout.currentWave == (opens ? 1 : 0))
        // The hosts of the first wave that have not updated yet stay in their open wave.
        #expect(harness.hosts(ofWave: 0).filter { $0.state == .pending }.count == 4 - updated)
        #expect(harness.isSettled(at: 1200))
    }

    @Test("skipped hosts count as done: a wave of skipped hosts passes at once")
    func skippedHostsCountAsDone() {
        var harness = MachineHarness(sizes: [2, 2], skipped: [0, 1])
        let advance = harness.step(at: 1000)
        #expect(advance.openedWaves == [0, 1])
        #expect(advance.rollout.waves[0].state == .succeeded)
        #expect(advance.rollout.currentWave == 1)
        #expect(harness.hosts(ofWave: 1).allSatisfy { $0.openedAt == 1000 })
        #expect(harness.isSettled(at: 1000))
    }

    @Test(
        "the failure threshold pauses the rollout when failures are above it",
        arguments: [(20, 1, false), (20, 2, true), (40, 2, false), (40, 3, true), (0, 1, true)]
    )
    func failureThreshold(threshold: Int, failures: Int, pauses: Bool) {
        // At a success threshold of 100 % the first failure would make the wave fail instead.
        var harness = MachineHarness(sizes: [5, 5], successThreshold: 40, failureThreshold: threshold)
        harness.step(at: 1000)
        for number in 0..<failures { harness.fail(number, at: 1100 + Int64(number)) }
        let advance = harness.step(at: 1200)
        #expect(advance.rollout.state == (pauses ? .paused : .running))
        #expect(advance.openedWaves.isEmpty)
        if pauses {
            #expect(
                advance.rollout.stateReason
                    == "wave 1: \(failures) of 5 hosts failed, above the failure threshold of \(threshold) %"
            )
        } else {
            #expect(advance.rollout.stateReason.isEmpty)
        }
        #expect(harness.hosts.filter { $0.state == .failed }.allSatisfy { $0.reason == .updateFailed })
        #expect(harness.isSettled(at: 1200))
    }

    @Test("the pause reason names the wave, the failures and the threshold")
    func pauseReasonText() {
        var harness = MachineHarness(sizes: [5, 5], failureThreshold: 20)
        harness.step(at: 1000)
        harness.fail(0, at: 1100, details: "disk full")
        harness.fail(1, at: 1101)
        harness.step(at: 1102)
        #expect(harness.rollout.state == .paused)
        #expect(harness.rollout.stateReason == "wave 1: 2 of 5 hosts failed, above the failure threshold of 20 %")
        #expect(harness.host(0).reason == .updateFailed)
        #expect(harness.host(0).reasonDetail == "disk full")
        #expect(harness.host(0).endedAt == 1100)
        #expect(harness.host(0).active)
    }

    @Test("failureThreshold 0 pauses on the first failure")
    func firstFailurePauses() {
        var harness = MachineHarness(sizes: [3, 3], failureThreshold: 0)
        harness.step(at: 1000)
        harness.succeed(0, at: 1050)
        harness.step(at: 1050)
        #expect(harness.rollout.state == .running)
        harness.fail(1, at: 1100)
        harness.step(at: 1100)
        #expect(harness.rollout.state == .paused)
        #expect(harness.rollout.stateReason == "wave 1: 1 of 3 hosts failed, above the failure threshold of 0 %")
        #expect(harness.rollout.currentWave == 0)
    }

    @Test("a paused rollout opens no wave, but follows the hosts already updating")
    func pausedFollowsHosts() {
        var harness = MachineHarness(sizes: [3, 3])
        harness.step(at: 1000)
        harness.report(1, at: 1010)
        harness.fail(0, at: 1020)
        harness.step(at: 1020)
        #expect(harness.rollout.state == .paused)
        harness.succeed(1, at: 1100)
        harness.succeed(2, at: 1110)
        let advance = harness.step(at: 1200)
        #expect(advance.rollout.state == .paused)
        #expect(advance.openedWaves.isEmpty)
        #expect(harness.host(1).state == .updated)
        #expect(harness.host(2).state == .updated)
        #expect(advance.rollout.waves[0].updated == 2)
        #expect(harness.isSettled(at: 1200))
    }

    @Test("resume accepts the failures so far: no re-pause, and the success threshold leaves them out")
    func resumeAcceptsFailures() throws {
        var harness = MachineHarness(sizes: [5, 5], failureThreshold: 0)
        harness.step(at: 1000)
        harness.fail(0, at: 1100)
        harness.step(at: 1100)
        #expect(harness.rollout.state == .paused)

        let resumed = try RolloutMachine.resume(harness.counted, now: 1200)
        harness.apply(resumed, now: 1200)
        #expect(harness.rollout.state == .running)
        #expect(harness.rollout.stateReason.isEmpty)
        #expect(harness.rollout.waves[0].acceptedFailures == 1)
        harness.step(at: 1201)
        #expect(harness.rollout.state == .running)
        #expect(harness.isSettled(at: 1201))

        // A canary of 5 with one accepted failure needs the other 4 at 100 %.
        for number in 1...3 { harness.succeed(number, at: 1300 + Int64(number)) }
        harness.step(at: 1400)
        #expect(harness.rollout.currentWave == 0)
        #expect(harness.rollout.waves[0].state == .running)
        harness.succeed(4, at: 1500)
        let advance = harness.step(at: 1500)
        #expect(advance.openedWaves == [1])
        #expect(harness.rollout.waves[0].state == .succeeded)
        #expect(harness.rollout.state == .running)
    }

    @Test("after a resume, a further failure pauses again")
    func furtherFailurePausesAgain() throws {
        var harness = MachineHarness(sizes: [5, 5], failureThreshold: 20)
        harness.step(at: 1000)
        harness.fail(0, at: 1100)
        harness.fail(1, at: 1101)
        harness.step(at: 1102)
        #expect(harness.rollout.state == .paused)
        harness.apply(try RolloutMachine.resume(harness.counted, now: 1200), now: 1200)
        #expect(harness.rollout.state == .running)
        #expect(harness.rollout.waves[0].acceptedFailures == 2)

        harness.fail(2, at: 1300)
        harness.step(at: 1300)
        #expect(harness.rollout.state == .paused)
        #expect(harness.rollout.stateReason.hasPrefix("wave 1: "))
        #expect(harness.rollout.stateReason.hasSuffix("above the failure threshold of 20 %"))
        #expect(harness.isSettled(at: 1300))
    }

    @Test("after a resume, failures beyond the accepted ones are measured against the threshold on their own")
    func acceptedFailuresPauseNoMore() throws {
        // 10 hosts at 30 %: 4 failures pause; once resumed, a fifth alone (1 of the 6 left) is below 30 %.
        var harness = MachineHarness(sizes: [10, 2], successThreshold: 50, failureThreshold: 30)
        harness.step(at: 1000)
        for number in 0..<4 { harness.fail(number, at: 1100 + Int64(number)) }
        harness.step(at: 1200)
        #expect(harness.rollout.state == .paused)
        #expect(harness.rollout.stateReason == "wave 1: 4 of 10 hosts failed, above the failure threshold of 30 %")
        harness.apply(try RolloutMachine.resume(harness.counted, now: 1300), now: 1300)
        harness.fail(4, at: 1400)
        harness.step(at: 1400)
        #expect(harness.rollout.state == .running)
        harness.fail(5, at: 1500)
        harness.step(at: 1500)
        #expect(harness.rollout.state == .paused)
        #expect(harness.rollout.stateReason.contains("2 of 6 hosts failed"))
    }

    @Test("cancel skips the pending hosts; an updating host keeps going and is released once it ends")
    func cancel() throws {
        var harness = MachineHarness(sizes: [3, 2])
        harness.step(at: 1000)
        harness.report(0, at: 1010)
        harness.step(at: 1010)
        #expect(harness.host(0).state == .updating)

        let cancelled = try RolloutMachine.cancel(harness.counted, by: "alice", now: 1100)
        #expect(cancelled.endPending == .cancelled)
        #expect(cancelled.releaseFinishedHosts)
        #expect(cancelled.rollout.state == .cancelled)
        #expect(cancelled.rollout.stateReason == "cancelled by alice")
        #expect(cancelled.rollout.waves.map(\.state) == [.cancelled, .cancelled])
        #expect(cancelled.rollout.waves.map(\.endTime) == [1100, 1100])
        #expect(cancelled.rollout.waves[0].updating == 1)
        #expect(cancelled.rollout.waves[0].skipped == 2)
        #expect(cancelled.rollout.waves[1].skipped == 2)
        harness.apply(cancelled, now: 1100)
        for number in 1...4 {
            #expect(harness.host(number).state == .skipped)
            #expect(harness.host(number).reason == .cancelled)
            #expect(!harness.host(number).active)
        }
        #expect(harness.host(0).state == .updating)
        #expect(harness.host(0).active)
        #expect(harness.isSettled(at: 1100))

        harness.succeed(0, at: 1200)
        let advance = harness.step(at: 1200)
        #expect(advance.rollout.state == .cancelled)
        #expect(harness.host(0).state == .updated)
        #expect(!harness.host(0).active)
        #expect(advance.rollout.waves[0].updated == 1 && advance.rollout.waves[0].updating == 0)
        #expect(harness.isSettled(at: 1200))
        #expect(harness.hosts.allSatisfy { !$0.active })
    }

    @Test("cancel of a scheduled rollout skips every host and opens nothing")
    func cancelScheduled() throws {
        var harness = MachineHarness(sizes: [1, 1])
        let cancelled = try RolloutMachine.cancel(harness.counted, by: "", now: 500)
        harness.apply(cancelled, now: 500)
        #expect(harness.rollout.state == .cancelled)
        #expect(harness.rollout.stateReason == "cancelled by an operator")
        #expect(cancelled.openedWaves.isEmpty)
        #expect(harness.hosts.allSatisfy { $0.state == .skipped && $0.reason == .cancelled && $0.openedAt == nil })
        // The start time passing changes nothing any more.
        #expect(harness.isSettled(at: 2000))
    }

    @Test(
        "soak: the next wave opens only soakSeconds after the wave succeeded",
        arguments: [(1699 as Int64, false), (1700, true)]
    )
    func soak(now: Int64, opens: Bool) {
        var harness = MachineHarness(sizes: [1, 1, 1], soakSeconds: 600)
        harness.step(at: 1000)
        harness.succeed(0, at: 1100)
        let succeeded = harness.step(at: 1100)
        #expect(succeeded.rollout.waves[0].state == .soaking)
        #expect(succeeded.rollout.waves[0].succeededAt == 1100)
        #expect(succeeded.openedWaves.isEmpty)
        #expect(harness.isSettled(at: 1100))
        let advance = harness.step(at: now)
        #expect(advance.openedWaves == (opens ? [1] : []))
        #expect(advance.rollout.waves[0].state == (opens ? .succeeded : .soaking))
        #expect(advance.rollout.waves[0].endTime == (opens ? now : 0))
        #expect(harness.isSettled(at: now))
    }

    @Test("the last wave does not soak: the rollout succeeds when it succeeds")
    func lastWaveDoesNotSoak() {
        var harness = MachineHarness(sizes: [1], soakSeconds: 600)
        harness.step(at: 1000)
        harness.succeed(0, at: 1100)
        harness.step(at: 1100)
        #expect(harness.rollout.state == .succeeded)
        #expect(harness.rollout.waves[0].state == .succeeded)
    }

    @Test(
        "commit deadline: a host that went Updating and stays open past the deadline fails",
        arguments: [(1700 as Int64, false), (1701, true)]
    )
    func commitDeadline(now: Int64, fails: Bool) {
        var harness = MachineHarness(sizes: [2, 1], failureThreshold: 100, commitDeadlineSeconds: 600)
        harness.step(at: 1000)
        harness.report(0, at: 1100)
        harness.step(at: 1100)
        #expect(harness.host(0).startedAt == 1100)
        let advance = harness.step(at: now)
        let runId = ResourceID.make(.osUpdateRun, number: 0)
        #expect(harness.host(0).state == (fails ? .failed : .updating))
        #expect(advance.runsToFail == (fails ? [runId] : []))
        if fails {
            #expect(harness.host(0).reason == .deadline)
            #expect(harness.host(0).reasonDetail.contains("commit deadline of 600 s"))
            #expect(harness.host(0).endedAt == now)
            #expect(advance.rollout.waves[0].failed == 1)
            #expect(advance.rollout.waves[0].updating == 0)
        }
        #expect(harness.isSettled(at: now))
    }

    @Test("commit deadline with failureThreshold 0: the late host pauses the rollout in the same step")
    func deadlinePauses() {
        var harness = MachineHarness(sizes: [1, 1], commitDeadlineSeconds: 600)
        harness.step(at: 1000)
        harness.report(0, at: 1100)
        harness.step(at: 1100)
        let advance = harness.step(at: 1701)
        #expect(advance.runsToFail.count == 1)
        #expect(advance.rollout.state == .paused)
        #expect(advance.rollout.stateReason == "wave 1: 1 of 1 hosts failed, above the failure threshold of 0 %")
    }

    @Test("a host that is only downloading does not start the commit deadline")
    func downloadDoesNotStartDeadline() {
        var harness = MachineHarness(sizes: [1, 1], commitDeadlineSeconds: 600)
        harness.step(at: 1000)
        harness.report(0, "Downloading artifacts", at: 1100)
        harness.step(at: 1100)
        #expect(harness.host(0).state == .updating)
        #expect(harness.host(0).startedAt == nil)
        harness.report(0, "Download complete", at: 5000)
        let later = harness.step(at: 20_000)
        #expect(harness.host(0).state == .updating)
        #expect(later.runsToFail.isEmpty)
        #expect(harness.rollout.state == .running)

        harness.report(0, "Updating", at: 30_000)
        harness.step(at: 30_000)
        #expect(harness.host(0).startedAt == 30_000)
        harness.step(at: 30_600)
        #expect(harness.host(0).state == .updating)
        let late = harness.step(at: 30_601)
        #expect(harness.host(0).state == .failed)
        #expect(late.runsToFail == [ResourceID.make(.osUpdateRun, number: 0)])
    }

    @Test("a run that started before the wave opened is not the host's")
    func earlierRunIgnored() {
        var harness = MachineHarness(sizes: [1, 1], startSeconds: 1000)
        harness.report(0, at: 900)
        harness.step(at: 1000)
        #expect(harness.observations.isEmpty)
        #expect(harness.host(0).state == .pending)
    }

    @Test("a success threshold that can no longer be reached fails the rollout")
    func unreachableThresholdFails() {
        var harness = MachineHarness(sizes: [2, 2], successThreshold: 100, failureThreshold: 100)
        harness.step(at: 1000)
        harness.fail(0, at: 1100)
        let advance = harness.step(at: 1100)
        #expect(advance.rollout.state == .failed)
        #expect(advance.rollout.stateReason.contains("wave 1: 0 of 2 hosts updated and 1 failed"))
        #expect(advance.rollout.stateReason.contains("can no longer be reached"))
        #expect(advance.rollout.waves.map(\.state) == [.failed, .cancelled])
        #expect(advance.endPending == .rolloutEnded)
        #expect(advance.releaseFinishedHosts)
        #expect(harness.host(1).state == .skipped && harness.host(1).reason == .rolloutEnded)
        #expect(harness.hosts(ofWave: 1).allSatisfy { $0.state == .skipped && $0.reason == .rolloutEnded })
        #expect(harness.hosts(ofWave: 1).allSatisfy { $0.openedAt == nil })
        #expect(harness.hosts.allSatisfy { !$0.active })
        #expect(harness.isSettled(at: 1100))
    }

    @Test("a threshold below 100 still reachable with hosts pending does not fail")
    func reachableThresholdWaits() {
        var harness = MachineHarness(sizes: [4, 1], successThreshold: 50, failureThreshold: 100)
        harness.step(at: 1000)
        harness.fail(0, at: 1100)
        harness.fail(1, at: 1101)
        harness.step(at: 1102)
        #expect(harness.rollout.state == .running)
        harness.fail(2, at: 1103)
        harness.step(at: 1104)
        #expect(harness.rollout.state == .failed)
    }

    @Test("the last wave reaching its threshold with a host still updating stays RUNNING until that host ends")
    func lastWaveWaitsForInFlight() {
        var harness = MachineHarness(sizes: [1, 3], successThreshold: 50, failureThreshold: 100)
        harness.step(at: 1000)
        harness.succeed(0, at: 1010)
        harness.step(at: 1010)
        #expect(harness.rollout.currentWave == 1)
        harness.succeed(1, at: 1100)
        harness.succeed(2, at: 1101)
        harness.report(3, at: 1102)
        let advance = harness.step(at: 1200)
        #expect(advance.rollout.state == .running)
        #expect(advance.rollout.waves[1].state == .succeeded)
        #expect(harness.host(3).state == .updating)
        #expect(harness.isSettled(at: 1200))

        harness.fail(3, at: 1300)
        let done = harness.step(at: 1300)
        #expect(done.rollout.state == .succeeded)
        #expect(done.rollout.stateReason.isEmpty)
        #expect(harness.host(3).state == .failed)
        #expect(harness.hosts.allSatisfy { !$0.active })
        #expect(harness.isSettled(at: 1300))
    }

    @Test("the last wave reaching its threshold skips its hosts that never started (rollout-ended)")
    func lastWaveSkipsPending() {
        var harness = MachineHarness(sizes: [4], successThreshold: 50)
        harness.step(at: 1000)
        harness.succeed(0, at: 1100)
        harness.succeed(1, at: 1101)
        let advance = harness.step(at: 1200)
        #expect(advance.rollout.state == .succeeded)
        #expect(advance.endPending == .rolloutEnded)
        #expect(advance.rollout.waves[0].skipped == 2 && advance.rollout.waves[0].pending == 0)
        #expect(harness.host(2).state == .skipped && harness.host(2).reason == .rolloutEnded)
        #expect(harness.hosts.allSatisfy { !$0.active })
        #expect(harness.isSettled(at: 1200))
    }

    @Test("a three-wave rollout runs to SUCCEEDED, every step idempotent")
    func threeWavesToSuccess() {
        var harness = MachineHarness(sizes: [1, 2, 3])
        var now: Int64 = 1000
        harness.step(at: now)
        #expect(harness.isSettled(at: now))
        var number = 0
        for wave in 0..<3 {
            #expect(harness.rollout.currentWave == wave)
            for _ in harness.hosts(ofWave: wave) {
                now += 10
                harness.report(number, at: now)
                harness.step(at: now)
                #expect(harness.isSettled(at: now))
                now += 10
                harness.succeed(number, at: now)
                harness.step(at: now)
                #expect(harness.isSettled(at: now))
                number += 1
            }
        }
        #expect(harness.rollout.state == .succeeded)
        #expect(harness.rollout.waves.allSatisfy { $0.state == .succeeded && $0.updated == $0.total })
        #expect(harness.hosts.allSatisfy { $0.state == .updated && !$0.active })
    }

    @Test("advancing again with the same observations decides nothing new")
    func idempotent() {
        var harness = MachineHarness(sizes: [2, 2], commitDeadlineSeconds: 600)
        harness.step(at: 1000)
        harness.report(0, at: 1010)
        harness.report(1, "Downloading artifacts", at: 1010)
        let first = harness.step(at: 1020)
        #expect(!first.isEmpty)
        let observations = harness.observations
        let again = RolloutMachine.advance(harness.counted, observations: observations, now: 1020)
        #expect(again.changedHosts.isEmpty)
        #expect(again.openedWaves.isEmpty && again.runsToFail.isEmpty && again.endPending == nil)
        #expect(again.rollout == harness.counted)

        harness.step(at: 1700)
        #expect(harness.host(0).state == .failed)
        #expect(harness.isSettled(at: 1700))
        #expect(harness.isSettled(at: 5000))
    }

    // MARK: Operator actions

    @Test("pause applies to scheduled and running rollouts only", arguments: RolloutState.allCases)
    func pauseRefusals(state: RolloutState) {
        var rollout = MachineHarness(sizes: [1]).rollout
        rollout.state = state
        let allowed = state == .scheduled || state == .running
        do {
            let advance = try RolloutMachine.pause(rollout, by: "bob", now: 2000)
            #expect(allowed)
            #expect(advance.rollout.state == .paused)
            #expect(advance.rollout.stateReason == "paused by bob")
        } catch {
            #expect(!allowed)
            #expect(error.state == state)
            #expect(error.description == "cannot pause a rollout in state \(state.rawValue)")
        }
    }

    @Test("resume applies to paused rollouts only", arguments: RolloutState.allCases)
    func resumeRefusals(state: RolloutState) {
        var rollout = MachineHarness(sizes: [1]).rollout
        rollout.state = state
        do {
            _ = try RolloutMachine.resume(rollout, now: 2000)
            #expect(state == .paused)
        } catch {
            #expect(state != .paused)
            #expect(error.description == "cannot resume a rollout in state \(state.rawValue)")
        }
    }

    @Test("cancel applies to unfinished rollouts only", arguments: RolloutState.allCases)
    func cancelRefusals(state: RolloutState) {
        var rollout = MachineHarness(sizes: [1]).rollout
        rollout.state = state
        do {
            let advance = try RolloutMachine.cancel(rollout, by: "", now: 2000)
            #expect(!state.isFinished)
            #expect(advance.rollout.state == .cancelled)
        } catch {
            #expect(state.isFinished)
            #expect(error.action == "cancel")
        }
    }

    @Test("a rollout paused before it started resumes as scheduled and starts at startSeconds")
    func pauseBeforeStart() throws {
        var harness = MachineHarness(sizes: [1], startSeconds: 1000)
        harness.apply(try RolloutMachine.pause(harness.counted, by: "", now: 500), now: 500)
        #expect(harness.rollout.state == .paused)
        #expect(harness.rollout.stateReason == "paused by an operator")
        harness.step(at: 1500)
        #expect(harness.rollout.state == .paused)
        #expect(harness.host(0).openedAt == nil)
        harness.apply(try RolloutMachine.resume(harness.counted, now: 1600), now: 1600)
        #expect(harness.rollout.state == .scheduled)
        harness.step(at: 1601)
        #expect(harness.rollout.state == .running)
        #expect(harness.host(0).openedAt == 1601)
    }

    @Test("resume of a paused rollout whose wave has meanwhile succeeded opens the next wave at once")
    func resumeProgresses() throws {
        var harness = MachineHarness(sizes: [1, 1])
        harness.step(at: 1000)
        harness.apply(try RolloutMachine.pause(harness.counted, by: "", now: 1050), now: 1050)
        harness.succeed(0, at: 1100)
        harness.step(at: 1100)
        #expect(harness.rollout.state == .paused)
        #expect(harness.hosts(ofWave: 1).allSatisfy { $0.openedAt == nil })
        let resumed = try RolloutMachine.resume(harness.counted, now: 1200)
        #expect(resumed.openedWaves == [1])
        harness.apply(resumed, now: 1200)
        #expect(harness.host(1).openedAt == 1200)
    }
}

@Suite("Rollout membership gate (what a poll of an owned host gets)")
struct RolloutMembershipGateTests {
    static let policy = "osupdatepolicy-0000abcd"

    static func membership(
        _ hostState: RolloutHostState,
        _ rolloutState: RolloutState,
        openedAt: Int64? = 5000,
        respectMaintenanceWindows: Bool = true
    ) -> RolloutMembership {
        RolloutMembership(
            rolloutId: "rollout-0000abcd",
            hostState: hostState,
            openedAt: openedAt,
            rolloutState: rolloutState,
            policyId: policy,
            respectMaintenanceWindows: respectMaintenanceWindows,
            windowSeconds: 3600
        )
    }

    /// The gate the documentation describes: an open wave of a running rollout, or an update under way (seen by the
    /// controller, or being reported right now by a host whose wave opened) gets the policy; nothing else does.
    static func expectedOpen(_ host: RolloutHostState, _ rollout: RolloutState, opened: Bool, reporting: Bool) -> Bool {
        switch host {
        case .updating: true
        case .pending: opened && (rollout == .running || reporting)
        case .updated, .failed, .skipped: false
        }
    }

    @Test(
        "every host state × rollout state, wave opened or not, update reported under way or not",
        arguments: RolloutHostState.allCases,
        RolloutState.allCases
    )
    func gateMatrix(host: RolloutHostState, rollout: RolloutState) {
        for opened in [false, true] {
            for reporting in [false, true] {
                let gate = Self.membership(host, rollout, openedAt: opened ? 5000 : nil)
                    .gate(reportsUpdateUnderWay: reporting)
                let expected: RolloutMembership.Gate =
                    Self.expectedOpen(host, rollout, opened: opened, reporting: reporting)
                    ? .open(policyId: Self.policy, window: nil) : .closed
                #expect(gate == expected, "opened \(opened), reporting \(reporting)")
            }
        }
    }

    @Test("named cases of the gate")
    func namedCases() {
        // A pending host of an open wave reporting STARTED in a paused rollout: its A/B write is never cut.
        #expect(
            Self.membership(.pending, .paused).gate(reportsUpdateUnderWay: true)
                == .open(policyId: Self.policy, window: nil)
        )
        // …but without STARTED it gets nothing while paused.
        #expect(Self.membership(.pending, .paused).gate(reportsUpdateUnderWay: false) == .closed)
        // A host of a wave that has not opened gets nothing, even reporting STARTED.
        #expect(Self.membership(.pending, .running, openedAt: nil).gate(reportsUpdateUnderWay: true) == .closed)
        // A host updating in a cancelled rollout keeps its policy.
        #expect(
            Self.membership(.updating, .cancelled).gate(reportsUpdateUnderWay: false)
                == .open(policyId: Self.policy, window: nil)
        )
        // Done hosts get nothing, even while the rollout runs.
        #expect(Self.membership(.updated, .running).gate(reportsUpdateUnderWay: true) == .closed)
        #expect(Self.membership(.skipped, .running).gate(reportsUpdateUnderWay: false) == .closed)
    }

    @Test(
        "respectMaintenanceWindows false: the rollout's own window [openedAt, openedAt + windowSeconds]",
        arguments: [RolloutHostState.pending, .updating]
    )
    func ownWindow(host: RolloutHostState) {
        let gate = Self.membership(host, .running, openedAt: 5000, respectMaintenanceWindows: false)
            .gate(reportsUpdateUnderWay: false)
        #expect(gate == .open(policyId: Self.policy, window: TimeWindow(start: 5000, end: 8600)))
        let closed = Self.membership(.updated, .running, openedAt: 5000, respectMaintenanceWindows: false)
            .gate(reportsUpdateUnderWay: false)
        #expect(closed == .closed)
    }
}
