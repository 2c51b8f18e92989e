import Foundation

/// Where a rollout stands.
public enum RolloutState: String, Sendable, CaseIterable, Codable {
    /// Created; waits for `startSeconds`.
    case scheduled = "ROLLOUT_STATE_SCHEDULED"
    /// Waves open one after the other.
    case running = "ROLLOUT_STATE_RUNNING"
    /// Starts no new host until resumed (a failure threshold was crossed, or an operator paused it).
    case paused = "ROLLOUT_STATE_PAUSED"
    /// Every wave reached its success threshold.
    case succeeded = "ROLLOUT_STATE_SUCCEEDED"
    /// A wave can no longer reach its success threshold.
    case failed = "ROLLOUT_STATE_FAILED"
    /// An operator cancelled it: no further host starts.
    case cancelled = "ROLLOUT_STATE_CANCELLED"

    /// Whether the rollout has ended (it owns its hosts no longer, apart from those still writing an update).
    public var isFinished: Bool { self == .succeeded || self == .failed || self == .cancelled }
}

/// Where one wave of a rollout stands.
public enum WaveState: String, Sendable, CaseIterable, Codable {
    /// Not opened yet.
    case pending = "WAVE_STATE_PENDING"
    /// Open: its hosts may update.
    case running = "WAVE_STATE_RUNNING"
    /// Reached its success threshold; waits `soakSeconds` before the next wave opens.
    case soaking = "WAVE_STATE_SOAKING"
    /// Reached its success threshold (and soaked).
    case succeeded = "WAVE_STATE_SUCCEEDED"
    /// Can no longer reach its success threshold.
    case failed = "WAVE_STATE_FAILED"
    /// The rollout ended before this wave finished.
    case cancelled = "WAVE_STATE_CANCELLED"
}

/// Where one host of a rollout stands.
public enum RolloutHostState: String, Sendable, CaseIterable, Codable {
    /// Waits for its wave (or, in an open wave, for its maintenance window).
    case pending = "ROLLOUT_HOST_STATE_PENDING"
    /// Its update has started (a run is open).
    case updating = "ROLLOUT_HOST_STATE_UPDATING"
    /// Reported UPDATED.
    case updated = "ROLLOUT_HOST_STATE_UPDATED"
    /// Reported FAILED, or missed the commit deadline.
    case failed = "ROLLOUT_HOST_STATE_FAILED"
    /// Needs nothing (already on the target OS) or cannot take the update; counts as done.
    case skipped = "ROLLOUT_HOST_STATE_SKIPPED"

    /// Whether the host is done with the rollout.
    public var isTerminal: Bool { self == .updated || self == .failed || self == .skipped }
}

/// Why a host of a rollout was skipped or failed (`reason` in the API).
public enum RolloutHostReason: String, Sendable, CaseIterable, Codable, Error {
    /// It already runs the OS the policy resolves to.
    case alreadyOnTarget = "already-on-target"
    /// The host has no instance (nothing runs on it to update).
    case noInstance = "no-instance"
    /// The policy cannot serve the instance's OS type (a package policy on an immutable node, or the reverse).
    case osTypeNotServed = "os-type-not-served"
    /// The host or its instance is untrusted: the Maintenance Manager answers it nothing.
    case untrusted = "untrusted"
    /// Another unfinished rollout owns the host (preview only: create refuses the overlap).
    case inAnotherRollout = "in-another-rollout"
    /// The instance's OS has no newer image in its profile to go to (LATEST) or the profile is unknown.
    case noTargetImage = "no-target-image"
    /// The rollout was cancelled before the host started.
    case cancelled = "cancelled"
    /// The rollout ended (failed, or succeeded on its thresholds) before the host started.
    case rolloutEnded = "rollout-ended"
    /// The node reported FAILED.
    case updateFailed = "update-failed"
    /// The update started but the node did not report UPDATED within `commitDeadlineSeconds`.
    case deadline = "deadline"
    /// The rollout opened the window itself (`respectMaintenanceWindows: false`) and the node did not start its
    /// update before the window closed.
    case windowMissed = "window-missed"
}

/// The size of one wave: a number of hosts or a percentage of the target set.
public enum WaveSize: Sendable, Hashable, Codable {
    case hosts(Int)
    case percent(Int)

    /// How many hosts of a set of `total` this wave takes (a percentage rounds up, so no wave of a non-empty
    /// percentage is empty while hosts are left).
    public func count(of total: Int) -> Int {
        switch self {
        case .hosts(let n): n
        case .percent(let p): (p * total + 99) / 100
        }
    }
}

