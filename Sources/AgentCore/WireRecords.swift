/// A single maintenance window as received (`SingleSchedule`): Unix seconds, `endSeconds == 0` = open-ended.
public struct SingleWindow: Sendable, Hashable, Codable {
    /// Window start.
    public var startSeconds: Int64
    /// Window end; 0 means the window never closes.
    public var endSeconds: Int64

    /// Creates a window.
    public init(startSeconds: Int64, endSeconds: Int64) {
        self.startSeconds = startSeconds
        self.endSeconds = endSeconds
    }

    enum CodingKeys: String, CodingKey {
        case startSeconds = "start_seconds"
        case endSeconds = "end_seconds"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        startSeconds = try container.decodeIfPresent(Int64.self, forKey: .startSeconds) ?? 0
        endSeconds = try container.decodeIfPresent(Int64.self, forKey: .endSeconds) ?? 0
    }
}

/// A repeated maintenance window as received (`RepeatedSchedule`), plus an optional IANA time zone (Day2).
public struct RepeatedWindow: Sendable, Hashable, Codable {
    /// Length of each window in seconds (0: the schedule never opens a window).
    public var durationSeconds: Int64
    /// Cron minutes.
    public var cronMinutes: String
    /// Cron hours.
    public var cronHours: String
    /// Cron days of month.
    public var cronDayMonth: String
    /// Cron months.
    public var cronMonth: String
    /// Cron days of week (0 = Sunday).
    public var cronDayWeek: String
    /// IANA zone the cron is read in; empty = UTC (the wire has no zone, so schedules from the wire are UTC).
    public var timeZone: String

    /// Creates a window.
    public init(
        durationSeconds: Int64,
        cronMinutes: String,
        cronHours: String,
        cronDayMonth: String = "*",
        cronMonth: String = "*",
        cronDayWeek: String = "*",
        timeZone: String = ""
    ) {
        self.durationSeconds = durationSeconds
        self.cronMinutes = cronMinutes
        self.cronHours = cronHours
        self.cronDayMonth = cronDayMonth
        self.cronMonth = cronMonth
        self.cronDayWeek = cronDayWeek
        self.timeZone = timeZone
    }

    enum CodingKeys: String, CodingKey {
        case durationSeconds = "duration_seconds"
        case cronMinutes = "cron_minutes"
        case cronHours = "cron_hours"
        case cronDayMonth = "cron_day_month"
        case cronMonth = "cron_month"
        case cronDayWeek = "cron_day_week"
        case timeZone = "time_zone"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        durationSeconds = try container.decodeIfPresent(Int64.self, forKey: .durationSeconds) ?? 0
        cronMinutes = try container.decodeIfPresent(String.self, forKey: .cronMinutes) ?? ""
        cronHours = try container.decodeIfPresent(String.self, forKey: .cronHours) ?? ""
        cronDayMonth = try container.decodeIfPresent(String.self, forKey: .cronDayMonth) ?? ""
        cronMonth = try container.decodeIfPresent(String.self, forKey: .cronMonth) ?? ""
        cronDayWeek = try container.decodeIfPresent(String.self, forKey: .cronDayWeek) ?? ""
        timeZone = try container.decodeIfPresent(String.self, forKey: .timeZone) ?? ""
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(durationSeconds, forKey: .durationSeconds)
        try container.encode(cronMinutes, forKey: .cronMinutes)
        try container.encode(cronHours, forKey: .cronHours)
        try container.encode(cronDayMonth, forKey: .cronDayMonth)
        try container.encode(cronMonth, forKey: .cronMonth)
        try container.encode(cronDayWeek, forKey: .cronDayWeek)
        if !timeZone.isEmpty { try container.encode(timeZone, forKey: .timeZone) }
    }
}

/// The update source (`UpdateSource`): kernel parameters and APT repositories (DEB822 stanzas).
public struct UpdateSourceRecord: Sendable, Hashable, Codable {
    /// Kernel command-line parameters to add.
    public var kernelCommand: String
    /// Deprecated, never used.
    public var osRepoURL: String
    /// One DEB822 stanza per entry.
    public var customRepos: [String]

    /// Creates a source.
    public init(kernelCommand: String = "", osRepoURL: String = "", customRepos: [String] = []) {
        self.kernelCommand = kernelCommand
        self.osRepoURL = osRepoURL
        self.customRepos = customRepos
    }

    enum CodingKeys: String, CodingKey {
        case kernelCommand = "kernel_command"
        case osRepoURL = "os_repo_url"
        case customRepos = "custom_repos"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        kernelCommand = try container.decodeIfPresent(String.self, forKey: .kernelCommand) ?? ""
        osRepoURL = try container.decodeIfPresent(String.self, forKey: .osRepoURL) ?? ""
        customRepos = try container.decodeIfPresent([String].self, forKey: .customRepos) ?? []
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        if !kernelCommand.isEmpty { try container.encode(kernelCommand, forKey: .kernelCommand) }
        if !osRepoURL.isEmpty { try container.encode(osRepoURL, forKey: .osRepoURL) }
        if !customRepos.isEmpty { try container.encode(customRepos, forKey: .customRepos) }
    }
}

/// An immutable OS image (`OSProfileUpdateSource`).
public struct ImageSource: Sendable, Hashable, Codable {
    /// Image path below the Release Service (or a URL inside it).
    public var osImageURL: String
    /// Image identifier / version, e.g. `3.0.20250717.0732`.
    public var osImageID: String
    /// Hex SHA-256 of the image file.
    public var osImageSHA: String
    /// OS profile name.
    public var profileName: String
    /// OS profile version.
    public var profileVersion: String

    /// Creates a source.
    public init(
        osImageURL: String = "",
        osImageID: String = "",
        osImageSHA: String = "",
        profileName: String = "",
        profileVersion: String = ""
    ) {
        self.osImageURL = osImageURL
        self.osImageID = osImageID
        self.osImageSHA = osImageSHA
        self.profileName = profileName
        self.profileVersion = profileVersion
    }

    /// True when no image is offered (every field empty).
    public var isEmpty: Bool { osImageURL.isEmpty && osImageSHA.isEmpty && osImageID.isEmpty }

    enum CodingKeys: String, CodingKey {
        case osImageURL = "os_image_url"
        case osImageID = "os_image_id"
        case osImageSHA = "os_image_sha"
        case profileName = "profile_name"
        case profileVersion = "profile_version"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        osImageURL = try container.decodeIfPresent(String.self, forKey: .osImageURL) ?? ""
        osImageID = try container.decodeIfPresent(String.self, forKey: .osImageID) ?? ""
        osImageSHA = try container.decodeIfPresent(String.self, forKey: .osImageSHA) ?? ""
        profileName = try container.decodeIfPresent(String.self, forKey: .profileName) ?? ""
        profileVersion = try container.decodeIfPresent(String.self, forKey: .profileVersion) ?? ""
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        if !osImageURL.isEmpty { try container.encode(osImageURL, forKey: .osImageURL) }
        if !osImageID.isEmpty { try container.encode(osImageID, forKey: .osImageID) }
        if !osImageSHA.isEmpty { try container.encode(osImageSHA, forKey: .osImageSHA) }
        if !profileName.isEmpty { try container.encode(profileName, forKey: .profileName) }
        if !profileVersion.isEmpty { try container.encode(profileVersion, forKey: .profileVersion) }
    }
}
