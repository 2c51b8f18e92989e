import Day2Model
import Foundation
import Inventory
import Logging
import Metrics
import ServiceLifecycle

/// The OS Resource Manager as a `Service`: a full reconcile at start and every `period`, and a reconcile of each new
/// project as soon as it appears, on one replica at a time (the `os-resource-manager` lease).
public struct OSResourceManagerService<Store: InventoryStore>: Service {
    /// Tunables of the loop.
    public struct Schedule: Sendable {
        /// Between full reconciles (CVE lists are downloaded in each).
        public var period: Duration
        /// How often new projects are looked for and the lease is renewed.
        public var watchInterval: Duration
        /// How long the lease lasts without renewal (longer than the longest pass).
        public var leaseSeconds: Int64

        /// Creates a schedule (defaults: 12 h, 60 s, 15 min).
        public init(
            period: Duration = .seconds(12 * 3600),
            watchInterval: Duration = .seconds(60),
            leaseSeconds: Int64 = 900
        ) {
            self.period = period
            self.watchInterval = watchInterval
            self.leaseSeconds = leaseSeconds
        }
    }

    /// The lease name every replica competes for.
    public static var leaseName: String { "os-resource-manager" }

    let reconciler: OSResourceReconciler<Store>
    let store: Store
    let schedule: Schedule
    let holder: String
    let logger: Logger
    let metrics: any MetricsFactory
    let waitUntilReady: @Sendable () async -> Void

    /// Creates the service; `waitUntilReady` is awaited before the first pass (the built-in Release Service must be
    /// listening first).
    public init(
        reconciler: OSResourceReconciler<Store>,
        store: Store,
        schedule: Schedule,
        holder: String,
        logger: Logger,
        metrics: any MetricsFactory,
        waitUntilReady: @escaping @Sendable () async -> Void = {}
    ) {
        self.reconciler = reconciler
        self.store = store
        self.schedule = schedule
        self.holder = holder
        self.logger = logger
        self.metrics = metrics
        self.waitUntilReady = waitUntilReady
    }

    /// Reconciles until graceful shutdown or cancellation, then gives the lease up.
    public func run() async throws {
        await cancelWhenGracefulShutdown {
            await waitUntilReady()
            await loop()
        }
        try? await store.releaseLease(name: Self.leaseName, holder: holder)
    }

    private func loop() async {
        var lastFull: ContinuousClock.Instant?
        var known: Set<String> = []
        let clock = ContinuousClock()
        while !Task.isCancelled {
            do {
                if try await store.acquireLease(name: Self.leaseName, holder: holder, seconds: schedule.leaseSeconds) {
                    if lastFull.map({ clock.now - $0 >= schedule.period }) ?? true {
                        let ids = Set(try await store.projects().map(\.id))
                        try await pass(only: nil, kind: "full")
                        known = ids
                        lastFull = clock.now
                    } else {
                        let ids = Set(try await store.projects().map(\.id))
                        let fresh = ids.subtracting(known)
                        if !fresh.isEmpty {
                            try await pass(only: fresh, kind: "new-projects")
                        }
                        known = ids
                    }
                } else {
                    // Another replica holds the lease; if it goes away, start over with a full pass.
                    lastFull = nil
                }
            } catch  where Task.isCancelled {
                break
            } catch {
                Counter(label: "day2_osrm_passes_total", dimensions: [("result", "failed")], factory: metrics)
                    .increment()
                logger.error("OS resource reconcile failed", metadata: ["error": "\(error)"])
            }
            let wait = lastFull == nil ? schedule.watchInterval : min(schedule.watchInterval, schedule.period)
            try? await Task.sleep(for: wait)
        }
    }

    private func pass(only: Set<String>?, kind: String) async throws {
        let started = ContinuousClock.now
        let report = try await reconciler.reconcile(only: only, downloadCVEs: true)
        let result = report.failures.isEmpty && report.writeFailures.isEmpty ? "ok" : "partial"
        Counter(label: "day2_osrm_passes_total", dimensions: [("result", result)], factory: metrics).increment()
        Gauge(label: "day2_osrm_last_pass_timestamp_seconds", factory: metrics).record(Date().timeIntervalSince1970)
        logger.info(
            "OS resource reconcile finished",
            metadata: [
                "osrm.pass": "\(kind)", "osrm.result": "\(result)", "osrm.projects": "\(report.projects)",
                "osrm.created": "\(report.created)", "osrm.refreshed": "\(report.refreshed)",
                "osrm.linked": "\(report.linked)",
                "osrm.skipped": "\(report.failures.count + report.writeFailures.count)",
                "osrm.duration": "\(ContinuousClock.now - started)",
            ]
        )
    }
}