/// Which hosts a rollout covers: exactly one of a region (with its sub-regions), a site, a list of hosts or a host
/// filter (the host-list filter grammar).
public enum RolloutTarget: Sendable, Hashable, Codable {
    case region(String)
    case site(String)
    case hosts([String])
    case filter(String)
}

/// One wave: its size, state, counts by host state and times (Unix seconds, 0 while not reached).
public struct RolloutWave: Sendable, Hashable, Codable {
    /// What the operator asked for.
    public var size: WaveSize
    /// Its state.
    public var state: WaveState
    /// Hosts in the wave.
    public var total: Int
    public var pending: Int
    public var updating: Int
    public var updated: Int
    public var failed: Int
    public var skipped: Int
    /// When it opened.
    public var startTime: Int64
    /// When it succeeded, failed or was cancelled.
    public var endTime: Int64
    /// When it reached its success threshold (the soak starts then).
    public var succeededAt: Int64
    /// Failures an operator accepted by resuming the rollout: they pause it no more and are left out of the
    /// success threshold.
    public var acceptedFailures: Int

    /// Creates a wave that has not opened.
    public init(
        size: WaveSize,
        state: WaveState = .pending,
        total: Int = 0,
        pending: Int = 0,
        updating: Int = 0,
        updated: Int = 0,
        failed: Int = 0,
        skipped: Int = 0,
        startTime: Int64 = 0,
        endTime: Int64 = 0,
        succeededAt: Int64 = 0,
        acceptedFailures: Int = 0
    ) {
        self.size = size
        self.state = state
        self.total = total
        self.pending = pending
        self.updating = updating
        self.updated = updated
        self.failed = failed
        self.skipped = skipped
        self.startTime = startTime
        self.endTime = endTime
        self.succeededAt = succeededAt
        self.acceptedFailures = acceptedFailures
    }

    /// The counts by host state.
    public var counts: RolloutCounts {
        get {
            RolloutCounts(pending: pending, updating: updating, updated: updated, failed: failed, skipped: skipped)
        }
        set {
            pending = newValue.pending
            updating = newValue.updating
            updated = newValue.updated
            failed = newValue.failed
            skipped = newValue.skipped
            total = newValue.total
        }
    }
}

/// Hosts by rollout host state.
public struct RolloutCounts: Sendable, Hashable, Codable {
    public var pending = 0
    public var updating = 0
    public var updated = 0
    public var failed = 0
    public var skipped = 0

    /// Creates counts.
    public init(pending: Int = 0, updating: Int = 0, updated: Int = 0, failed: Int = 0, skipped: Int = 0) {
        self.pending = pending
        self.updating = updating
        self.updated = updated
        self.failed = failed
        self.skipped = skipped
    }

    /// Every host counted.
    public var total: Int { pending + updating + updated + failed + skipped }

    /// The count of one state.
    public subscript(state: RolloutHostState) -> Int {
        get {
            switch state {
            case .pending: pending
            case .updating: updating
            case .updated: updated
            case .failed: failed
            case .skipped: skipped
            }
        }
        set {
            switch state {
            case .pending: pending = newValue
            case .updating: updating = newValue
            case .updated: updated = newValue
            case .failed: failed = newValue
            case .skipped: skipped = newValue
            }
        }
    }
}

/// A staged OS update of a set of hosts: waves opened one after the other, each gated on the success and failure
/// of the one before, with a commit deadline per host.
public struct Rollout: Sendable, Hashable, Codable {
    /// Default `successThreshold` (percent).
    public static let defaultSuccessThreshold = 100
    /// Default `commitDeadlineSeconds`.
    public static let defaultCommitDeadlineSeconds: Int64 = 7200
    /// Default `windowSeconds` (when the rollout opens the windows itself).
    public static let defaultWindowSeconds: Int64 = 3600
    /// Most waves a rollout may have.
    public static let maximumWaves = 100

