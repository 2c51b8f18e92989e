import AgentCore

/// The Maintenance Manager as one simulated node sees it: the fleet's shared gRPC client, with every poll timed
/// and its reported status counted in the fleet's telemetry.
struct NodeReporter<Base: MaintenanceClient>: MaintenanceClient {
    let index: Int
    let telemetry: FleetTelemetry
    let base: Base

    func poll(_ report: StatusReport, timeout: Double) async throws -> DesiredState {
        let start = ContinuousClock.now
        do {
            let desired = try await base.poll(report, timeout: timeout)
            telemetry.polled(index, reported: report.status, latency: (ContinuousClock.now - start).seconds)
            return desired
        } catch {
            // A poll cut short because the fleet is stopping is not the server's failure.
            if Task.isCancelled { throw error }
            telemetry.pollFailed(latency: (ContinuousClock.now - start).seconds)
            throw error
        }
    }
}

extension Duration {
    /// The duration in seconds.
    var seconds: Double {
        let parts = components
        return Double(parts.seconds) + Double(parts.attoseconds) / 1e18
    }
}
