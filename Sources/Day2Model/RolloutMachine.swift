/// The newest update run of a rollout host's instance that started once its wave was open, as the store saw it.
public struct ObservedRun: Sendable, Hashable {
    public var runId: String
    public var indicator: StatusIndication
    /// The run's status text ("Downloading artifacts", "Updating", "Update completed", …).
    public var status: String
    public var details: String
    /// When the status last changed.
    public var statusTimestamp: Int64
    public var startTime: Int64
    /// nil while the run is open.
    public var endTime: Int64?

    /// Creates an observation.
    public init(
        runId: String,
        indicator: StatusIndication,
        status: String,
        details: String = "",
        statusTimestamp: Int64,
        startTime: Int64,
        endTime: Int64? = nil
    ) {
        self.runId = runId
        self.indicator = indicator
        self.status = status
        self.details = details
        self.statusTimestamp = statusTimestamp
        self.startTime = startTime
        self.endTime = endTime
    }

    /// Whether the node is only downloading (a pre-download before its window): the commit deadline has not
    /// started yet.
    public var isDownloadOnly: Bool { status.hasPrefix("Download") }
}

/// A host the controller follows (pending or updating, its wave open) and its newest run.
public struct RolloutObservation: Sendable, Hashable {
    public var host: RolloutHost
    public var run: ObservedRun?

    /// Creates an observation.
    public init(host: RolloutHost, run: ObservedRun?) {
        self.host = host
        self.run = run
    }
}

/// What one step of the controller decided; its owner writes it in one transaction.
public struct RolloutAdvance: Sendable, Hashable {
    /// The rollout after the step (state, reason, waves and their counts).
    public var rollout: Rollout
    /// Hosts whose row changes.
    public var changedHosts: [RolloutHost] = []
    /// Waves that opened in this step: their hosts' `openedAt` becomes the step's time.
    public var openedWaves: [Int] = []
    /// Runs to close as failed (their hosts missed the commit deadline), with the host's instance kept by the store.
    public var runsToFail: [String] = []
    /// When set, every host still pending becomes skipped with this reason and stops being owned.
    public var endPending: RolloutHostReason?
    /// Whether hosts that are done stop being owned (the rollout has finished).
    public var releaseFinishedHosts = false

    /// Whether anything needs writing.
    public var isEmpty: Bool {
        changedHosts.isEmpty && openedWaves.isEmpty && runsToFail.isEmpty && endPending == nil
            && !releaseFinishedHosts
    }
}

/// The rollout controller's decisions as a pure function of the rollout, the hosts it follows and the time.
///
/// Idempotent: run again on the same inputs it decides nothing new, so a controller killed at any point and
/// restarted continues where the store says it was.
public enum RolloutMachine {
    /// One step at `now`.
    public static func advance(_ rollout: Rollout, observations: [RolloutObservation], now: Int64) -> RolloutAdvance {
        var step = RolloutAdvance(rollout: rollout)
        if step.rollout.state == .scheduled {
            guard now >= rollout.startSeconds else { return step }
            step.rollout.state = .running
            step.rollout.stateReason = ""
            open(0, &step, now: now)
        }
        for observation in observations {
            var host = observation.host
            let before = host.state
            follow(&host, run: observation.run, rollout: rollout, now: now, step: &step)
            if step.rollout.state.isFinished && host.state.isTerminal { host.active = false }
            guard host != observation.host else { continue }
            if before != host.state, host.wave < step.rollout.waves.count {
                var counts = step.rollout.waves[host.wave].counts
                counts[before] -= 1
                counts[host.state] += 1
                step.rollout.waves[host.wave].counts = counts
            }
            step.changedHosts.append(host)
        }
        if step.rollout.state == .running { progress(&step, now: now) }
        if step.rollout.state.isFinished && rollout.state.isFinished == false {
            step.releaseFinishedHosts = true
        }
        return step
    }

