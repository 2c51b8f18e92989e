/// Download → SHA-256 → slot, in one pass: the bytes are hashed and written as they arrive, the slot is synced
/// at checkpoints and the progress persisted, so an interrupted download resumes where the last checkpoint left
/// it (the bytes before it are read back once to restore the hash).
public struct ImagePipeline: Sendable {
    /// The network side.
    public var fetcher: any ImageFetcher
    /// The slots.
    public var slots: any SlotStore
    /// SHA-256.
    public var digests: any DigestFactory
    /// Bytes between two checkpoints (sync + persisted progress).
    public var checkpointBytes: Int64

    /// Creates a pipeline.
    public init(
        fetcher: any ImageFetcher,
        slots: any SlotStore,
        digests: any DigestFactory,
        checkpointBytes: Int64 = 32 << 20
    ) {
        self.fetcher = fetcher
        self.slots = slots
        self.digests = digests
        self.checkpointBytes = checkpointBytes
    }

    /// Runs the download described by `record` to its end and returns the record with `verified` set, or throws
    /// an `UpdateFailure` (`signaturecheck` when the SHA-256 does not match: the slot is then not usable).
    /// `checkpoint` persists progress; it is awaited between chunks.
    public func run(
        _ record: DownloadRecord,
        checkpoint: @Sendable (DownloadRecord) async throws -> Void
    ) async throws -> DownloadRecord {
        var current = record
        current.verified = false
        var digest = digests.makeSHA256()
        if current.bytesDone > 0 {
            try await slots.read(current.slot, length: current.bytesDone) { digest.update($0) }
        }
        let writer = try await slots.writer(for: current.slot, at: current.bytesDone)
        var written = current.bytesDone
        var synced = current.bytesDone
        var failure: (any Error)?
        do {
            let total = try await fetcher.fetch(current.url, from: current.bytesDone) { bytes in
                try writer.write(bytes)
                digest.update(bytes)
                written += Int64(bytes.count)
            } afterChunk: {
                if written - synced >= checkpointBytes {
                    try writer.sync()
                    synced = written
                    current.bytesDone = synced
                    try await checkpoint(current)
                }
            }
            current.totalBytes = total.map { $0 }
        } catch {
            failure = error
        }
        // Keep what reached the disk, whatever happened, so the next attempt resumes.
        do {
            try writer.close()
            if written != synced {
                current.bytesDone = written
                try await checkpoint(current)
            }
        } catch  where failure == nil {
            throw error
        } catch {}
        if let failure {
            if let agentError = failure as? AgentError, agentError.code == .powerLost { throw agentError }
            throw UpdateFailure(
                step: .downloadImage,
                reason: .download,
                message: "download of \(current.url) stopped after \(written) bytes: \(failure); it resumes from there"
            )
        }
        if let total = current.totalBytes, total != written {
            throw UpdateFailure(
                step: .downloadImage,
                reason: .download,
                message: "download of \(current.url) ended after \(written) of \(total) bytes"
            )
        }
        let actual = digest.finalizeHex()
        guard actual == current.sha256.lowercased() else {
            throw UpdateFailure(
                step: .downloadImage,
                reason: .signatureCheck,
                message:
                    "sha256 of \(current.url) is \(actual), expected \(current.sha256.lowercased()); the slot is not used"
            )
        }
        current.verified = true
        current.bytesDone = written
        return current
    }
}
