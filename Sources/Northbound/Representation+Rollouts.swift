import Day2Model
import Foundation
import Inventory

extension Representation {
    // MARK: Rollouts (every field present with its zero value; waves numbered from 1)

    /// A rollout: the target as `regionId`/`siteId`/`hostIds`/`filter` with the unused ones empty, as upstream
    /// echoes references; `currentWave` 1-based (0 before the first wave opens).
    static func rollout(_ rollout: Rollout) -> JSON {
        var regionId = ""
        var siteId = ""
        var hostIds: [String] = []
        var filter = ""
        switch rollout.target {
        case .region(let id): regionId = id
        case .site(let id): siteId = id
        case .hosts(let ids): hostIds = ids
        case .filter(let text): filter = text
        }
        return .object([
            ("resourceId", .string(rollout.resourceId)), ("name", .string(rollout.name)),
            ("osUpdatePolicyId", .string(rollout.osUpdatePolicyId)), ("regionId", .string(regionId)),
            ("siteId", .string(siteId)), ("hostIds", .array(hostIds.map(JSON.string))), ("filter", .string(filter)),
            ("waves", .array(rollout.waves.map(rolloutWave))),
            ("successThreshold", .int(Int64(rollout.successThreshold))),
            ("failureThreshold", .int(Int64(rollout.failureThreshold))), ("soakSeconds", .int(rollout.soakSeconds)),
            ("commitDeadlineSeconds", .int(rollout.commitDeadlineSeconds)),
            ("startSeconds", uint32(rollout.startSeconds)),
            ("respectMaintenanceWindows", .bool(rollout.respectMaintenanceWindows)),
            ("windowSeconds", .int(rollout.windowSeconds)), ("state", .string(rollout.state.rawValue)),
            ("stateReason", .string(rollout.stateReason)),
            ("currentWave", .int(Int64(max(0, rollout.currentWave + 1)))),
            ("totalHosts", .int(Int64(rollout.waves.reduce(0) { $0 + $1.total }))),
            ("timestamps", timestamps(rollout.timestamps)),
        ])
    }

    /// One wave: the size asked for (`hosts` or `percent`, the other 0), its state, counts and times.
    static func rolloutWave(_ wave: RolloutWave) -> JSON {
        var hosts = 0
        var percent = 0
        switch wave.size {
        case .hosts(let n): hosts = n
        case .percent(let p): percent = p
        }
        return .object([
            ("hosts", .int(Int64(hosts))), ("percent", .int(Int64(percent))), ("state", .string(wave.state.rawValue)),
            ("total", .int(Int64(wave.total))), ("pending", .int(Int64(wave.pending))),
            ("updating", .int(Int64(wave.updating))), ("updated", .int(Int64(wave.updated))),
            ("failed", .int(Int64(wave.failed))), ("skipped", .int(Int64(wave.skipped))),
            ("startTime", uint32(wave.startTime)), ("endTime", uint32(wave.endTime)),
        ])
    }

    /// One host of a rollout, its wave 1-based, times 0 while not reached.
    static func rolloutHost(_ entry: RolloutHostEntry) -> JSON {
        let host = entry.host
        return .object([
            ("hostId", .string(host.hostId)), ("hostName", .string(entry.hostName)),
            ("siteId", .string(entry.siteId ?? "")), ("wave", .int(Int64(host.wave + 1))),
            ("state", .string(host.state.rawValue)), ("reason", .string(host.reason?.rawValue ?? "")),
            ("reasonDetail", .string(host.reasonDetail)), ("runId", .string(host.runId ?? "")),
            ("openedAt", uint32(host.openedAt ?? 0)), ("startedAt", uint32(host.startedAt ?? 0)),
            ("endedAt", uint32(host.endedAt ?? 0)),
        ])
    }

    /// A preview; `hosts` holds the page `offset ..< offset + pageSize`, every other field covers the whole set.
    static func rolloutPreview(_ preview: RolloutPreview, offset: Int, pageSize: Int) -> JSON {
        let waves = preview.waves.enumerated().map { index, wave in
            JSON.object([
                ("wave", .int(Int64(index + 1))), ("hosts", .int(Int64(wave.hosts))),
                ("skipped", .int(Int64(wave.skipped))), ("earliestStart", uint32(wave.earliestStart ?? 0)),
                ("earliestFinish", uint32(wave.earliestFinish ?? 0)),
            ])
        }
        let skipped = preview.skippedByReason.sorted { $0.key.rawValue < $1.key.rawValue }.map { reason, hosts in
            JSON.object([("reason", .string(reason.rawValue)), ("hosts", .int(Int64(hosts)))])
        }
        let total = preview.hosts.count
        let page = preview.hosts.dropFirst(min(offset, total)).prefix(pageSize)
        return .object([
            ("totalHosts", .int(Int64(total))), ("waves", .array(waves)), ("skippedByReason", .array(skipped)),
            ("earliestFinish", uint32(preview.earliestFinish ?? 0)), ("hosts", .array(page.map(previewHost))),
            ("totalElements", .int(Int64(total))), ("hasNext", .bool(offset + page.count < total)),
        ])
    }

    /// One host of a preview: its earliest start as Unix seconds, RFC 3339 in UTC and in the zone of its window
    /// (0 and "" when no window ever opens for it).
    static func previewHost(_ host: PreviewHost) -> JSON {
        var utc = ""
        var local = ""
        var zone = ""
        if let start = host.earliestStart {
            let date = Date(timeIntervalSince1970: TimeInterval(start))
            // The zone's own name as the preview gives it (Foundation on Linux calls UTC "GMT").
            let hostZone = TimeZone(identifier: host.timeZone) ?? .gmt
            utc = date.formatted(Date.ISO8601FormatStyle(timeZone: .gmt))
            local = date.formatted(Date.ISO8601FormatStyle(timeZone: hostZone))
            zone = TimeZone(identifier: host.timeZone) == nil ? "UTC" : host.timeZone
        }
        return .object([
            ("hostId", .string(host.hostId)), ("hostName", .string(host.hostName)),
            ("siteId", .string(host.siteId ?? "")), ("wave", .int(Int64(host.wave + 1))),
            ("state", .string(host.state.rawValue)), ("reason", .string(host.reason?.rawValue ?? "")),
            ("osId", .string(host.offer?.os?.resourceId ?? "")), ("offer", .string(host.offer?.summary ?? "")),
            ("earliestStart", uint32(host.earliestStart ?? 0)), ("earliestStartUtc", .string(utc)),
            ("earliestStartLocal", .string(local)), ("timeZone", .string(zone)),
        ])
    }
}
