import Foundation

/// Latencies in logarithmic buckets (2^(1/32) apart, about 2 % wide) from 1 µs to over an hour: constant memory
/// and O(1) recording, so every poll of a 100,000-node fleet can be counted.
public struct LatencyHistogram: Sendable, Equatable {
    static let bucketsPerDoubling = 32.0
    static let bucketCount = 1100

    private var counts = [UInt32](repeating: 0, count: bucketCount)
    /// Values recorded.
    public private(set) var count = 0
    /// The largest value recorded, in seconds.
    public private(set) var maximum: Double = 0

    /// An empty histogram.
    public init() {}

    static func bucket(_ seconds: Double) -> Int {
        let micros = max(1, seconds * 1e6)
        return min(bucketCount - 1, Int(log2(micros) * bucketsPerDoubling))
    }

    /// Records one latency.
    public mutating func record(_ seconds: Double) {
        counts[Self.bucket(seconds)] &+= 1
        count += 1
        maximum = max(maximum, seconds)
    }

    /// Adds `other`.
    public mutating func merge(_ other: LatencyHistogram) {
        for index in counts.indices { counts[index] &+= other.counts[index] }
        count += other.count
        maximum = max(maximum, other.maximum)
    }

    /// The latency below which a fraction `q` of the values lie (the upper edge of its bucket, at most the
    /// maximum), in seconds; 0 when empty.
    public func quantile(_ q: Double) -> Double {
        guard count > 0 else { return 0 }
        let rank = max(1, Int((Double(count) * q).rounded(.up)))
        var seen = 0
        for (index, value) in counts.enumerated() {
            seen += Int(value)
            if seen >= rank {
                return min(maximum, pow(2, Double(index + 1) / Self.bucketsPerDoubling) / 1e6)
            }
        }
        return maximum
    }
}
