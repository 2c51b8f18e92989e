import CoreMetrics
import Dispatch
import MaintenanceManager

/// What an operator watches on the southbound port: polls by reported status and by outcome, and their latency.
///
/// Every metric object is made once, so a poll costs two counter increments and one timer record.
public struct PollMetrics: Sendable {
    /// `day2_southbound_polls_total{status=…}`: polls by the status the agent reported.
    let byStatus: [Counter]
    /// `day2_southbound_poll_results_total{result=…}`: ok, or the gRPC code of the refusal.
    let results: [String: Counter]
    /// `day2_southbound_poll_duration_seconds`: time in the Maintenance Manager per poll.
    let duration: Timer
    /// `day2_southbound_reports_queued`: reports waiting to be written, as the last poll saw it.
    let queuedReports: Gauge

    /// The outcomes counted separately; any other code counts as `internal`.
    static let resultNames = [
        "ok", "invalid_argument", "not_found", "failed_precondition", "unauthenticated", "permission_denied",
        "unavailable", "internal",
    ]

    /// Metrics from `factory` (the orchestrator's Prometheus registry).
    public init(factory: any MetricsFactory) {
        byStatus = AgentStatus.allCases.map { status in
            Counter(label: "day2_southbound_polls_total", dimensions: [("status", status.metricName)], factory: factory)
        }
        results = Dictionary(
            uniqueKeysWithValues: Self.resultNames.map { name in
                (
                    name,
                    Counter(
                        label: "day2_southbound_poll_results_total",
                        dimensions: [("result", name)],
                        factory: factory
                    )
                )
            }
        )
        duration = Timer(label: "day2_southbound_poll_duration_seconds", factory: factory)
        queuedReports = Gauge(label: "day2_southbound_reports_queued", factory: factory)
    }

    func record(status: AgentStatus?, result: String, since start: DispatchTime, queued: Int) {
        queuedReports.record(queued)
        byStatus[(status ?? .unspecified).index].increment()
        (results[result] ?? results["internal"])?.increment()
        duration.recordNanoseconds(Int64(DispatchTime.now().uptimeNanoseconds &- start.uptimeNanoseconds))
    }
}

extension AgentStatus {
    /// The label value: the wire name without its prefix, in lower case (`up_to_date`).
    var metricName: String {
        switch self {
        case .unspecified: "unspecified"
        case .upToDate: "up_to_date"
        case .started: "started"
        case .updated: "updated"
        case .failed: "failed"
        case .downloading: "downloading"
        case .downloaded: "downloaded"
        }
    }

    /// Position in `allCases`.
    var index: Int { AgentStatus.allCases.firstIndex(of: self) ?? 0 }
}

extension MaintenanceManagerError.Code {
    /// The result label of a refusal.
    var metricName: String {
        switch self {
        case .invalidArgument: "invalid_argument"
        case .notFound: "not_found"
        case .failedPrecondition: "failed_precondition"
        case .unauthenticated: "unauthenticated"
        case .permissionDenied: "permission_denied"
        case .unavailable: "unavailable"
        default: "internal"
        }
    }
}