    /// A host's state from its newest run, and the commit deadline.
    private static func follow(
        _ host: inout RolloutHost,
        run: ObservedRun?,
        rollout: Rollout,
        now: Int64,
        step: inout RolloutAdvance
    ) {
        guard host.state == .pending || host.state == .updating else { return }
        if let run {
            host.runId = run.runId
            if let end = run.endTime {
                host.endedAt = end
                // A run first seen already ended (the controller passed while it ran): it started when it opened.
                if host.startedAt == nil { host.startedAt = run.startTime }
                if run.indicator == .error {
                    host.state = .failed
                    host.reason = .updateFailed
                    host.reasonDetail = String((run.details.isEmpty ? run.status : run.details).prefix(500))
                } else {
                    host.state = .updated
                }
                return
            }
            host.state = .updating
            if host.startedAt == nil && !run.isDownloadOnly { host.startedAt = run.statusTimestamp }
        }
        if host.state == .pending, run == nil, !rollout.respectMaintenanceWindows, let opened = host.openedAt,
            now > opened + rollout.windowSeconds
        {
            host.state = .failed
            host.reason = .windowMissed
            host.reasonDetail = "the node did not start its update in the \(rollout.windowSeconds) s window the rollout opened"
            host.endedAt = now
            return
        }
        if host.state == .updating, let started = host.startedAt, now - started > rollout.commitDeadlineSeconds {
            host.state = .failed
            host.reason = .deadline
            host.reasonDetail =
                "no UPDATED report within the commit deadline of \(rollout.commitDeadlineSeconds) s"
            host.endedAt = now
            if let run = host.runId { step.runsToFail.append(run) }
        }
    }

    /// Opens wave `index`.
    private static func open(_ index: Int, _ step: inout RolloutAdvance, now: Int64) {
        step.rollout.currentWave = index
        step.rollout.waves[index].state = .running
        step.rollout.waves[index].startTime = now
        step.openedWaves.append(index)
    }

    /// Wave gates of a running rollout: failure threshold (pause), success threshold (soak, next wave, success),
    /// an unreachable success threshold (failure). Loops so that waves with nothing to do pass in one step.
    private static func progress(_ step: inout RolloutAdvance, now: Int64) {
        let rollout = step.rollout
        for index in 0...max(0, rollout.currentWave) where index < rollout.waves.count {
            let wave = rollout.waves[index]
            // Failures accepted by a resume count neither way: only those since, out of the hosts not accepted.
            let failed = wave.failed - wave.acceptedFailures
            let base = max(0, wave.total - wave.acceptedFailures)
            guard wave.state != .pending, failed > 0, failed * 100 > rollout.failureThreshold * base else { continue }
            step.rollout.state = .paused
            step.rollout.stateReason =
                "wave \(index + 1): \(failed) of \(base) hosts failed"
                + (wave.acceptedFailures > 0 ? " since the last resume" : "")
                + ", above the failure threshold of \(rollout.failureThreshold) %"
            return
        }
        while step.rollout.state == .running {
            let index = step.rollout.currentWave
            var wave = step.rollout.waves[index]
            let isLast = index == step.rollout.waves.count - 1
            let needed = needed(wave, threshold: rollout.successThreshold)
            let done = wave.updated + wave.skipped
            switch wave.state {
            case .running:
                if done >= needed {
                    wave.succeededAt = now
                    if isLast || rollout.soakSeconds == 0 {
                        wave.state = .succeeded
                        wave.endTime = now
                    } else {
                        wave.state = .soaking
                    }
                    step.rollout.waves[index] = wave
                    continue
                }
                if done + wave.pending + wave.updating < needed {
                    wave.state = .failed
                    wave.endTime = now
                    step.rollout.waves[index] = wave
                    finish(
                        .failed,
                        reason: "wave \(index + 1): \(wave.updated + wave.skipped) of \(wave.total) hosts updated "
                            + "and \(wave.failed) failed; the success threshold of \(rollout.successThreshold) % "
                            + "can no longer be reached",
                        &step,
                        now: now
                    )
                    return
                }
                return
            case .soaking:
                guard now >= wave.succeededAt + rollout.soakSeconds else { return }
                wave.state = .succeeded
                wave.endTime = now
                step.rollout.waves[index] = wave
            case .succeeded:
                if isLast {
                    let inFlight = step.rollout.waves.reduce(0) { $0 + $1.updating }
                    guard inFlight == 0 else { return }
                    finish(.succeeded, reason: "", &step, now: now)
                    return
                }
                open(index + 1, &step, now: now)
            case .pending, .failed, .cancelled:
                return
            }
        }
    }

    /// How many hosts of a wave must be updated or skipped: the threshold of those not accepted as failed.
    static func needed(_ wave: RolloutWave, threshold: Int) -> Int {
        let base = max(0, wave.total - wave.acceptedFailures)
        return (threshold * base + 99) / 100
    }

    /// Ends the rollout: unfinished waves are cancelled (or keep their state), pending hosts are skipped.
    private static func finish(_ state: RolloutState, reason: String, _ step: inout RolloutAdvance, now: Int64) {
        step.rollout.state = state
        step.rollout.stateReason = reason
        let hostReason: RolloutHostReason = state == .cancelled ? .cancelled : .rolloutEnded
        for index in step.rollout.waves.indices {
            var wave = step.rollout.waves[index]
            switch wave.state {
            case .pending, .running, .soaking:
                if wave.state == .soaking || (state == .succeeded && wave.state == .running) {
                    wave.state = .succeeded
                } else {
                    wave.state = .cancelled
                }
                if wave.endTime == 0 { wave.endTime = now }
            case .succeeded, .failed, .cancelled:
                break
            }
            wave.skipped += wave.pending
            wave.pending = 0
            step.rollout.waves[index] = wave
        }
        step.endPending = hostReason
        step.releaseFinishedHosts = true
    }

