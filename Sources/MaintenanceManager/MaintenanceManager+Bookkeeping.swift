import Day2Model
import Foundation
import Inventory
import Logging

extension MaintenanceManager {
    /// Records a report: instance update status, available update, current OS after an immutable update, and the
    /// update run, in one transaction shared with other polls' reports (``WriteBatcher``). A report that cannot be
    /// written fails the poll, so the agent keeps its status and sends it again: answering a poll whose report was
    /// lost would let the agent move on (UPDATED becomes UP_TO_DATE once a poll succeeds) and lose the transition.
    /// A problem with one part (an unknown reported image) never drops the status write.
    ///
    /// Returns the OS the instance runs once the report is recorded (the new one after an immutable update).
    func record(
        tenant: String,
        host: HostResource,
        instance: Instance,
        currentOS: OSResource,
        newest: OSResource?,
        status: AgentStatus,
        request: PollRequest,
        appliedPolicyId: String?
    ) async throws -> OSResource {
        let now = nowSeconds
        var updated = instance
        let (text, indicator) = status.instanceStatus
        let statusChanged =
            !(instance.updateStatus.indicator == indicator && instance.updateStatus.status.contains(text))
        if statusChanged {
            updated.updateStatus = StatusTriplet(status: text, indicator: indicator, timestamp: now)
        }
        var switchedTo: OSResource?
        if statusChanged && status == .updated && currentOS.osType == .immutable {
            switchedTo = try await reportedImage(tenant: tenant, currentOS: currentOS, request: request)
        }
        if let switchedTo {
            updated.osId = switchedTo.resourceId
            updated.existingCves = switchedTo.existingCves
        } else if statusChanged && instance.updateStatus.indicator == .unspecified && indicator == .idle {
            updated.existingCves = currentOS.existingCves
        }
        switch currentOS.osType {
        case .immutable:
            let running = switchedTo ?? currentOS
            var available = ""
            if let newest, let a = ImageVersion(newest.imageId), let b = ImageVersion(running.imageId), b < a {
                available = newest.name
            }
            updated.osUpdateAvailable = available
        case .mutable:
            updated.osUpdateAvailable = request.osUpdateAvailable
        case .unspecified:
            break
        }
        guard updated != instance else { return switchedTo ?? currentOS }
        let write = ReportWrite(
            tenant: tenant,
            hostName: host.name,
            instance: instance,
            appliedPolicyId: appliedPolicyId,
            report: InstanceReport(
                instanceId: instance.resourceId,
                updateStatus: updated.updateStatus,
                osUpdateAvailable: updated.osUpdateAvailable,
                osId: switchedTo?.resourceId,
                existingCves: updated.existingCves != instance.existingCves ? updated.existingCves : nil
            ),
            statusChanged: statusChanged,
            osName: currentOS.name,
            osType: currentOS.osType,
            status: status,
            detail: request.statusDetail,
            now: now
        )
        do {
            try await writes.submit(write)
        } catch let refusal as WriteBatcher<ReportWrite>.Refusal {
            throw MaintenanceManagerError(
                .unavailable,
                refusal == .overloaded
                    ? "too many reports are waiting to be written; the report was not recorded, send it again"
                    : "the poll was cancelled before its report was written"
            )
        } catch {
            if let suppressed = writeErrorLog.admit() {
                logger.error(
                    "could not record the agent's report; the poll fails and the agent sends it again",
                    metadata: [
                        "host.id": "\(host.resourceId)", "instance.id": "\(instance.resourceId)", "error": "\(error)",
                        "similar.suppressed": "\(suppressed)",
                    ]
                )
            }
            throw error
        }
        return switchedTo ?? currentOS
    }

    /// Writes one batch of reports in one transaction with the store's batch write (a few statements for the
    /// whole batch); when that fails, each is written alone, one statement at a time, so that only the faulty one
    /// fails. One error (or nil) per report, in order.
    static func write(_ batch: [ReportWrite], to store: Store) async -> [(any Error)?] {
        do {
            try await store.withTransaction { tx in try await tx.recordReports(batch.map(\.record)) }
            return Array(repeating: nil, count: batch.count)
        } catch {
            // Alone below (also a batch of one: its run's ID is then probed before the insert).
        }
        var errors: [(any Error)?] = []
        for write in batch {
            do {
                try await store.withTransaction { tx in try await apply(write, tx) }
                errors.append(nil)
            } catch {
                errors.append(error)
            }
        }
        return errors
    }

    /// One report's writes, statement by statement (the fallback of a batch that failed).
    private static func apply(_ write: ReportWrite, _ tx: any InventoryStore) async throws {
        try await tx.recordInstanceReport(tenant: write.tenant, write.report)
        guard write.statusChanged else { return }
        try await recordRun(tx, write)
    }

    /// The OS resource matching the image an immutable node reports after an update; nil (with a warning) when the
    /// report names no image, the image it already ran, or an image no OS resource describes.
    private func reportedImage(tenant: String, currentOS: OSResource, request: PollRequest) async throws -> OSResource?
    {
        let metadata: Logger.Metadata = [
            "profile.name": "\(request.profileName)", "image.id": "\(request.osImageId)",
        ]
        guard !request.profileName.isEmpty, !request.osImageId.isEmpty else {
            logger.warning("immutable update reported without profile name or image ID", metadata: metadata)
            return nil
        }
        if request.profileName == currentOS.profileName && request.osImageId == currentOS.imageId {
            return nil
        }
        let matches = try await store.osResources(tenant: tenant, profileName: request.profileName, osType: .immutable)
            .filter { $0.imageId == request.osImageId }
        guard matches.count == 1, let match = matches.first else {
            logger.warning("reported image matches no single OS resource; current OS unchanged", metadata: metadata)
            return nil
        }
        return match
    }