    /// `rollout-xxxxxxxx`.
    public var resourceId: String
    /// Display name (required).
    public var name: String
    /// What each host gets.
    public var osUpdatePolicyId: String
    /// Which hosts (resolved once, at creation).
    public var target: RolloutTarget
    /// The waves, in order.
    public var waves: [RolloutWave]
    /// Percent of a wave that must reach UPDATED (or be skipped) before the next wave opens.
    public var successThreshold: Int
    /// Percent of a wave FAILED above which the rollout pauses (0: the first failure pauses).
    public var failureThreshold: Int
    /// Wait after a wave succeeds before the next opens.
    public var soakSeconds: Int64
    /// A started host that has not reported UPDATED within this counts as failed (`deadline`).
    public var commitDeadlineSeconds: Int64
    /// The earliest start, Unix seconds.
    public var startSeconds: Int64
    /// true: a host updates only inside its own, its site's or its regions' windows; false: the rollout opens a
    /// window of `windowSeconds` for each wave when it opens.
    public var respectMaintenanceWindows: Bool
    /// Length of the window the rollout opens when `respectMaintenanceWindows` is false.
    public var windowSeconds: Int64
    /// Where the rollout stands.
    public var state: RolloutState
    /// Why it is in that state, for a person (empty when there is nothing to say).
    public var stateReason: String
    /// The highest wave opened, -1 before the first.
    public var currentWave: Int
    /// Creation and change times.
    public var timestamps: Timestamps

    /// Creates a rollout value.
    public init(
        resourceId: String = "",
        name: String = "",
        osUpdatePolicyId: String = "",
        target: RolloutTarget = .hosts([]),
        waves: [RolloutWave] = [RolloutWave(size: .percent(100))],
        successThreshold: Int = Rollout.defaultSuccessThreshold,
        failureThreshold: Int = 0,
        soakSeconds: Int64 = 0,
        commitDeadlineSeconds: Int64 = Rollout.defaultCommitDeadlineSeconds,
        startSeconds: Int64 = 0,
        respectMaintenanceWindows: Bool = true,
        windowSeconds: Int64 = Rollout.defaultWindowSeconds,
        state: RolloutState = .scheduled,
        stateReason: String = "",
        currentWave: Int = -1,
        timestamps: Timestamps = Timestamps()
    ) {
        self.resourceId = resourceId
        self.name = name
        self.osUpdatePolicyId = osUpdatePolicyId
        self.target = target
        self.waves = waves
        self.successThreshold = successThreshold
        self.failureThreshold = failureThreshold
        self.soakSeconds = soakSeconds
        self.commitDeadlineSeconds = commitDeadlineSeconds
        self.startSeconds = startSeconds
        self.respectMaintenanceWindows = respectMaintenanceWindows
        self.windowSeconds = windowSeconds
        self.state = state
        self.stateReason = stateReason
        self.currentWave = currentWave
        self.timestamps = timestamps
    }

    /// Checks every field that does not depend on the target set (see ``RolloutPlanner`` for the wave sizes).
    public func validate() throws(ValidationError) {
        guard !name.isEmpty else { throw ValidationError(field: "name", rule: "is required") }
        try TextRule.name.check(name, field: "name")
        try ResourceID.validate(osUpdatePolicyId, kind: .osUpdatePolicy, field: "osUpdatePolicyId")
        switch target {
        case .region(let id): try ResourceID.validate(id, kind: .region, field: "regionId")
        case .site(let id): try ResourceID.validate(id, kind: .site, field: "siteId")
        case .hosts(let ids):
            guard !ids.isEmpty else { throw ValidationError(field: "hostIds", rule: "must name at least one host") }
            guard ids.count <= 100_000 else {
                throw ValidationError(field: "hostIds", rule: "must have at most 100000 items")
            }
            var seen = Set<String>()
            for (index, id) in ids.enumerated() {
                try ResourceID.validate(id, kind: .host, field: "hostIds[\(index)]")
                guard seen.insert(id).inserted else {
                    throw ValidationError(field: "hostIds[\(index)]", rule: "names host \(id) a second time")
                }
            }
        case .filter(let text):
            guard !text.trimmingCharacters(in: .whitespaces).isEmpty else {
                throw ValidationError(field: "filter", rule: "must not be empty")
            }
            _ = try FilterParser.parse(text)
        }
        guard !waves.isEmpty else { throw ValidationError(field: "waves", rule: "must have at least one wave") }
        guard waves.count <= Self.maximumWaves else {
            throw ValidationError(field: "waves", rule: "must have at most \(Self.maximumWaves) waves")
        }
        for (index, wave) in waves.enumerated() {
            switch wave.size {
            case .hosts(let n):
                guard (1...100_000).contains(n) else {
                    throw ValidationError(field: "waves[\(index)].hosts", rule: "must be 1..100000, got \(n)")
                }
            case .percent(let p):
                guard (1...100).contains(p) else {
                    throw ValidationError(field: "waves[\(index)].percent", rule: "must be 1..100, got \(p)")
                }
            }
        }
        guard (1...100).contains(successThreshold) else {
            throw ValidationError(field: "successThreshold", rule: "must be 1..100, got \(successThreshold)")
        }
        guard (0...100).contains(failureThreshold) else {
            throw ValidationError(field: "failureThreshold", rule: "must be 0..100, got \(failureThreshold)")
        }
        guard (0...30 * 86_400).contains(soakSeconds) else {
            throw ValidationError(field: "soakSeconds", rule: "must be 0..2592000 (30 days), got \(soakSeconds)")
        }
        guard (60...30 * 86_400).contains(commitDeadlineSeconds) else {
            throw ValidationError(
                field: "commitDeadlineSeconds",
                rule: "must be 60..2592000 (30 days), got \(commitDeadlineSeconds)"
            )
        }
        guard (0...Int64(UInt32.max)).contains(startSeconds) else {
            throw ValidationError(field: "startSeconds", rule: "must be 0..4294967295, got \(startSeconds)")
        }
        guard (60...WindowMath.maximumDurationSeconds).contains(windowSeconds) else {
            throw ValidationError(field: "windowSeconds", rule: "must be 60..86400, got \(windowSeconds)")
        }
    }

