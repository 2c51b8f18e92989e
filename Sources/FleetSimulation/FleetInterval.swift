/// One progress interval of a fleet run, as printed and as kept in the JSON summary.
public struct FleetInterval: Sendable, Codable, Equatable {
    /// Seconds since the agents started, at the end of the interval.
    public var seconds: Double
    /// Successful polls so far.
    public var polls: Int
    /// Successful polls per second in the interval.
    public var pollsPerSecond: Double
    /// Poll latency quantiles in the interval, in milliseconds.
    public var p50Milliseconds: Double
    public var p99Milliseconds: Double
    /// Failed poll attempts in the interval.
    public var failedPolls: Int
    /// Nodes that reported UPDATED, and FAILED, at least once so far.
    public var updatedNodes: Int
    public var failedNodes: Int
    /// The simulator's resident memory (bytes) and CPU seconds so far.
    public var residentBytes: Int
    public var cpuSeconds: Double
}

/// Poll figures of one phase of a run (before or after the window opened).
public struct FleetPhase: Sendable, Codable, Equatable {
    /// Successful polls in the phase.
    public var polls: Int
    /// Latency quantiles and maximum, in milliseconds.
    public var p50Milliseconds: Double
    public var p90Milliseconds: Double
    public var p99Milliseconds: Double
    public var maxMilliseconds: Double

    init(_ histogram: LatencyHistogram) {
        polls = histogram.count
        p50Milliseconds = histogram.quantile(0.5) * 1000
        p90Milliseconds = histogram.quantile(0.9) * 1000
        p99Milliseconds = histogram.quantile(0.99) * 1000
        maxMilliseconds = histogram.maximum * 1000
    }
}