    /// Opens, advances or closes the instance's update run for a changed status.
    private static func recordRun(_ tx: any InventoryStore, _ write: ReportWrite) async throws {
        guard let change = write.runChange else { return }
        let tenant = write.tenant
        if var run = try await tx.openRun(tenant: tenant, instanceId: write.instance.resourceId) {
            guard run.status != change.status || run.statusIndicator != change.indicator else { return }
            run.status = change.status
            run.statusIndicator = change.indicator
            run.statusTimestamp = change.at
            if !change.detail.isEmpty { run.statusDetails = change.detail }
            if change.endsRun { run.endTime = change.at }
            _ = try await tx.updateRun(tenant: tenant, run)
        } else {
            // A run is opened by whatever report first shows update activity, even when STARTED was never seen.
            _ = try await tx.createRun(tenant: tenant, change.newRun(instanceId: write.instance.resourceId))
        }
    }

    /// See ``RunText/runName(hostName:now:)``.
    static func runName(hostName: String, now: Int64) -> String { RunText.runName(hostName: hostName, now: now) }

    /// See ``RunText/loggedPackageCount(_:)``.
    static func loggedPackageCount(_ detail: String) -> Int? { RunText.loggedPackageCount(detail) }

    /// Closes runs that have had no report for longer than the commit deadline as failed, and marks their
    /// instances failed; returns how many it closed.
    public func closeStaleRuns(limit: Int = 500) async throws -> Int {
        let now = nowSeconds
        let deadline = configuration.commitDeadlineSeconds
        let stale = try await store.staleOpenRuns(statusBefore: now - deadline, limit: limit)
        for (tenant, run) in stale {
            try await store.withTransaction { tx in
                guard var current = try await tx.openRun(tenant: tenant, instanceId: run.instanceId),
                    current.resourceId == run.resourceId, current.statusTimestamp < now - deadline
                else { return }
                current.status = "Update failed"
                current.statusIndicator = .error
                current.statusTimestamp = now
                current.statusDetails = "no report from the node within the commit deadline of \(deadline) s"
                current.endTime = now
                _ = try await tx.updateRun(tenant: tenant, current)
                var instance = try await tx.instance(tenant: tenant, id: run.instanceId)
                instance.updateStatus = StatusTriplet(status: "Update failed", indicator: .error, timestamp: now)
                _ = try await tx.updateInstance(tenant: tenant, instance)
            }
            logger.warning(
                "closed an update run left open past the commit deadline",
                metadata: ["run.id": "\(run.resourceId)", "instance.id": "\(run.instanceId)"]
            )
        }
        return stale.count
    }
}

/// One poll's report, waiting to be written (see `MaintenanceManager.record`).
struct ReportWrite: Sendable {
    let tenant: String
    let hostName: String
    /// The instance as the poll read it (its ID and policy go into a new run).
    let instance: Instance
    /// The policy the poll applied (the rollout's while a rollout owns the host), recorded on a new run.
    let appliedPolicyId: String?
    let report: InstanceReport
    let statusChanged: Bool
    let osName: String
    let osType: OSType
    let status: AgentStatus
    let detail: String
    let now: Int64

    /// What the report does to the run: nil when the status did not change or concerns no run.
    var runChange: RunChange? {
        guard statusChanged, let (runText, indicator) = status.runStatus else { return nil }
        var text = runText
        if status == .updated && osType == .mutable,
            let count = RunText.loggedPackageCount(detail)
        {
            text = "Update completed - \(count) package(s) updated/installed"
        }
        return RunChange(
            status: text,
            indicator: indicator,
            detail: detail,
            endsRun: status.endsRun,
            at: now,
            name: RunText.runName(hostName: hostName, now: now),
            description: String("OS update for \(osName)".utf8.prefix(200)) ?? "OS update",
            appliedPolicyId: appliedPolicyId
        )
    }

    /// The store's form of the report.
    var record: ReportRecord { ReportRecord(tenant: tenant, report: report, run: runChange) }
}

/// The texts of update runs the Maintenance Manager writes.
enum RunText {
    /// `<host name, at most 13 bytes> update <YYYYMMDD-HHMMSS>` (UTC).
    static func runName(hostName: String, now: Int64) -> String {
        var short = ""
        for character in hostName where short.utf8.count + String(character).utf8.count <= 13 {
            short.append(character)
        }
        let date = Date(timeIntervalSince1970: TimeInterval(now))
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second], from: date)
        let stamp = String(
            format: "%04d%02d%02d-%02d%02d%02d",
            c.year ?? 0,
            c.month ?? 0,
            c.day ?? 0,
            c.hour ?? 0,
            c.minute ?? 0,
            c.second ?? 0
        )
        return "\(short) update \(stamp)"
    }

    /// How many entries a status detail log has, in either shape agents send: `{"update_log":[…]}` (the
    /// Maintenance Manager's schema) or `{"UpdateLog":[…]}` (what agents actually write); nil when it is neither.
    static func loggedPackageCount(_ detail: String) -> Int? {
        guard !detail.isEmpty,
            let object = try? JSONSerialization.jsonObject(with: Data(detail.utf8)) as? [String: Any]
        else { return nil }
        let entries = (object["update_log"] ?? object["UpdateLog"]) as? [Any]
        return entries?.count
    }
}
