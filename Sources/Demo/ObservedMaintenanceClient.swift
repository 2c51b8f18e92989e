import AgentCore

/// A `MaintenanceClient` that tells ``RolloutProgress`` about every report the Maintenance Manager accepted.
public struct ObservedMaintenanceClient: MaintenanceClient {
    /// The real client (gRPC).
    public let base: any MaintenanceClient
    /// Where reports go.
    public let progress: RolloutProgress

    /// Wraps `base`.
    public init(base: any MaintenanceClient, progress: RolloutProgress) {
        self.base = base
        self.progress = progress
    }

    public func poll(_ report: StatusReport, timeout: Double) async throws -> DesiredState {
        let desired = try await base.poll(report, timeout: timeout)
        progress.record(report)
        return desired
    }
}
