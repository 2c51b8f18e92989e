import Foundation

extension OSResource {
    /// The newest of `candidates` by image version (nil when none has a version).
    public static func newest(of candidates: [OSResource]) -> OSResource? {
        var best: (os: OSResource, version: ImageVersion)?
        for candidate in candidates {
            guard let version = ImageVersion(candidate.imageId) else { continue }
            if best == nil || best!.version < version { best = (candidate, version) }
        }
        return best?.os
    }
}

/// The earliest moment a set of maintenance windows lets an update start. Pure.
public enum EarliestWindow {
    /// The first instant at or after `t` inside one of `schedules` (single or repeated, OS-update and maintenance
    /// windows), with the zone the window is written in; nil when no window ever opens.
    public static func start(after t: Int64, in schedules: HostSchedules) -> (seconds: Int64, timeZone: String)? {
        var best: Int64?
        let opens: (ScheduleStatus) -> Bool = { $0 == .osUpdate || $0 == .maintenance }
        for single in schedules.single where opens(single.scheduleStatus) {
            if single.isActive(at: t) {
                best = t
                break
            }
            if single.startSeconds > t, best.map({ single.startSeconds < $0 }) ?? true { best = single.startSeconds }
        }
        let utc = TimeZone(identifier: "UTC")!
        if best != t {
            for repeated in schedules.repeated where opens(repeated.scheduleStatus) {
                guard let cron = try? repeated.cron() else { continue }
                if WindowMath.repeatedIsActive(cron: cron, durationSeconds: repeated.durationSeconds, timeZone: utc, at: t)
                {
                    best = t
                    break
                }
                // A tick at t itself opens a window at t: search from the second before.
                if let tick = cron.nextTick(after: t - 1, in: utc), best.map({ tick < $0 }) ?? true { best = tick }
            }
        }
        return best.map { ($0, "UTC") }
    }
}

/// One host of a rollout preview.
public struct PreviewHost: Sendable, Hashable {
    public var hostId: String
    public var hostName: String
    public var siteId: String?
    public var wave: Int
    public var state: RolloutHostState
    public var reason: RolloutHostReason?
    public var offer: RolloutOffer?
    /// The earliest moment its update can start (Unix seconds), nil when no window ever opens for it or it is
    /// skipped.
    public var earliestStart: Int64?
    /// The zone of the window that opens then.
    public var timeZone: String
}

/// One wave of a rollout preview.
public struct PreviewWave: Sendable, Hashable {
    public var hosts: Int
    public var skipped: Int
    /// The earliest the wave can open (every wave before it succeeding at once), nil when it cannot.
    public var earliestStart: Int64?
    /// The earliest it can reach its success threshold, nil when too few of its hosts ever get a window.
    public var earliestFinish: Int64?
}

/// What a rollout would do: per host its wave, its OS and when it can start; per wave and for the whole rollout
/// the earliest finish if every wave succeeds at once. Pure: built from a plan and each host's windows.
public struct RolloutPreview: Sendable, Hashable {
    public var hosts: [PreviewHost]
    public var waves: [PreviewWave]
    public var skippedByReason: [RolloutHostReason: Int]
    /// The earliest the whole rollout can finish, nil when it cannot (a wave never reaches its threshold).
    public var earliestFinish: Int64?

    /// Builds the preview. `schedules(host)` gives a host's inherited windows (it is asked once per distinct
    /// site for hosts without windows of their own, so keep it cheap); `waveStarts` gives the start of waves that
    /// have already opened.
    public static func build(
        _ rollout: Rollout,
        plan: [PlannedHost],
        now: Int64,
        waveStarts: [Int: Int64] = [:],
        ownSchedules: (String) -> HostSchedules?,
        siteSchedules: (String?) -> HostSchedules
    ) -> RolloutPreview {
        let waveCount = rollout.waves.count
        var byWave = Array(repeating: [Int](), count: waveCount)
        for (index, host) in plan.enumerated() { byWave[host.wave].append(index) }
        var hosts = plan.map {
            PreviewHost(
                hostId: $0.candidate.hostId,
                hostName: $0.candidate.hostName,
                siteId: $0.candidate.siteId,
                wave: $0.wave,
                state: $0.state,
                reason: $0.reason,
                offer: $0.offer,
                earliestStart: nil,
                timeZone: "UTC"
            )
        }
        var waves: [PreviewWave] = []
        var skippedByReason: [RolloutHostReason: Int] = [:]
        var next: Int64? = max(rollout.startSeconds, now)
        var siteMemo: [String: (Int64, String)?] = [:]
        for wave in 0..<waveCount {
            let waveStart = waveStarts[wave].map { max($0, now) } ?? next
            var starts: [Int64] = []
            var skipped = 0
            for index in byWave[wave] {
                let host = plan[index]
                if host.state == .skipped || host.state.isTerminal {
                    skipped += 1
                    if let reason = host.reason, host.state == .skipped { skippedByReason[reason, default: 0] += 1 }
                    continue
                }
                guard let waveStart else { continue }
                let found: (Int64, String)?
                if !rollout.respectMaintenanceWindows {
                    found = (waveStart, "UTC")
                } else if let own = ownSchedules(host.candidate.hostId) {
                    var all = own
                    let inherited = siteSchedules(host.candidate.siteId)
                    all.single += inherited.single
                    all.repeated += inherited.repeated
                    found = EarliestWindow.start(after: waveStart, in: all)
                } else {
                    let key = (host.candidate.siteId ?? "") + "@\(waveStart)"
                    if let memo = siteMemo[key] {
                        found = memo
                    } else {
                        found = EarliestWindow.start(after: waveStart, in: siteSchedules(host.candidate.siteId))
                        siteMemo[key] = found
                    }
                }
                if let found {
                    hosts[index].earliestStart = found.0
                    hosts[index].timeZone = found.1
                    starts.append(found.0)
                }
            }
            var finish: Int64?
            let total = byWave[wave].count
            let needed = max(0, (rollout.successThreshold * total + 99) / 100 - skipped)
            if waveStart != nil {
                if needed == 0 {
                    finish = waveStart
                } else if starts.count >= needed {
                    starts.sort()
                    finish = starts[needed - 1]
                }
            }
            waves.append(PreviewWave(hosts: total, skipped: skipped, earliestStart: waveStart, earliestFinish: finish))
            next = finish.map { wave == waveCount - 1 ? $0 : $0 + rollout.soakSeconds }
        }
        return RolloutPreview(
            hosts: hosts,
            waves: waves,
            skippedByReason: skippedByReason,
            earliestFinish: waves.last?.earliestFinish
        )
    }
}
