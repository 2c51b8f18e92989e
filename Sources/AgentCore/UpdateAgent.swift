import Day2Model
import Logging

/// What one agent run ended with.
public enum AgentExit: Sendable, Equatable {
    /// The agent asked for a reboot; the next start continues from the metadata file.
    case rebootRequested
    /// The task was cancelled (shutdown).
    case cancelled
}

/// The Platform Update Agent: polls, keeps the metadata file, decides when a window opens and runs the update
/// chains step by step, persisting the next step before doing it, so that any restart continues correctly.
///
/// All I/O goes through `AgentEnvironment`; time comes from its clock. One agent runs in one task.
public actor UpdateAgent {
    let configuration: AgentConfiguration
    let environment: AgentEnvironment
    let logger: Logger
    let store: MetadataStore<AnyFileSystem>
    /// The metadata as last saved.
    public private(set) var metadata = AgentMetadata()
    /// The node's OS (detected at start).
    public private(set) var nodeOS: NodeOS = .ubuntu
    private var started = false
    private var upgradableCache: (at: Double, json: String)?

    /// Seconds between two `apt list --upgradable` runs (the report is cached in between).
    public var upgradableRefreshSeconds: Double = 600

    /// Bytes between two download checkpoints (slot synced, progress persisted).
    let downloadCheckpointBytes: Int64

    /// Creates an agent; `forcedOS` skips `/etc/os-release` detection.
    public init(
        configuration: AgentConfiguration,
        environment: AgentEnvironment,
        logger: Logger,
        forcedOS: NodeOS? = nil,
        downloadCheckpointBytes: Int64 = 32 << 20
    ) {
        self.downloadCheckpointBytes = downloadCheckpointBytes
        self.configuration = configuration
        self.environment = environment
        self.logger = logger
        self.store = MetadataStore(fileSystem: AnyFileSystem(environment.fileSystem), path: configuration.metadataPath)
        if let forcedOS { nodeOS = forcedOS }
        self.forcedOS = forcedOS
    }

    private let forcedOS: NodeOS?

    // MARK: - Running

    /// Polls and works until a reboot is requested or the task is cancelled. A failed pass is logged and the loop
    /// goes on; a power loss (simulation) ends the run with the error.
    public func run() async throws -> AgentExit {
        try await start()
        while !Task.isCancelled {
            do {
                if try await tick() == .rebootRequested { return .rebootRequested }
            } catch let error as AgentError where error.code == .powerLost {
                throw error
            } catch is CancellationError {
                return .cancelled
            } catch {
                logger.error("agent pass failed", metadata: ["error": "\(error)"])
            }
            do {
                try await environment.clock.sleep(seconds: configuration.tickerInterval)
            } catch {
                return .cancelled
            }
        }
        return .cancelled
    }

    /// Loads the metadata file and detects the OS (done once; `tick` calls it when needed).
    public func start() async throws {
        guard !started else { return }
        metadata = try await store.load()
        if forcedOS == nil {
            guard let bytes = try await environment.fileSystem.read("/etc/os-release", refuseSymlink: false) else {
                throw AgentError(
                    .configuration,
                    "/etc/os-release: missing; cannot tell a mutable from an immutable node"
                )
            }
            nodeOS = try NodeOS.detect(osRelease: String(decoding: bytes, as: UTF8.self))
        }
        started = true
        logger.info(
            "agent started",
            metadata: [
                "node.os": "\(nodeOS.rawValue)", "update.status": "\(metadata.updateStatus.rawValue)",
                "update.step": "\(metadata.day2.job?.step.rawValue ?? "none")",
            ]
        )
    }

    /// One pass: poll (report and receive), then do what is due (continue a job, open a window, pre-download),
    /// reporting again when the status changed.
    public func tick() async throws -> AgentExit? {
        try await start()
        try await pollOnce()
        let before = metadata.updateStatus
        let exit = try await advance()
        if exit == nil && metadata.updateStatus != before {
            try await pollOnce()
        }
        return exit
    }

    // MARK: - Polling

    /// One report/response exchange with retries; failures are logged (the next pass tries again). Only a power
    /// loss (simulation) is thrown.
    @inline(never)
    func pollOnce() async throws {
        let report = await makeReport()
        var attempt = 0
        var delay = 0.5
        while true {
            do {
                let desired = try await environment.client.poll(report, timeout: configuration.pollTimeout)
                try await accept(desired)
                if report.status == .updated && metadata.updateStatus == .updated {
                    metadata.updateStatus = .upToDate
                    try await save()
                }
                return
            } catch let error as AgentError where error.code == .powerLost {
                throw error
            } catch {
                attempt += 1
                if attempt > 3 || Task.isCancelled {
                    logger.warning("poll failed", metadata: ["error": "\(error)", "attempts": "\(attempt)"])
                    return
                }
                let jittered = delay * (0.5 + environment.random())
                try? await environment.clock.sleep(seconds: jittered)
                delay = min(delay * 1.5, 60)
            }
        }
    }

    /// The report for the current metadata.
    func makeReport() async -> StatusReport {
        let actual = metadata.osProfileUpdateSourceActual
        return StatusReport(
            hostGUID: configuration.guid,
            status: metadata.updateStatus,
            detail: metadata.updateLog,
            profileName: actual?.profileName ?? "",
            profileVersion: actual?.profileVersion ?? "",
            osImageID: actual?.osImageID ?? "",
            osUpdateAvailable: nodeOS.osType == .mutable ? await upgradable() : ""
        )
    }

    /// `apt list --upgradable` as JSON, refreshed at most every `upgradableRefreshSeconds`.
    private func upgradable() async -> String {
        let now = environment.clock.now()
        if let cache = upgradableCache, now - cache.at < upgradableRefreshSeconds { return cache.json }
        var json = ""
        if let result = try? await environment.commands.run(UpgradablePackages.command), result.succeeded {
            json = UpgradablePackages.json(UpgradablePackages.parse(result.standardOutput))
        }
        upgradableCache = (now, json)
        return json
    }

    /// Stores a response after filtering it for this node's OS; a response for the other OS type, or one that
    /// lacks a part this OS needs, is dropped (logged) and changes nothing.
    @inline(never)
    func accept(_ desired: DesiredState) async throws {
        if adopt(desired) { try await save() }
    }

    /// The synchronous part of `accept`: filters `desired` and updates the metadata; returns whether it changed.
    private func adopt(_ desired: DesiredState) -> Bool {
        switch nodeOS.osType {
        case .immutable:
            guard desired.image != nil, desired.hasSchedule, desired.osType != .unspecified else {
                logger.warning("response dropped: os_profile_update_source, update_schedule or os_type missing")
                return false
            }
            guard desired.osType == .immutable else {
                logger.warning("response dropped: a MUTABLE update request on an immutable node")
                return false
            }
        default:
            guard desired.updateSource != nil, desired.hasSchedule else {
                logger.warning("response dropped: update_source or update_schedule missing")
                return false
            }
            guard desired.osType != .immutable else {
                logger.warning("response dropped: an IMMUTABLE update request on a mutable node")
                return false
            }
        }
        var next = metadata
        next.day2.osType = desired.osType.rawValue
        next.osProfileUpdateSourceDesired = desired.image.flatMap { $0.isEmpty ? nil : $0 }
        next.updateSource = desired.updateSource
        next.singleSchedule = desired.singleWindow
        next.repeatedSchedules = desired.repeatedWindows
        next.installedPackages = desired.installedPackages
        if let single = desired.singleWindow {
            let key = WindowKey(
                source: .single,
                start: single.startSeconds,
                end: single.endSeconds == 0 ? nil : single.endSeconds
            )
            next.singleScheduleFinished = next.day2.isUsed(key)
        } else {
            next.singleScheduleFinished = true
        }
        guard next != metadata else { return false }
        metadata = next
        return true
    }

    // MARK: - Deciding

    /// What `advance` does next, decided without I/O.
    enum Decision {
        /// A job is in progress: continue it.
        case continueJob
        /// A window opened, but the control plane sent kernel parameters instead of an image.
        case refuseKernelCommand(WindowKey)
        /// No image is pending any more: forget the pre-download plan.
        case forgetPreDownload
        /// A window is open: start an update.
        case start(UpdateJob.Kind, WindowKey, ImageSource?)
        /// An image is pending and a window will open: plan (or do) its download.
        case preDownload(ImageSource, windowStart: Int64)
        /// Nothing to do.
        case wait
    }

    /// Continues a job, starts one when a window is open, or pre-downloads the next image.
    @inline(never)
    func advance() async throws -> AgentExit? {
        let now = Int64(environment.clock.now())
        switch decide(now: now) {
        case .continueJob:
            return try await runJob()
        case .refuseKernelCommand(let window):
            metadata.day2.markUsed(window)
            try await finishFailed(
                UpdateFailure(
                    step: .kernelCommandLine,
                    reason: .updateToolBootConfiguration,
                    message: "kernel_command: kernel parameters on immutable nodes are not supported by this agent yet"
                ),
                kind: .immutable,
                image: nil
            )
            return nil
        case .forgetPreDownload:
            metadata.day2.preDownload = nil
            try await save()
            return nil
        case .start(let kind, let window, let image):
            return try await startJob(kind, window: window, image: image)
        case .preDownload(let image, let windowStart):
            return try await preDownload(image: image, windowStart: windowStart, now: now)
        case .wait:
            return nil
        }
    }

    /// The synchronous part of `advance` (an async function keeps its locals in its frame; this keeps them out).
    private func decide(now: Int64) -> Decision {
        if metadata.day2.job != nil { return .continueJob }
        let scheduler = MaintenanceScheduler(
            single: metadata.singleSchedule,
            repeated: metadata.repeatedSchedules ?? []
        )
        for problem in scheduler.problems {
            logger.debug("window ignored", metadata: ["reason": "\(problem)"])
        }
        let window = scheduler.usableWindow(at: now) { metadata.day2.isUsed($0) }
        switch nodeOS.osType {
        case .immutable:
            let kernelCommand = metadata.updateSource?.kernelCommand ?? ""
            if let window, !kernelCommand.isEmpty, pendingImage() == nil {
                // The control plane sends kernel parameters instead of an image; say clearly that they are not applied.
                return .refuseKernelCommand(window)
            }
            guard let image = pendingImage() else {
                return metadata.day2.preDownload != nil ? .forgetPreDownload : .wait
            }
            if let window { return .start(.immutable, window, image) }
            if let next = scheduler.nextStart(after: now) { return .preDownload(image, windowStart: next) }
            return .wait
        default:
            guard let window else { return .wait }
            return .start(.mutable, window, nil)
        }
    }

    /// The image to install, when one is offered and the node does not run it already.
    private func pendingImage() -> ImageSource? {
        guard let desired = metadata.osProfileUpdateSourceDesired, !desired.isEmpty else { return nil }
        if let actual = metadata.osProfileUpdateSourceActual,
            actual.osImageSHA.lowercased() == desired.osImageSHA.lowercased()
        {
            return nil
        }
        return desired
    }

    /// Downloads the image into the inactive slot ahead of the window, at the planned (jittered) moment.
    @inline(never)
    private func preDownload(image: ImageSource, windowStart: Int64, now: Int64) async throws -> AgentExit? {
        let plan = PreDownloadPlan.plan(
            existing: metadata.day2.preDownload,
            sha256: image.osImageSHA.lowercased(),
            windowStart: windowStart,
            now: now,
            immediate: Int64(configuration.immediateDownloadWindow),
            spread: Int64(configuration.downloadWindow),
            random: environment.random
        )
        if plan != metadata.day2.preDownload {
            metadata.day2.preDownload = plan
            try await save()
            logger.info(
                "image download planned",
                metadata: ["download.at": "\(plan.startAt)", "window.start": "\(windowStart)"]
            )
        }
        guard now >= plan.startAt else { return nil }
        if let record = metadata.day2.download, record.verified, record.sha256 == plan.sha256 { return nil }
        let url: String
        let booted: Slot
        do {
            url = try UpdateInputRules.imageURL(for: image, releaseService: configuration.releaseServiceFQDN)
            booted = try await requireBootControl().bootedSlot()
        } catch let failure as UpdateFailure {
            try await finishFailed(failure, kind: .immutable, image: image)
            metadata.day2.preDownload?.startAt = now + 3600
            try await save()
            return nil
        }
        if metadata.updateStatus != .downloading {
            metadata.updateStatus = .downloading
            metadata.updateLog = ""
            try await save()
            try await pollOnce()
        }
        do {
            _ = try await download(url: url, sha256: image.osImageSHA, slot: booted.other)
            metadata.updateStatus = .downloaded
            metadata.updateLog = ""
            try await save()
        } catch let failure as UpdateFailure
            where failure.reason == .download
            && (metadata.day2.preDownload?.interruptions ?? 0) < Self.preDownloadInterruptions
        {
            // A broken transfer is not a failed update: stay DOWNLOADING and resume from the bytes on disk shortly.
            metadata.day2.preDownload?.interruptions += 1
            metadata.day2.preDownload?.startAt = now + Int64(max(configuration.tickerInterval, 30))
            try await save()
            logger.warning(
                "image pre-download interrupted; resuming later",
                metadata: [
                    "interruptions": "\(metadata.day2.preDownload?.interruptions ?? 0)",
                    "error": "\(failure.message)",
                ]
            )
        } catch let failure as UpdateFailure {
            try await finishFailed(failure, kind: .immutable, image: image)
            // Try again later (a resumable download continues where it stopped).
            metadata.day2.preDownload?.startAt = now + Int64(max(configuration.tickerInterval * 15, 300))
            try await save()
        }
        return nil
    }

    /// Runs the pipeline for `url` into `slot`, resuming a matching record; persists progress and the result.
    @inline(never)
    private func download(url: String, sha256: String, slot: Slot) async throws -> DownloadRecord {
        var record = DownloadRecord(url: url, sha256: sha256.lowercased(), slot: slot)
        if let existing = metadata.day2.download, existing.url == url, existing.sha256 == record.sha256,
            existing.slot == slot
        {
            if existing.verified { return existing }
            record = existing
        }
        // Bytes about to change must never be booted: cancel any pending one-time boot first.
        try await requireBootControl().clearOneTimeBoot()
        metadata.day2.download = record
        try await save()
        guard let slots = environment.slots else {
            throw UpdateFailure(
                step: .downloadImage,
                reason: .updateToolWrite,
                message: "slots: no A/B slots configured"
            )
        }
        let pipeline = ImagePipeline(
            fetcher: environment.fetcher,
            slots: slots,
            digests: environment.digests,
            checkpointBytes: downloadCheckpointBytes
        )
        logger.info(
            "image download",
            metadata: ["url": "\(url)", "slot": "\(slot.rawValue)", "resume.at": "\(record.bytesDone)"]
        )
        do {
            let done = try await pipeline.run(record) { progress in
                try await self.checkpoint(progress)
            }
            metadata.day2.download = done
            try await save()
            logger.info("image verified", metadata: ["bytes": "\(done.bytesDone)", "slot": "\(slot.rawValue)"])
            return done
        } catch let failure as UpdateFailure {
            if failure.reason == .signatureCheck {
                metadata.day2.download = nil
                try await save()
            }
            throw failure
        }
    }

    /// Broken pre-download transfers resumed quietly before one is reported FAILED (a 404 must show up some time).
    static let preDownloadInterruptions = 3

    /// Attempts of the window's image download before the update fails (the first one included).
    static let downloadAttempts = 6

    /// The window's download: an interrupted transfer (the connection dropped, the Release Service restarted) is
    /// tried again, resuming from the bytes already on the disk, after 2, 4, 8, 16 and 32 seconds, as long as the
    /// window stays open; a wrong sha256 is never retried.
    private func downloadRetrying(url: String, sha256: String, slot: Slot, windowEnd: Int64?) async throws {
        var delay = 2.0
        for attempt in 1... {
            do {
                _ = try await download(url: url, sha256: sha256, slot: slot)
                return
            } catch let failure as UpdateFailure where failure.reason == .download {
                let retryAt = environment.clock.now() + delay
                guard attempt < Self.downloadAttempts, windowEnd.map({ retryAt < Double($0) }) ?? true else {
                    throw failure
                }
                logger.warning(
                    "image download interrupted; trying again",
                    metadata: ["attempt": "\(attempt)", "retry.in": "\(Int(delay))s", "error": "\(failure.message)"]
                )
                try await environment.clock.sleep(seconds: delay)
                delay *= 2
            }
        }
    }

    @inline(never)
    private func checkpoint(_ record: DownloadRecord) async throws {
        metadata.day2.download = record
        try await save()
        logger.debug(
            "image download progress",
            metadata: ["bytes": "\(record.bytesDone)", "total": "\(record.totalBytes ?? -1)"]
        )
    }

    private func requireBootControl() throws(UpdateFailure) -> any BootControl {
        guard let boot = environment.bootControl else {
            throw UpdateFailure(
                step: .activateSlot,
                reason: .updateToolBootConfiguration,
                message: "bootBackend: no boot loader configured for A/B updates"
            )
        }
        return boot
    }

    // MARK: - Jobs

    /// Checks the request, then starts the chain in `window` (the window is used whatever the outcome).
    @inline(never)
    private func startJob(_ kind: UpdateJob.Kind, window: WindowKey, image: ImageSource?) async throws -> AgentExit? {
        metadata.day2.markUsed(window)
        if window.source == .single { metadata.singleScheduleFinished = true }
        let source = metadata.updateSource ?? UpdateSourceRecord()
        var previous: Slot?
        do {
            switch kind {
            case .mutable:
                try UpdateInputRules.checkKernelCommand(source.kernelCommand)
                for (index, repo) in source.customRepos.enumerated() {
                    try UpdateInputRules.checkRepository(repo, index: index)
                }
            case .immutable:
                guard let image else { return nil }
                _ = try UpdateInputRules.imageURL(for: image, releaseService: configuration.releaseServiceFQDN)
                previous = try await requireBootControl().bootedSlot()
            }
        } catch let failure as UpdateFailure {
            logger.error("update refused", metadata: ["reason": "\(failure.message)"])
            try await finishFailed(failure, kind: kind, image: image)
            return nil
        }
        var job = UpdateJob(
            kind: kind,
            windowStart: window.start,
            windowEnd: window.end,
            updateSource: source,
            packages: kind == .mutable ? metadata.installedPackages : "",
            image: image,
            previousSlot: previous
        )
        if kind == .mutable {
            do {
                try UpdateInputRules.checkPackages(job.packageList)
            } catch {
                try await finishFailed(error, kind: kind, image: nil)
                return nil
            }
        }
        job.step = kind == .mutable ? .repositories : .downloadImage
        let now = environment.clock.now()
        metadata.day2.job = job
        metadata.updateStatus = .started
        metadata.updateLog = ""
        metadata.updateTime = StatusDetail.rfc3339(now)
        metadata.updateDuration = window.end.map { max(0, $0 - Int64(now)) } ?? 0
        metadata.updateInProgress = "OS"
        try await save()
        logger.info("update started", metadata: ["update.kind": "\(kind.rawValue)", "window.start": "\(window.start)"])
        try await pollOnce()
        return try await runJob()
    }

    /// Runs the job's steps until it ends or reboots; the next step is persisted before it is done.
    @inline(never)
    private func runJob() async throws -> AgentExit? {
        while let job = metadata.day2.job {
            if let end = job.windowEnd, Self.beforePointOfNoReturn(job.step), Int64(environment.clock.now()) >= end {
                try await finishFailed(
                    UpdateFailure(
                        step: job.step,
                        reason: .unspecified,
                        message: "the maintenance window closed before this step"
                    ),
                    kind: job.kind,
                    image: job.image
                )
                return nil
            }
            logger.debug("update step", metadata: ["update.step": "\(job.step.rawValue)"])
            var outcome: (event: UpdateChain.Event, detail: String?)
            do {
                outcome = try await perform(job)
            } catch let failure as UpdateFailure {
                outcome = (.failed(failure), nil)
            }
            switch UpdateChain.transition(job, outcome.event) {
            case .next(let next):
                metadata.day2.job = next
                try await save()
            case .reboot(let next):
                metadata.day2.job = next
                try await save()
                logger.info("rebooting", metadata: ["update.step": "\(next.step.rawValue)"])
                do {
                    try await environment.rebooter.reboot()
                } catch let error as AgentError where error.code == .powerLost {
                    throw error
                } catch {
                    // No reboot happened: go back to the step that asks for it, so the next pass tries again.
                    metadata.day2.job = job
                    try await save()
                    throw error
                }
                return .rebootRequested
            case .succeeded:
                try await finishUpdated(job, detail: outcome.detail ?? "")
            case .failed(let failure):
                try await finishFailed(failure, kind: job.kind, image: job.image)
            }
        }
        return nil
    }

    /// Steps after which the node already changed in a way that must be finished, not abandoned at window end.
    static func beforePointOfNoReturn(_ step: UpdateJob.Step) -> Bool {
        switch step {
        case .repositories, .selfUpdate, .downloadImage: true
        default: false
        }
    }

    private func run(_ command: Command, step: UpdateJob.Step, reason: FailureReason) async throws -> CommandResult {
        let result = try await environment.commands.run(command)
        guard result.succeeded else {
            let output = (result.standardError.isEmpty ? result.standardOutput : result.standardError).suffix(1500)
            throw UpdateFailure(
                step: step,
                reason: reason,
                message: "\(command.program) exited with \(result.exitCode): \(output)"
            )
        }
        return result
    }

    /// Does the I/O of the job's current step and says what it found; `UpdateChain` decides what follows. A
    /// thrown `UpdateFailure` is the step's failure. `detail` is the UPDATED status detail of a final step.
    @inline(never)
    private func perform(_ job: UpdateJob) async throws -> (event: UpdateChain.Event, detail: String?) {
        let fs = environment.fileSystem
        switch job.step {
        case .repositories:
            let files = AptChain.sourceFiles(job.updateSource.customRepos)
            for name in try await fs.list(AptChain.sourcesFolder)
            where name.hasPrefix(AptChain.ownedPrefix) && files[name] == nil {
                try await fs.remove(AptChain.sourcesFolder + "/" + name)
            }
            try await fs.createDirectory(AptChain.sourcesFolder)
            for (name, content) in files.sorted(by: { $0.key < $1.key }) {
                try await fs.writeAtomically(AptChain.sourcesFolder + "/" + name, Array(content.utf8), mode: 0o644)
            }
            try await fs.syncDirectory(AptChain.sourcesFolder)
            let result = try await run(AptChain.refresh, step: .repositories, reason: .updateTool)
            let output = result.standardOutput + result.standardError
            if output.contains("The following signatures were invalid") || output.contains("NO_PUBKEY") {
                throw UpdateFailure(
                    step: .repositories,
                    reason: .signatureCheck,
                    message: "apt-get update: a repository signature is invalid"
                )
            }
        case .selfUpdate:
            metadata.updateInProgress = "SELF"
            try await save()
            _ = try await run(
                AptChain.selfUpdate(package: configuration.agentPackage),
                step: .selfUpdate,
                reason: .updateTool
            )
            metadata.updateInProgress = "OS"
        case .kernelCommandLine:
            let command = job.updateSource.kernelCommand.trimmingPrefix(" ")
            if command.isEmpty {
                if try await fs.read(AptChain.grubDropIn, refuseSymlink: false) != nil {
                    try await fs.remove(AptChain.grubDropIn)
                    try await fs.syncDirectory(AnyFileSystem.folder(of: AptChain.grubDropIn))
                    _ = try await run(
                        AptChain.updateGrub,
                        step: .kernelCommandLine,
                        reason: .updateToolBootConfiguration
                    )
                }
            } else {
                try await fs.createDirectory(AnyFileSystem.folder(of: AptChain.grubDropIn))
                try await fs.writeAtomically(
                    AptChain.grubDropIn,
                    Array(AptChain.grubDropInContent(String(command)).utf8),
                    mode: 0o644
                )
                _ = try await run(AptChain.updateGrub, step: .kernelCommandLine, reason: .updateToolBootConfiguration)
            }
        case .downloadPackages:
            if !job.packageList.isEmpty {
                _ = try await run(
                    AptChain.downloadPackages(job.packageList),
                    step: .downloadPackages,
                    reason: .download
                )
            }
        case .installPackages:
            if !job.packageList.isEmpty {
                _ = try await run(
                    AptChain.installPackages(job.packageList),
                    step: .installPackages,
                    reason: .updateTool
                )
            }
        case .fullUpgrade:
            _ = try await run(AptChain.fullUpgrade, step: .fullUpgrade, reason: .updateTool)
        case .reboot:
            break
        case .verifyPackages:
            return (.done, try await verifyPackages(job))
        case .downloadImage:
            guard let image = job.image, let target = job.targetSlot else {
                throw UpdateFailure(step: .downloadImage, reason: .unspecified, message: "the job has no image or slot")
            }
            let url = try UpdateInputRules.imageURL(for: image, releaseService: configuration.releaseServiceFQDN)
            try await downloadRetrying(url: url, sha256: image.osImageSHA, slot: target, windowEnd: job.windowEnd)
        case .activateSlot, .rebootIntoSlot:
            guard let target = job.targetSlot, let record = metadata.day2.download, record.verified,
                record.slot == target,
                record.sha256 == job.image?.osImageSHA.lowercased()
            else {
                // Never make a slot bootable without a verified image in it.
                throw UpdateFailure(
                    step: job.step,
                    reason: .updateToolWrite,
                    message: "the inactive slot holds no verified image"
                )
            }
            let boot = try requireBootControl()
            let booted = try await boot.bootedSlot()
            if booted == target { return (.booted(booted), nil) }
            do {
                // Set (again, after a power cut consumed it) the one-time boot; idempotent.
                try await boot.setOneTimeBoot(target)
            } catch let error as AgentError where error.code != .powerLost {
                throw UpdateFailure(step: job.step, reason: .updateToolBootConfiguration, message: error.message)
            }
        case .inspectBoot, .inspectRollback:
            return (.booted(try await requireBootControl().bootedSlot()), nil)
        case .healthChecks:
            let booted = try await requireBootControl().bootedSlot()
            guard booted == job.targetSlot else { return (.booted(booted), nil) }
            let checks = configuration.healthChecks
            guard job.healthCheckIndex < checks.count else { return (.done, nil) }
            let check = checks[job.healthCheckIndex]
            let result = try await environment.commands.run(Command(check[0], Array(check.dropFirst())))
            guard result.succeeded else {
                let command = check.joined(separator: " ")
                return (
                    .healthCheckFailed(index: job.healthCheckIndex, command: command, exitCode: result.exitCode), nil
                )
            }
            return (.healthCheckPassed, nil)
        case .commitSlot:
            let boot = try requireBootControl()
            let booted = try await boot.bootedSlot()
            guard booted == job.targetSlot else { return (.booted(booted), nil) }
            do {
                try await boot.setDefault(booted)
                try await boot.clearOneTimeBoot()
            } catch let error as AgentError where error.code != .powerLost {
                return (.commitFailed(error.message), nil)
            }
            return (.done, imageDetail(job))
        case .rollBack:
            guard let previous = job.previousSlot else {
                throw UpdateFailure(
                    step: .rollBack,
                    reason: .unspecified,
                    message: "the job does not know the previous slot"
                )
            }
            let boot = try requireBootControl()
            try await boot.clearOneTimeBoot()
            try await boot.setDefault(previous)
        }
        return (.done, nil)
    }

    private func verifyPackages(_ job: UpdateJob) async throws -> String {
        let now = environment.clock.now()
        var entries = [
            StatusDetail.Entry(
                updateType: "OS",
                packageName: "apt",
                time: StatusDetail.rfc3339(now),
                action: "upgrade",
                status: "installed"
            )
        ]
        let packages = job.packageList
        if !packages.isEmpty {
            let result = try await environment.commands.run(AptChain.verify(packages))
            let versions = AptChain.installedVersions(dpkgList: result.standardOutput)
            let missing = packages.filter { versions[$0] == nil }
            guard missing.isEmpty else {
                throw UpdateFailure(
                    step: .verifyPackages,
                    reason: .updateTool,
                    message:
                        "dpkg -l does not show these packages installed after the reboot: \(missing.joined(separator: ", "))"
                )
            }
            for name in packages {
                entries.append(
                    StatusDetail.Entry(
                        updateType: "application",
                        packageName: name,
                        time: StatusDetail.rfc3339(now),
                        action: "install",
                        status: "installed",
                        version: versions[name] ?? ""
                    )
                )
            }
        }
        return StatusDetail.json(entries)
    }

    private func imageDetail(_ job: UpdateJob) -> String {
        StatusDetail.json([
            StatusDetail.Entry(
                updateType: "OS",
                packageName: job.image?.profileName ?? "",
                time: StatusDetail.rfc3339(environment.clock.now()),
                action: "install",
                status: "installed",
                version: job.image?.osImageID ?? ""
            )
        ])
    }

    @inline(never)
    private func finishUpdated(_ job: UpdateJob, detail: String) async throws {
        metadata.day2.job = nil
        metadata.updateStatus = .updated
        metadata.updateLog = detail
        metadata.updateInProgress = "NONE"
        if job.kind == .immutable {
            metadata.osProfileUpdateSourceActual = job.image
            metadata.day2.download = nil
            metadata.day2.preDownload = nil
        }
        try await save()
        logger.info(
            "update completed",
            metadata: ["update.kind": "\(job.kind.rawValue)", "image.id": "\(job.image?.osImageID ?? "")"]
        )
    }

    @inline(never)
    private func finishFailed(_ failure: UpdateFailure, kind: UpdateJob.Kind, image: ImageSource?) async throws {
        metadata.day2.job = nil
        metadata.updateStatus = .failed
        metadata.updateLog = StatusDetail.failure(failure, kind: kind, image: image, at: environment.clock.now())
        metadata.updateInProgress = "NONE"
        try await save()
        logger.error(
            "update failed",
            metadata: [
                "update.step": "\(failure.step?.rawValue ?? "")", "reason": "\(failure.reason.rawValue)",
                "message": "\(failure.message)",
            ]
        )
    }

    // The async steps above are kept out of line (`@inline(never)`): an async function's frame holds every value
    // alive across an `await`, and inlining copied the 752-byte metadata into one frame slot per call site
    // (preDownload's frame was 12.8 KiB). A suspended agent, and a fleet of simulated ones, holds far less so.
    @inline(never)
    private func save() async throws {
        try await store.save(metadata)
    }
}
