import Day2Model

/// The metadata file: everything that must survive a reboot. Keys of the upstream file plus Day2's `day2` block.
public struct AgentMetadata: Sendable, Hashable, Codable {
    /// RFC 3339 time the current update started.
    public var updateTime: String = ""
    /// Seconds left in the window when the update started (0 = no end).
    public var updateDuration: Int64 = 0
    /// `NONE`, `SELF` (self-update running) or `OS` (a reboot is part of the update).
    public var updateInProgress: String = "NONE"
    /// The status reported on every poll.
    public var updateStatus: UpdateStatusType = .upToDate
    /// Reported as `status_detail`.
    public var updateLog: String = ""
    /// Last single window received.
    public var singleSchedule: SingleWindow?
    /// Deprecated; never written.
    public var repeatedSchedule: RepeatedWindow?
    /// Last repeated windows received.
    public var repeatedSchedules: [RepeatedWindow]?
    /// Last update source received.
    public var updateSource: UpdateSourceRecord?
    /// Whether the single window has been used.
    public var singleScheduleFinished: Bool = false
    /// Last extra-package list received.
    public var installedPackages: String = ""
    /// The image the node runs (after its first image update through Day2).
    public var osProfileUpdateSourceActual: ImageSource?
    /// The image the Maintenance Manager asks for.
    public var osProfileUpdateSourceDesired: ImageSource?
    /// Day2's own state.
    public var day2: Day2AgentState = Day2AgentState()

    /// A fresh document: up to date, nothing scheduled.
    public init() {}

    enum CodingKeys: String, CodingKey {
        case updateTime, updateDuration, updateInProgress, updateStatus, updateLog, singleSchedule, repeatedSchedule
        case repeatedSchedules, updateSource, singleScheduleFinished, installedPackages, osProfileUpdateSourceActual
        case osProfileUpdateSourceDesired, day2
    }

    /// Reads a document, accepting files written by older agents (missing keys take their defaults).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        updateTime = try c.decodeIfPresent(String.self, forKey: .updateTime) ?? ""
        updateDuration = try c.decodeIfPresent(Int64.self, forKey: .updateDuration) ?? 0
        updateInProgress = try c.decodeIfPresent(String.self, forKey: .updateInProgress) ?? "NONE"
        updateStatus = try c.decodeIfPresent(UpdateStatusType.self, forKey: .updateStatus) ?? .unspecified
        updateLog = try c.decodeIfPresent(String.self, forKey: .updateLog) ?? ""
        singleSchedule = try c.decodeIfPresent(SingleWindow.self, forKey: .singleSchedule)
        repeatedSchedule = try c.decodeIfPresent(RepeatedWindow.self, forKey: .repeatedSchedule)
        repeatedSchedules = try c.decodeIfPresent([RepeatedWindow].self, forKey: .repeatedSchedules)
        updateSource = try c.decodeIfPresent(UpdateSourceRecord.self, forKey: .updateSource)
        singleScheduleFinished = try c.decodeIfPresent(Bool.self, forKey: .singleScheduleFinished) ?? false
        installedPackages = try c.decodeIfPresent(String.self, forKey: .installedPackages) ?? ""
        osProfileUpdateSourceActual = try c.decodeIfPresent(ImageSource.self, forKey: .osProfileUpdateSourceActual)
        osProfileUpdateSourceDesired = try c.decodeIfPresent(ImageSource.self, forKey: .osProfileUpdateSourceDesired)
        day2 = try c.decodeIfPresent(Day2AgentState.self, forKey: .day2) ?? Day2AgentState()
    }

    /// Writes every upstream key (null schedules included, as upstream) and the `day2` block.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(updateTime, forKey: .updateTime)
        try c.encode(updateDuration, forKey: .updateDuration)
        try c.encode(updateInProgress, forKey: .updateInProgress)
        try c.encode(updateStatus, forKey: .updateStatus)
        try c.encode(updateLog, forKey: .updateLog)
        try c.encode(singleSchedule, forKey: .singleSchedule)
        try c.encode(repeatedSchedule, forKey: .repeatedSchedule)
        try c.encode(repeatedSchedules, forKey: .repeatedSchedules)
        try c.encode(updateSource, forKey: .updateSource)
        try c.encode(singleScheduleFinished, forKey: .singleScheduleFinished)
        try c.encode(installedPackages, forKey: .installedPackages)
        try c.encodeIfPresent(osProfileUpdateSourceActual, forKey: .osProfileUpdateSourceActual)
        try c.encodeIfPresent(osProfileUpdateSourceDesired, forKey: .osProfileUpdateSourceDesired)
        try c.encode(day2, forKey: .day2)
    }
}

/// Day2's additions to the metadata file.
public struct Day2AgentState: Sendable, Hashable, Codable {
    /// The OS type of the last accepted response (`OS_TYPE_MUTABLE` / `OS_TYPE_IMMUTABLE`).
    public var osType: String = ""
    /// The update in progress.
    public var job: UpdateJob?
    /// The image download (in progress or verified).
    public var download: DownloadRecord?
    /// When the pre-download starts (chosen once, with jitter, and kept across restarts).
    public var preDownload: PreDownloadPlan?
    /// Windows already used, newest last (`single:<start>:<end>` or `repeated:<start>`), at most 16.
    public var usedWindows: [String] = []

    /// An empty state.
    public init() {}

    enum CodingKeys: String, CodingKey {
        case osType, job, download, preDownload, usedWindows
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        osType = try c.decodeIfPresent(String.self, forKey: .osType) ?? ""
        job = try c.decodeIfPresent(UpdateJob.self, forKey: .job)
        download = try c.decodeIfPresent(DownloadRecord.self, forKey: .download)
        preDownload = try c.decodeIfPresent(PreDownloadPlan.self, forKey: .preDownload)
        usedWindows = try c.decodeIfPresent([String].self, forKey: .usedWindows) ?? []
    }

    /// Remembers that `window` was used (keeps the 16 newest).
    public mutating func markUsed(_ window: WindowKey) {
        guard !usedWindows.contains(window.text) else { return }
        usedWindows.append(window.text)
        if usedWindows.count > 16 { usedWindows.removeFirst(usedWindows.count - 16) }
    }

    /// Whether `window` was used.
    public func isUsed(_ window: WindowKey) -> Bool { usedWindows.contains(window.text) }
}