    /// The hosts each wave takes of a target set of `total`, in order: each wave its size, the last whatever is
    /// left. Refused (naming the wave) when a wave would be empty or the sizes add up to more than the set (a last
    /// wave of `percent: 100`, "the rest", is never too much).
    public static func waveSizes(_ sizes: [WaveSize], total: Int) throws(ValidationError) -> [Int] {
        guard total > 0 else {
            throw ValidationError(field: "target", rule: "matches no host")
        }
        var counts: [Int] = []
        var assigned = 0
        // What the waves ask for in hundredths of a host: percentages are added unrounded, so waves of 10 % and
        // 90 % fit a set of any size although each of them rounds up.
        var asked = 0
        for (index, size) in sizes.enumerated() {
            let wanted = size.count(of: total)
            let field: String
            switch size {
            case .hosts(let n):
                field = "waves[\(index)].hosts"
                asked += n * 100
            case .percent(let p):
                field = "waves[\(index)].percent"
                asked += p * total
            }
            // The last wave takes whatever is left; `percent: 100` there says just that and is never too much.
            let takesTheRest = index == sizes.count - 1 && size == .percent(100)
            guard takesTheRest || asked <= total * 100 else {
                throw ValidationError(
                    field: field,
                    rule: "the waves up to this one take \((asked + 99) / 100) hosts, but the target set has \(total)"
                )
            }
            if index == sizes.count - 1 {
                counts.append(total - assigned)
            } else {
                guard wanted < total - assigned else {
                    throw ValidationError(
                        field: field,
                        rule: "takes every host left (\(total - assigned)), so the waves after it would be empty"
                    )
                }
                counts.append(wanted)
            }
            assigned += wanted
        }
        return counts
    }
}

/// One host of a rollout as the store keeps it.
public struct RolloutHost: Sendable, Hashable, Codable {
    /// The host.
    public var hostId: String
    /// Its wave (index into ``Rollout/waves``).
    public var wave: Int
    /// Its place in the rollout's order (waves take consecutive positions).
    public var position: Int
    /// Where it stands.
    public var state: RolloutHostState
    /// Why it was skipped or failed; nil otherwise.
    public var reason: RolloutHostReason?
    /// A person's words on the reason (the node's status detail, a deadline), empty when none.
    public var reasonDetail: String
    /// The update run of this host in this rollout, once one is seen.
    public var runId: String?
    /// When its wave opened for it (Unix seconds), nil before.
    public var openedAt: Int64?
    /// When its update started (the run opened), nil before.
    public var startedAt: Int64?
    /// When it reached its final state, nil before.
    public var endedAt: Int64?
    /// Whether the rollout still owns the host (unfinished rollout, or an update still running).
    public var active: Bool

    /// Creates a rollout host.
    public init(
        hostId: String,
        wave: Int,
        position: Int,
        state: RolloutHostState = .pending,
        reason: RolloutHostReason? = nil,
        reasonDetail: String = "",
        runId: String? = nil,
        openedAt: Int64? = nil,
        startedAt: Int64? = nil,
        endedAt: Int64? = nil,
        active: Bool = true
    ) {
        self.hostId = hostId
        self.wave = wave
        self.position = position
        self.state = state
        self.reason = reason
        self.reasonDetail = reasonDetail
        self.runId = runId
        self.openedAt = openedAt
        self.startedAt = startedAt
        self.endedAt = endedAt
        self.active = active
    }
}
