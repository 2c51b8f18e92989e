import Day2Model
import Dispatch
import GRPCCore
import Inventory
import Logging
import MaintenanceManager
import SouthboundContract
import Synchronization

/// `maintmgr.v1.MaintmgrService`: the wire adapter in front of the Maintenance Manager.
///
/// It converts between protobuf and domain types and maps errors to gRPC status codes; everything else is the
/// Maintenance Manager's. The project comes from `AgentAuthInterceptor`, never from the request.
public struct MaintenanceService<Store: InventoryStore>: Maintmgr_V1_MaintmgrService.ServiceProtocol {
    let manager: MaintenanceManager<Store>
    let logger: Logger
    let metrics: PollMetrics?
    let errorLog = LogThrottle(interval: .seconds(10))

    /// Polls being served now, against the limit.
    let inFlight: InFlightLimit

    /// Creates the service over a Maintenance Manager; with `metrics`, every poll is counted and timed. At most
    /// `maxConcurrentPolls` polls are served at once; more are answered UNAVAILABLE at once.
    public init(
        manager: MaintenanceManager<Store>,
        logger: Logger,
        metrics: PollMetrics? = nil,
        maxConcurrentPolls: Int = 5000
    ) {
        self.manager = manager
        self.logger = logger
        self.metrics = metrics
        self.inFlight = InFlightLimit(maxConcurrentPolls)
    }

    public func platformUpdateStatus(
        request: ServerRequest<Maintmgr_V1_PlatformUpdateStatusRequest>,
        context: ServerContext
    ) async throws -> ServerResponse<Maintmgr_V1_PlatformUpdateStatusResponse> {
        guard let project = request.metadata[stringValues: AgentAuthInterceptor.projectKey].first(where: { _ in true })
        else {
            throw RPCError(code: .unauthenticated, message: "Request unauthenticated with Bearer")
        }
        let start = DispatchTime.now()
        let poll = PollRequest(request.message)
        // An overloaded server answers at once rather than letting polls wait past the agents' deadlines: work
        // done for an agent that has given up is lost, and the retries would add to it (congestion collapse).
        guard inFlight.enter() else {
            record(poll, result: "unavailable", since: start)
            throw RPCError(
                code: .unavailable,
                message: "the Maintenance Manager is serving its limit of \(inFlight.limit) polls; try again later"
            )
        }
        defer { inFlight.leave() }
        do {
            let response = try await manager.poll(tenant: project, poll)
            record(poll, result: "ok", since: start)
            return ServerResponse(message: Maintmgr_V1_PlatformUpdateStatusResponse(response))
        } catch {
            record(poll, result: error.code.metricName, since: start)
            if error.code == .internal || error.code == .unavailable, let suppressed = errorLog.admit() {
                // At most one line per interval: an overloaded store would otherwise log every refused poll.
                logger.error(
                    "poll failed",
                    metadata: [
                        "project": "\(project)", "error": "\(error)", "similar.suppressed": "\(suppressed)",
                    ]
                )
            }
            throw RPCError(code: Self.code(error.code), message: error.message)
        }
    }

    /// Counts and times one poll, and samples the reports waiting to be written.
    private func record(_ poll: PollRequest, result: String, since start: DispatchTime) {
        metrics?.record(status: poll.status, result: result, since: start, queued: manager.queuedReports)
    }

    static func code(_ code: MaintenanceManagerError.Code) -> RPCError.Code {
        switch code {
        case .invalidArgument: .invalidArgument
        case .notFound: .notFound
        case .failedPrecondition: .failedPrecondition
        case .unauthenticated: .unauthenticated
        case .permissionDenied: .permissionDenied
        case .unavailable: .unavailable
        default: .internalError
        }
    }
}

extension PollRequest {
    /// The domain request of a wire request; a missing `update_status` stays missing (the handler rejects it).
    init(_ message: Maintmgr_V1_PlatformUpdateStatusRequest) {
        let status = message.updateStatus
        self.init(
            hostGUID: message.hostGuid,
            status: message.hasUpdateStatus ? AgentStatus(wireNumber: status.statusType.rawValue) : nil,
            statusDetail: status.statusDetail,
            profileName: status.profileName,
            profileVersion: status.profileVersion,
            osImageId: status.osImageID,
            osUpdateAvailable: status.osUpdateAvailable
        )
    }
}

extension Maintmgr_V1_PlatformUpdateStatusResponse {
    /// The wire response of a domain response. `update_source`, `update_schedule` and `os_profile_update_source`
    /// are always present (agents drop a response without them), possibly empty.
    init(_ response: PollResponse) {
        self.init()
        var source = Maintmgr_V1_UpdateSource()
        source.kernelCommand = response.kernelCommand
        source.customRepos = response.customRepos
        updateSource = source

        var schedule = Maintmgr_V1_UpdateSchedule()
        if let single = response.singleSchedule {
            var wire = Maintmgr_V1_SingleSchedule()
            wire.startSeconds = UInt64(max(0, single.startSeconds))
            wire.endSeconds = UInt64(max(0, single.endSeconds ?? 0))
            schedule.singleSchedule = wire
        }
        schedule.repeatedSchedules = response.repeatedSchedules.map { repeated in
            var wire = Maintmgr_V1_RepeatedSchedule()
            wire.durationSeconds = UInt32(clamping: repeated.durationSeconds)
            wire.cronMinutes = repeated.cronMinutes
            wire.cronHours = repeated.cronHours
            wire.cronDayMonth = repeated.cronDayMonth
            wire.cronMonth = repeated.cronMonth
            wire.cronDayWeek = repeated.cronDayWeek
            return wire
        }
        if let first = schedule.repeatedSchedules.first { schedule.repeatedSchedule = first }
        updateSchedule = schedule

        installedPackages = response.installedPackages
        osType = Maintmgr_V1_PlatformUpdateStatusResponse.OSType(rawValue: response.osType.wireNumber) ?? .unspecified

        var image = Maintmgr_V1_OSProfileUpdateSource()
        if let offer = response.image {
            image.osImageURL = offer.url
            image.osImageID = offer.imageId
            image.osImageSha = offer.sha256
            image.profileName = offer.profileName
            image.profileVersion = offer.profileVersion
        }
        osProfileUpdateSource = image
    }
}

/// A count of work in progress with a ceiling.
final class InFlightLimit: Sendable {
    let limit: Int
    private let count = Atomic(0)

    init(_ limit: Int) {
        self.limit = max(1, limit)
    }

    /// Takes a place; false (and nothing taken) when all are taken.
    func enter() -> Bool {
        if count.wrappingAdd(1, ordering: .relaxed).newValue <= limit { return true }
        count.wrappingSubtract(1, ordering: .relaxed)
        return false
    }

    /// Gives a place back.
    func leave() {
        count.wrappingSubtract(1, ordering: .relaxed)
    }
}
