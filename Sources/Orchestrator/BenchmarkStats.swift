import Foundation

/// Latency samples of one benchmarked operation, with throughput and percentiles.
public struct BenchmarkStats: Sendable {
    /// What was measured.
    public var name: String
    /// Operations completed.
    public var operations: Int
    /// Wall-clock time of the run, seconds.
    public var seconds: Double
    /// Every latency, seconds, sorted ascending.
    public var latencies: [Double]

    /// Creates stats from unsorted samples.
    public init(name: String, seconds: Double, latencies: [Double]) {
        self.name = name
        self.operations = latencies.count
        self.seconds = seconds
        self.latencies = latencies.sorted()
    }

    /// Operations per second.
    public var throughput: Double { seconds > 0 ? Double(operations) / seconds : 0 }

    /// The latency at quantile `q` (0…1), seconds.
    public func percentile(_ q: Double) -> Double {
        guard !latencies.isEmpty else { return 0 }
        let index = min(latencies.count - 1, Int((Double(latencies.count) * q).rounded(.up)) - 1)
        return latencies[max(0, index)]
    }

    /// One aligned line: ops/s, p50, p99 (milliseconds).
    public var line: String {
        String(
            format: "%-38@ %10.0f ops/s   p50 %7.3f ms   p99 %7.3f ms   (%d ops)",
            name as NSString,
            throughput,
            percentile(0.5) * 1000,
            percentile(0.99) * 1000,
            operations
        )
    }

    /// Runs `operation` from `workers` concurrent tasks for `duration`, recording each call's latency.
    public static func measure(
        _ name: String,
        workers: Int,
        duration: Duration,
        operation: @escaping @Sendable (Int) async throws -> Void
    ) async throws -> BenchmarkStats {
        let clock = ContinuousClock()
        let start = clock.now
        let deadline = start + duration
        let samples = try await withThrowingTaskGroup(of: [Double].self) { group in
            for worker in 0..<workers {
                group.addTask {
                    var local: [Double] = []
                    var iteration = worker
                    while clock.now < deadline {
                        let before = clock.now
                        try await operation(iteration)
                        local.append((clock.now - before).seconds)
                        iteration += workers
                    }
                    return local
                }
            }
            var all: [Double] = []
            for try await part in group { all += part }
            return all
        }
        return BenchmarkStats(name: name, seconds: (clock.now - start).seconds, latencies: samples)
    }
}

extension Duration {
    /// The duration in seconds.
    var seconds: Double {
        let parts = components
        return Double(parts.seconds) + Double(parts.attoseconds) / 1e18
    }
}
