import Day2Model
import Foundation
import Inventory
import Logging

/// The Maintenance Manager: answers each agent poll with its windows and update source, and records what the agent
/// reported (instance update status, available updates, the running OS, update runs).
///
/// A pure function of (request, store, clock): it holds no state of its own, so any number of replicas can serve
/// the same fleet.
public struct MaintenanceManager<Store: InventoryStore>: Sendable {
    /// Tunables.
    public struct Configuration: Sendable {
        /// How long a run may stay open without a new report before it is closed as failed.
        public var commitDeadlineSeconds: Int64 = 2 * 3600
        /// Most polls' reports written in one transaction.
        public var maximumReportBatch = 128
        /// Most reports waiting to be written; a poll whose report would wait behind more is refused (UNAVAILABLE)
        /// and the agent sends it again on a later poll.
        public var maximumQueuedReports = 8_000

        /// The defaults.
        public init() {}
    }

    let store: Store
    let configuration: Configuration
    let now: @Sendable () -> Date
    let logger: Logger
    /// OS resources, policies and schedules shared by polls, valid while the configuration generation holds.
    let cache: PollContextCache
    /// Joins concurrent polls' report writes into shared transactions.
    let writes: WriteBatcher<ReportWrite>
    /// Keeps a failing store from logging every poll.
    let writeErrorLog = LogThrottle(interval: .seconds(10))

    /// Creates the handler over `store`, reading time from `now`.
    public init(
        store: Store,
        configuration: Configuration = Configuration(),
        now: @escaping @Sendable () -> Date,
        logger: Logger
    ) {
        self.store = store
        self.configuration = configuration
        self.now = now
        self.logger = logger
        self.cache = PollContextCache()
        self.writes = WriteBatcher(
            lanes: store.concurrentWriters,
            maximumBatch: configuration.maximumReportBatch,
            maximumQueued: configuration.maximumQueuedReports
        ) { batch in await Self.write(batch, to: store) }
    }

    var nowSeconds: Int64 { Int64(now().timeIntervalSince1970) }

    /// Agents' reports waiting to be written now.
    public var queuedReports: Int { writes.queued }

    /// Handles one poll of a node of project `tenant` (already authenticated).
    public func poll(tenant: String, _ request: PollRequest) async throws(MaintenanceManagerError) -> PollResponse {
        try request.validate()
        let status = request.status ?? .unspecified
        do {
            let uuid = request.hostGUID.lowercased()
            guard let lookup = try await store.hostAndInstance(tenant: tenant, uuid: uuid) else {
                throw MaintenanceManagerError(.notFound, "host with UUID \(uuid) not found")
            }
            let host = lookup.host
            let cached = cache.view(tenant: tenant, generation: lookup.configGeneration)
            guard let instance = lookup.instance else {
                throw MaintenanceManagerError(.notFound, "Instance not found for host \(host.resourceId)")
            }
            if host.isUntrusted || instance.isUntrusted {
                throw MaintenanceManagerError(
                    .unauthenticated,
                    "Host [UUID=\(uuid)] is not trusted, the message will not be handled"
                )
            }
            let provisioned =
                instance.provisioningStatus.indicator == .idle || instance.provisioningStatus.status == "Provisioned"
            guard provisioned else {
                throw MaintenanceManagerError(.failedPrecondition, "instance \(instance.resourceId) is not provisioned")
            }
            let osId = instance.osId
            let (currentOS, profile) = try await cached.osAndProfile(osId) {
                try await store.osResourceAndProfile(tenant: tenant, id: osId)
            }
            let newest = OSResource.newest(of: profile)
            // A host a rollout owns gets the rollout's policy while its wave is open, and nothing otherwise.
            let gate = lookup.rollout?.gate(reportsUpdateUnderWay: status == .started)
            let policyId: String?
            switch gate {
            case nil: policyId = instance.osUpdatePolicyId
            case .open(let id, _): policyId = id
            case .closed: policyId = nil
            }
            let policy = try await policyId.asyncMap { id in
                try await cached.policy(id) { try await store.policy(tenant: tenant, id: id) }
            }

            let runningOS = try await record(
                tenant: tenant,
                host: host,
                instance: instance,
                currentOS: currentOS,
                newest: newest,
                status: status,
                request: request,
                appliedPolicyId: policyId
            )

            var response = PollResponse()
            switch gate {
            case .closed:
                // Neither windows nor an update source: a mutable node would otherwise upgrade in its window.
                response.osType = runningOS.osType
                return response
            case .open(_, let window?):
                try await addSchedules(to: &response, tenant: tenant, host: host, cached: cached)
                response.singleSchedule = Self.rolloutWindow(window, rolloutId: lookup.rollout?.rolloutId ?? "")
            case .open(_, nil), nil:
                try await addSchedules(to: &response, tenant: tenant, host: host, cached: cached)
            }
            try await addUpdateSource(
                to: &response,
                tenant: tenant,
                cached: cached,
                currentOS: runningOS,
                newest: newest,
                policy: policy
            )
            return response
        } catch let error as MaintenanceManagerError {
            throw error
        } catch let error as InventoryError {
            throw MaintenanceManagerError(error)
        } catch {
            throw MaintenanceManagerError(.internal, "unexpected error")
        }
    }

