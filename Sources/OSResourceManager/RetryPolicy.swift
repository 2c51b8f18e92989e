/// How often and how patiently a failed Release Service call is tried again: exponential backoff between
/// `initialDelay` and `maximumDelay`, transient failures only (network, 5xx, 429).
public struct RetryPolicy: Sendable {
    /// Tries in all (1 = no retry).
    public var attempts: Int
    /// The first pause.
    public var initialDelay: Duration
    /// The longest pause.
    public var maximumDelay: Duration
    /// How to pause (injected so tests need not wait).
    public var sleep: @Sendable (Duration) async throws -> Void

    /// Creates a policy; by default 5 tries, 1 s doubling up to 60 s, as upstream backs off.
    public init(
        attempts: Int = 5,
        initialDelay: Duration = .seconds(1),
        maximumDelay: Duration = .seconds(60),
        sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) }
    ) {
        self.attempts = max(1, attempts)
        self.initialDelay = initialDelay
        self.maximumDelay = maximumDelay
        self.sleep = sleep
    }

    /// The pause before try `attempt + 1` (attempt counts from 1).
    public func delay(after attempt: Int) -> Duration {
        var delay = initialDelay
        for _ in 1..<max(1, attempt) {
            delay = delay * 2
            if delay >= maximumDelay { return maximumDelay }
        }
        return min(delay, maximumDelay)
    }

    /// Runs `body` until it succeeds, fails for good, or the tries run out; `onRetry` hears of each retry.
    public func run<T: Sendable>(
        onRetry: (Int, any Error) -> Void = { _, _ in },
        _ body: () async throws -> T
    ) async throws -> T {
        var attempt = 1
        while true {
            do {
                return try await body()
            } catch let error as OSResourceManagerError where error.isTransient && attempt < attempts {
                onRetry(attempt, error)
                try await sleep(delay(after: attempt))
                attempt += 1
            }
        }
    }
}
