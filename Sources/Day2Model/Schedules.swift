/// What a schedule applies to: one host, every host of a site, every host below a region, or nothing.
public enum ScheduleTarget: Sendable, Hashable, Codable {
    case none
    case host(String)
    case site(String)
    case region(String)

    /// Builds the target from the API's three optional IDs, of which at most one may be set.
    public static func from(
        hostId: String?,
        siteId: String?,
        regionId: String?
    ) throws(ValidationError) -> ScheduleTarget {
        let set = [hostId, siteId, regionId].compactMap { $0 }.filter { !$0.isEmpty }
        guard set.count <= 1 else {
            throw ValidationError(
                field: "targetHostId",
                rule: "only site, host or region target must be provided for schedule resource"
            )
        }
        if let hostId, !hostId.isEmpty {
            try ResourceID.validate(hostId, kind: .host, field: "targetHostId")
            return .host(hostId)
        }
        if let siteId, !siteId.isEmpty {
            try ResourceID.validate(siteId, kind: .site, field: "targetSiteId")
            return .site(siteId)
        }
        if let regionId, !regionId.isEmpty {
            try ResourceID.validate(regionId, kind: .region, field: "targetRegionId")
            return .region(regionId)
        }
        return .none
    }

    /// The host ID, when the target is a host.
    public var hostId: String? { if case .host(let id) = self { id } else { nil } }
    /// The site ID, when the target is a site.
    public var siteId: String? { if case .site(let id) = self { id } else { nil } }
    /// The region ID, when the target is a region.
    public var regionId: String? { if case .region(let id) = self { id } else { nil } }
}

/// A one-off maintenance window: from `startSeconds` until `endSeconds` (nil = open-ended).
public struct SingleSchedule: Sendable, Hashable, Codable {
    /// `singlesche-xxxxxxxx`.
    public var resourceId: String
    /// Display name.
    public var name: String
    /// What the window is for.
    public var scheduleStatus: ScheduleStatus
    /// What it applies to.
    public var target: ScheduleTarget
    /// Window start, Unix seconds (UTC).
    public var startSeconds: Int64
    /// Window end, Unix seconds; nil means open-ended.
    public var endSeconds: Int64?
    /// Creation and change times.
    public var timestamps: Timestamps

    /// Creates a single schedule value.
    public init(
        resourceId: String = "",
        name: String = "",
        scheduleStatus: ScheduleStatus = .osUpdate,
        target: ScheduleTarget = .none,
        startSeconds: Int64 = 0,
        endSeconds: Int64? = nil,
        timestamps: Timestamps = Timestamps()
    ) {
        self.resourceId = resourceId
        self.name = name
        self.scheduleStatus = scheduleStatus
        self.target = target
        self.startSeconds = startSeconds
        self.endSeconds = endSeconds
        self.timestamps = timestamps
    }

    /// Checks the fields; `now` (Unix seconds), when given, forbids a start in the past.
    public func validate(now: Int64?) throws(ValidationError) {
        try TextRule.name.check(name, field: "name")
        guard scheduleStatus != .unspecified else {
            throw ValidationError(
                field: "scheduleStatus",
                rule: "must be SCHEDULE_STATUS_MAINTENANCE or SCHEDULE_STATUS_OS_UPDATE"
            )
        }
        guard (1...Int64(UInt32.max)).contains(startSeconds) else {
            throw ValidationError(field: "startSeconds", rule: "must be 1..4294967295")
        }
        if let endSeconds {
            guard (1...Int64(UInt32.max)).contains(endSeconds) else {
                throw ValidationError(
                    field: "endSeconds",
                    rule: "must be 1..4294967295 (omit it for an open-ended window)"
                )
            }
            guard endSeconds > startSeconds else {
                throw ValidationError(
                    field: "endSeconds",
                    rule: "The schedule end time must be greater than the start time"
                )
            }
        }
        if let now, startSeconds <= now {
            throw ValidationError(field: "startSeconds", rule: "Scheduled start time cannot be in the past")
        }
    }

    /// Whether the window is open at `t` (start ≤ t ≤ end, or open-ended).
    public func isActive(at t: Int64) -> Bool {
        startSeconds <= t && (endSeconds.map { t <= $0 } ?? true)
    }
}

/// A repeating maintenance window: a restricted 5-field cron plus a duration.
public struct RepeatedSchedule: Sendable, Hashable, Codable {
    /// `repeatedsche-xxxxxxxx`.
    public var resourceId: String
    /// Display name.
    public var name: String
    /// What the window is for.
    public var scheduleStatus: ScheduleStatus
    /// What it applies to.
    public var target: ScheduleTarget
    /// How long each window lasts, 1..86400 seconds.
    public var durationSeconds: Int64
    /// Cron minutes (`*` or a comma list of 0-59).
    public var cronMinutes: String
    /// Cron hours (0-23).
    public var cronHours: String
    /// Cron days of month (1-31).
    public var cronDayMonth: String
    /// Cron months (1-12).
    public var cronMonth: String
    /// Cron days of week (0-6, 0 = Sunday).
    public var cronDayWeek: String
    /// Creation and change times.
    public var timestamps: Timestamps

    /// Creates a repeated schedule value.
    public init(
        resourceId: String = "",
        name: String = "",
        scheduleStatus: ScheduleStatus = .osUpdate,
        target: ScheduleTarget = .none,
        durationSeconds: Int64 = 3600,
        cronMinutes: String = "0",
        cronHours: String = "0",
        cronDayMonth: String = "*",
        cronMonth: String = "*",
        cronDayWeek: String = "*",
        timestamps: Timestamps = Timestamps()
    ) {
        self.resourceId = resourceId
        self.name = name
        self.scheduleStatus = scheduleStatus
        self.target = target
        self.durationSeconds = durationSeconds
        self.cronMinutes = cronMinutes
        self.cronHours = cronHours
        self.cronDayMonth = cronDayMonth
        self.cronMonth = cronMonth
        self.cronDayWeek = cronDayWeek
        self.timestamps = timestamps
    }

    /// The parsed cron, or the error naming the bad cron field.
    public func cron() throws(ValidationError) -> CronSpec {
        try CronSpec(
            minutes: cronMinutes,
            hours: cronHours,
            dayOfMonth: cronDayMonth,
            month: cronMonth,
            dayOfWeek: cronDayWeek
        )
    }

    /// Checks every field.
    public func validate() throws(ValidationError) {
        try TextRule.name.check(name, field: "name")
        guard scheduleStatus != .unspecified else {
            throw ValidationError(
                field: "scheduleStatus",
                rule: "must be SCHEDULE_STATUS_MAINTENANCE or SCHEDULE_STATUS_OS_UPDATE"
            )
        }
        try WindowMath.validateDuration(durationSeconds)
        _ = try cron()
    }
}

/// Every schedule that applies to one host: its own, its site's and those of each ancestor region.
public struct HostSchedules: Sendable, Hashable {
    /// Single (one-off) schedules.
    public var single: [SingleSchedule]
    /// Repeated (cron) schedules.
    public var repeated: [RepeatedSchedule]

    /// Creates the set.
    public init(single: [SingleSchedule] = [], repeated: [RepeatedSchedule] = []) {
        self.single = single
        self.repeated = repeated
    }
}