    /// The window a rollout opens itself for a wave (`respectMaintenanceWindows: false`), as the single schedule
    /// the agent gets; its ID is the rollout's number under the single-schedule prefix.
    static func rolloutWindow(_ window: TimeWindow, rolloutId: String) -> SingleSchedule {
        let number = rolloutId.split(separator: "-").last.map(String.init) ?? "00000000"
        return SingleSchedule(
            resourceId: "\(ResourceKind.singleSchedule.prefix)-\(number)",
            name: "rollout \(rolloutId)",
            scheduleStatus: .osUpdate,
            target: .none,
            startSeconds: window.start,
            endSeconds: window.end
        )
    }

    // MARK: Schedules

    /// Every schedule the host inherits: its own, and its site's (which include those of the site's regions).
    private func schedules(
        tenant: String,
        host: HostResource,
        cached: PollContextCache.View
    ) async throws -> HostSchedules {
        let hostId = host.resourceId
        var all = try await cached.ownSchedules(hostId) { try await store.ownSchedules(tenant: tenant, hostId: hostId) }
        if let siteId = host.siteId {
            let inherited = try await cached.siteSchedules(siteId) {
                try await store.siteSchedules(tenant: tenant, siteId: siteId)
            }
            all.single += inherited.single
            all.repeated += inherited.repeated
        }
        return all
    }

    private func addSchedules(
        to response: inout PollResponse,
        tenant: String,
        host: HostResource,
        cached: PollContextCache.View
    ) async throws {
        let schedules = try await schedules(tenant: tenant, host: host, cached: cached)
        let opensWindows: (ScheduleStatus) -> Bool = { $0 == .osUpdate || $0 == .maintenance }
        let now = nowSeconds
        var closest: (schedule: SingleSchedule, distance: Int64)?
        for schedule in schedules.single where opensWindows(schedule.scheduleStatus) {
            if let end = schedule.endSeconds, now >= end { continue }
            let distance = abs(now - schedule.startSeconds)
            if closest == nil || distance < closest!.distance { closest = (schedule, distance) }
        }
        response.singleSchedule = closest?.schedule
        for schedule in schedules.repeated where opensWindows(schedule.scheduleStatus) {
            // Only what the agent evaluates is checked here: the cron fields and the duration.
            do throws(ValidationError) {
                _ = try schedule.cron()
                try WindowMath.validateDuration(schedule.durationSeconds)
                response.repeatedSchedules.append(schedule)
            } catch {
                logger.warning(
                    "skipping malformed repeated schedule",
                    metadata: ["schedule.id": "\(schedule.resourceId)", "error": "\(error)"]
                )
            }
        }
    }

    // MARK: Update source

    private func addUpdateSource(
        to response: inout PollResponse,
        tenant: String,
        cached: PollContextCache.View,
        currentOS: OSResource,
        newest: OSResource?,
        policy: OSUpdatePolicy?
    ) async throws {
        response.osType = currentOS.osType
        guard let policy else { return }
        switch currentOS.osType {
        case .unspecified:
            throw MaintenanceManagerError(.invalidArgument, "Unsupported OS type")
        case .mutable:
            response.kernelCommand = policy.updateKernelCommand
            response.customRepos = policy.updateSources
            response.installedPackages = policy.updatePackages
        case .immutable:
            if !policy.updateKernelCommand.isEmpty {
                response.kernelCommand = policy.updateKernelCommand
                return
            }
            let target: OSResource
            switch policy.updatePolicy {
            case .target:
                guard let targetId = policy.targetOsId else {
                    throw MaintenanceManagerError(.notFound, "missing targetOS in OSUpdatePolicy \(policy.resourceId)")
                }
                target = try await cached.osResource(targetId) {
                    try await store.osResource(tenant: tenant, id: targetId)
                }
                guard target.osType == .immutable else {
                    throw MaintenanceManagerError(.internal, "unsupported OS type of target \(targetId)")
                }
            case .latest:
                guard let newest else {
                    throw MaintenanceManagerError(.notFound, "no immutable OS of profile \(currentOS.profileName)")
                }
                target = newest
            case .unspecified:
                throw MaintenanceManagerError(.internal, "unsupported update scenario")
            }
            // Never offer the image the node already runs: re-applying it fails on the node.
            if target.resourceId != currentOS.resourceId {
                response.image = ImageOffer(target)
            }
        }
    }
}

extension Optional {
    /// `map` with an async transform.
    func asyncMap<T>(_ transform: (Wrapped) async throws -> T) async rethrows -> T? {
        guard let self else { return nil }
        return try await transform(self)
    }
}
