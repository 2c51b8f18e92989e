/// An update in progress, persisted in the metadata file so that it survives reboots and power loss.
///
/// `step` is the next thing to do. Every step is idempotent: after a power cut the step is simply done again.
public struct UpdateJob: Sendable, Hashable, Codable {
    /// The two update chains.
    public enum Kind: String, Sendable, Hashable, Codable {
        /// APT: sources, self-update, kernel parameters, packages, full upgrade, reboot, verification.
        case mutable
        /// A/B image: download, verify, one-time boot, reboot, health checks, commit.
        case immutable
    }

    /// The steps of both chains, in order.
    public enum Step: String, Sendable, Hashable, Codable, CaseIterable {
        // Mutable chain.
        case repositories
        case selfUpdate
        case kernelCommandLine
        case downloadPackages
        case installPackages
        case fullUpgrade
        case reboot
        case verifyPackages
        // Immutable chain.
        case downloadImage
        case activateSlot
        case rebootIntoSlot
        case inspectBoot
        case healthChecks
        case commitSlot
        case rollBack
        case inspectRollback
    }

    /// Which chain.
    public var kind: Kind
    /// The next step.
    public var step: Step
    /// Start of the window the update runs in (Unix seconds).
    public var windowStart: Int64
    /// End of that window, nil when it never closes.
    public var windowEnd: Int64?
    /// What the window asked for when the job started (a later poll does not change a running job).
    public var updateSource: UpdateSourceRecord
    /// Newline-separated extra packages (mutable).
    public var packages: String
    /// The image (immutable).
    public var image: ImageSource?
    /// The slot the image goes to (immutable).
    public var targetSlot: Slot?
    /// The slot the node ran when the job started (immutable).
    public var previousSlot: Slot?
    /// Index of the next health check.
    public var healthCheckIndex: Int
    /// Set when the job is rolling back: what to report once the old slot is running again.
    public var pendingFailure: UpdateFailure?

    /// Creates a job at its chain's first step.
    public init(
        kind: Kind,
        windowStart: Int64,
        windowEnd: Int64?,
        updateSource: UpdateSourceRecord,
        packages: String,
        image: ImageSource?,
        previousSlot: Slot?
    ) {
        self.kind = kind
        self.step = kind == .mutable ? .repositories : .downloadImage
        self.windowStart = windowStart
        self.windowEnd = windowEnd
        self.updateSource = updateSource
        self.packages = packages
        self.image = image
        self.targetSlot = previousSlot?.other
        self.previousSlot = previousSlot
        self.healthCheckIndex = 0
        self.pendingFailure = nil
    }

    /// The extra packages as a list.
    public var packageList: [String] {
        packages.split(whereSeparator: { $0 == "\n" || $0 == "," || $0 == " " }).map(String.init)
    }
}

/// A failed update: the step, the reason and what happened, reported as the status detail.
public struct UpdateFailure: Sendable, Hashable, Codable, Error {
    /// The step that failed.
    public var step: UpdateJob.Step?
    /// The reason in the status-detail vocabulary.
    public var reason: FailureReason
    /// Whether the node went back to the slot it ran before (`rolledback` instead of `failed`).
    public var rolledBack: Bool
    /// What happened, for a person.
    public var message: String

    /// Creates a failure.
    public init(step: UpdateJob.Step?, reason: FailureReason, rolledBack: Bool = false, message: String) {
        self.step = step
        self.reason = reason
        self.rolledBack = rolledBack
        self.message = message
    }
}

/// Progress of an image download into the inactive slot, persisted so a download resumes after a restart.
public struct DownloadRecord: Sendable, Hashable, Codable {
    /// The full URL.
    public var url: String
    /// Expected SHA-256 (lower-case hex).
    public var sha256: String
    /// The slot written.
    public var slot: Slot
    /// Bytes written and synced to the slot.
    public var bytesDone: Int64
    /// Total size when the server said it.
    public var totalBytes: Int64?
    /// True once the whole image is in the slot and its SHA-256 matched.
    public var verified: Bool

    /// Creates a record for a download that has not started.
    public init(url: String, sha256: String, slot: Slot) {
        self.url = url
        self.sha256 = sha256
        self.slot = slot
        self.bytesDone = 0
        self.totalBytes = nil
        self.verified = false
    }
}
