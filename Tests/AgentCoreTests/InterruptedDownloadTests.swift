import AgentCore
import AgentSimulation
import Foundation
import Synchronization
import Testing

/// An image server whose first `failures` transfers break off after `cut` bytes, as a dropped connection or a
/// restarting Release Service does; it records the offset every transfer asked for.
final class FlakyImageFetcher: ImageFetcher {
    let base: InMemoryImageFetcher
    let cut: Int
    let state: Mutex<(failuresLeft: Int, offsets: [Int64])>

    init(base: InMemoryImageFetcher, failures: Int, cut: Int) {
        self.base = base
        self.cut = cut
        state = Mutex((failures, []))
    }

    var offsets: [Int64] { state.withLock { $0.offsets } }

    func fetch(
        _ url: String,
        from offset: Int64,
        _ body: (UnsafeRawBufferPointer) throws -> Void,
        afterChunk: () async throws -> Void
    ) async throws -> Int64? {
        let failing = state.withLock { state in
            state.offsets.append(offset)
            guard state.failuresLeft > 0 else { return false }
            state.failuresLeft -= 1
            return true
        }
        var delivered = 0
        return try await base.fetch(
            url,
            from: offset,
            { bytes in
                if failing && delivered >= cut { throw AgentError(.download, "\(url): connection reset by peer") }
                delivered += bytes.count
                try body(bytes)
            },
            afterChunk: afterChunk
        )
    }
}

@Suite("Interrupted image downloads in the window")
struct InterruptedDownloadTests {
    @Test("broken transfers are resumed after 2, 4, 8 s from the bytes on disk, and the update completes")
    func resumes() async throws {
        var harness = try await NodeHarness.make(os: .emt, desired: NodeHarness.immutableDesired(), chunkSize: 16 << 10)
        defer { harness.remove() }
        let flaky = FlakyImageFetcher(base: harness.fetcher, failures: 3, cut: 48 << 10)
        harness.imageFetcher = flaky
        let opens = Double(NodeHarness.window.startSeconds)
        harness.clock.set(opens)  // straight into the window: no pre-download
        try await harness.drive(until: NodeHarness.settled)
        let metadata = try await harness.metadata()
        #expect(metadata.updateStatus == .upToDate, "\(metadata.updateLog)")
        #expect(metadata.osProfileUpdateSourceActual == NodeHarness.newImageSource())
        #expect(harness.node.slots.contents(.b) == NodeHarness.newImage)
        #expect(try await harness.bootloader().bootedSlot == .b)
        let offsets = flaky.offsets
        #expect(offsets.count == 4, "\(offsets)")
        #expect(offsets.first == 0 && offsets == offsets.sorted() && Set(offsets).count == offsets.count, "\(offsets)")
        #expect(harness.clock.now() >= opens + 2 + 4 + 8)
        #expect(!harness.client.reports.contains { $0.status == .failed })
    }

    @Test("a transfer that keeps breaking fails the window (download) once a retry would end after the window")
    func givesUpAtTheWindowsEnd() async throws {
        let start = Int64(NodeHarness.start) + 600
        let short = SingleWindow(startSeconds: start, endSeconds: start + 5)
        var harness = try await NodeHarness.make(os: .emt, desired: NodeHarness.immutableDesired(window: short))
        defer { harness.remove() }
        let flaky = FlakyImageFetcher(base: harness.fetcher, failures: 100, cut: 16 << 10)
        harness.imageFetcher = flaky
        harness.clock.set(Double(start))
        try await harness.drive(until: NodeHarness.settled)
        let metadata = try await harness.metadata()
        #expect(metadata.updateStatus == .failed)
        #expect(metadata.updateLog.contains("\"failure_reason\":\"download\""), "\(metadata.updateLog)")
        #expect(flaky.offsets.count == 2, "one retry fits in 5 s (after 2 s), the next would not: \(flaky.offsets)")
        let boot = try await harness.bootloader()
        #expect(boot.bootedSlot == .a && boot.oneTimeSlot == nil && boot.boots == 0)
    }

    @Test("a broken pre-download stays DOWNLOADING and resumes later: no FAILED, one attempt, the update completes")
    func preDownloadResumes() async throws {
        var harness = try await NodeHarness.make(os: .emt, desired: NodeHarness.immutableDesired(), chunkSize: 16 << 10)
        defer { harness.remove() }
        let flaky = FlakyImageFetcher(base: harness.fetcher, failures: 2, cut: 32 << 10)
        harness.imageFetcher = flaky
        try await harness.drive(until: NodeHarness.settled)
        let metadata = try await harness.metadata()
        #expect(metadata.updateStatus == .upToDate, "\(metadata.updateLog)")
        #expect(harness.node.slots.contents(.b) == NodeHarness.newImage)
        #expect(!harness.client.reports.contains { $0.status == .failed })
        let offsets = flaky.offsets
        #expect(offsets.count == 3 && offsets == offsets.sorted() && offsets[0] == 0, "\(offsets)")
        // Downloaded before the window opened, resumed, never restarted from zero.
        let downloaded = try #require(harness.client.reports.firstIndex { $0.status == .downloaded })
        let started = try #require(harness.client.reports.firstIndex { $0.status == .started })
        #expect(downloaded < started)
    }

    @Test("a pre-download that keeps breaking is reported FAILED (download) after three resumes, before the window")
    func preDownloadGivesUp() async throws {
        var harness = try await NodeHarness.make(os: .emt, desired: NodeHarness.immutableDesired(), chunkSize: 16 << 10)
        defer { harness.remove() }
        let flaky = FlakyImageFetcher(base: harness.fetcher, failures: 1_000, cut: 0)
        harness.imageFetcher = flaky
        try await harness.drive(maxTicks: 400) { metadata in metadata.updateStatus == .failed }
        let metadata = try await harness.metadata()
        #expect(metadata.updateLog.contains("\"failure_reason\":\"download\""), "\(metadata.updateLog)")
        #expect(harness.clock.now() < Double(NodeHarness.window.startSeconds), "reported before the window opened")
        #expect(flaky.offsets.count == 4, "\(flaky.offsets)")
    }
}