    // MARK: Operator actions

    /// Why an action does not apply to a rollout in its state.
    public struct ActionRefused: Error, Sendable, Hashable, CustomStringConvertible {
        public var state: RolloutState
        public var action: String
        public var description: String { "cannot \(action) a rollout in state \(state.rawValue)" }
    }

    /// Pauses a scheduled or running rollout: no new host starts; hosts already updating finish.
    public static func pause(_ rollout: Rollout, by who: String, now: Int64) throws(ActionRefused) -> RolloutAdvance {
        guard rollout.state == .running || rollout.state == .scheduled else {
            throw ActionRefused(state: rollout.state, action: "pause")
        }
        var step = RolloutAdvance(rollout: rollout)
        step.rollout.state = .paused
        step.rollout.stateReason = who.isEmpty ? "paused by an operator" : "paused by \(who)"
        return step
    }

    /// Resumes a paused rollout where it stopped; the failures seen so far are accepted (they pause it no more and
    /// leave the success threshold).
    public static func resume(_ rollout: Rollout, now: Int64) throws(ActionRefused) -> RolloutAdvance {
        guard rollout.state == .paused else { throw ActionRefused(state: rollout.state, action: "resume") }
        var step = RolloutAdvance(rollout: rollout)
        step.rollout.state = rollout.currentWave < 0 ? .scheduled : .running
        step.rollout.stateReason = ""
        for index in step.rollout.waves.indices where step.rollout.waves[index].state != .pending {
            step.rollout.waves[index].acceptedFailures = step.rollout.waves[index].failed
        }
        if step.rollout.state == .running { progress(&step, now: now) }
        return step
    }

    /// Cancels an unfinished rollout: no further host starts; a host already writing its image finishes.
    public static func cancel(_ rollout: Rollout, by who: String, now: Int64) throws(ActionRefused) -> RolloutAdvance {
        guard !rollout.state.isFinished else { throw ActionRefused(state: rollout.state, action: "cancel") }
        var step = RolloutAdvance(rollout: rollout)
        finish(.cancelled, reason: who.isEmpty ? "cancelled by an operator" : "cancelled by \(who)", &step, now: now)
        return step
    }
}

/// A host's place in a rollout as a poll sees it (read with the host in the poll's one statement).
public struct RolloutMembership: Sendable, Hashable {
    public var rolloutId: String
    public var hostState: RolloutHostState
    /// When the host's wave opened, nil before.
    public var openedAt: Int64?
    public var rolloutState: RolloutState
    public var policyId: String
    public var respectMaintenanceWindows: Bool
    public var windowSeconds: Int64

    /// Creates a membership.
    public init(
        rolloutId: String,
        hostState: RolloutHostState,
        openedAt: Int64?,
        rolloutState: RolloutState,
        policyId: String,
        respectMaintenanceWindows: Bool,
        windowSeconds: Int64
    ) {
        self.rolloutId = rolloutId
        self.hostState = hostState
        self.openedAt = openedAt
        self.rolloutState = rolloutState
        self.policyId = policyId
        self.respectMaintenanceWindows = respectMaintenanceWindows
        self.windowSeconds = windowSeconds
    }

    /// What a poll of an owned host may get.
    public enum Gate: Sendable, Hashable {
        /// The rollout's policy; `window` is the window the rollout opens itself (nil: the host's own windows).
        case open(policyId: String, window: TimeWindow?)
        /// Nothing: no update source and no windows.
        case closed
    }

    /// The gate: a pending host of an open wave of a running rollout gets the rollout's policy; so does a host whose
    /// update is under way (an A/B write is never cut, even when the rollout is paused or cancelled meanwhile,
    /// including the moment before the controller has noticed it started); every other owned host gets nothing.
    public func gate(reportsUpdateUnderWay: Bool) -> Gate {
        let opened = openedAt != nil
        let open: Bool
        switch hostState {
        case .pending: open = opened && (rolloutState == .running || reportsUpdateUnderWay)
        case .updating: open = true
        case .updated, .failed, .skipped: open = false
        }
        guard open else { return .closed }
        var window: TimeWindow?
        if !respectMaintenanceWindows, let openedAt {
            window = TimeWindow(start: openedAt, end: openedAt + windowSeconds)
        }
        return .open(policyId: policyId, window: window)
    }
}
