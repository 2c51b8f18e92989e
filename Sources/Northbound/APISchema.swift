import Day2Model

/// One field of an API resource: its JSON name, type, direction and rules. The same table checks request bodies
/// and writes the OpenAPI document, so the two cannot disagree.
struct APIField: Sendable {
    /// The JSON type of a field.
    indirect enum Kind: Sendable {
        case string(TextRule?)
        case integer(min: Int64, max: Int64)
        case boolean
        case enumeration([String])
        case array(Kind, maxItems: Int?)
        case object(String)
        /// The ID of a resource of this kind.
        case reference(ResourceKind, clearable: Bool)
    }

    /// Which way the field travels.
    enum Access: Sendable {
        case readWrite
        /// Only in responses; a request that carries it is refused.
        case readOnly
        /// Only in requests (some are echoed back in responses, as upstream does).
        case writeOnly
    }

    let name: String
    let kind: Kind
    var access: Access = .readWrite
    var required: Bool = false
    var nullable: Bool = false
    var summary: String = ""

    static func string(_ name: String, _ rule: TextRule? = nil, required: Bool = false, _ summary: String = "") -> Self
    {
        APIField(name: name, kind: .string(rule), required: required, summary: summary)
    }

    static func readOnly(_ name: String, _ kind: Kind, nullable: Bool = false, _ summary: String = "") -> Self {
        APIField(name: name, kind: kind, access: .readOnly, nullable: nullable, summary: summary)
    }

    static func enumeration<E: RawRepresentable & CaseIterable>(
        _ name: String,
        _ type: E.Type,
        excluding: Set<String> = [],
        required: Bool = false,
        access: Access = .readWrite
    ) -> Self where E.RawValue == String {
        APIField(
            name: name,
            kind: .enumeration(type.allCases.map(\.rawValue).filter { !excluding.contains($0) }),
            access: access,
            required: required
        )
    }

    /// A reference to another resource by ID: sent in requests and echoed in responses (`""` when unset), as
    /// upstream does. `clearable` IDs accept `""` in requests to remove the reference.
    static func id(_ name: String, kind: ResourceKind, clearable: Bool = true) -> Self {
        APIField(
            name: name,
            kind: .reference(kind, clearable: clearable),
            summary: clearable
                ? "ID of the \(kind.prefix) resource (\"\" clears it)" : "ID of the \(kind.prefix) resource"
        )
    }
}

/// The fields of one API resource, in the order responses list them.
struct APISchema: Sendable {
    /// The OpenAPI component name (upstream's), e.g. `OSUpdatePolicy`.
    let name: String
    let fields: [APIField]

    func field(_ name: String) -> APIField? { fields.first { $0.name == name } }
}

/// Every schema of the REST API.
enum APISchemas {
    static let statusIndicator = APIField.Kind.enumeration(StatusIndication.allCases.map(\.rawValue))
    static let timestamps = APIField.readOnly("timestamps", .object("Timestamps"))
    static let metadata = APIField(name: "metadata", kind: .array(.object("MetadataItem"), maxItems: 100))
    static let uint32 = APIField.Kind.integer(min: 0, max: 4_294_967_295)

    /// The three fields of a status triplet: `<x>`, `<x>Indicator`, `<x>Timestamp`, all read-only.
    static func status(_ name: String) -> [APIField] {
        [
            .readOnly(name, .string(nil)), .readOnly(name + "Indicator", statusIndicator),
            .readOnly(name + "Timestamp", uint32),
        ]
    }

    static let region = APISchema(
        name: "RegionResource",
        fields: [
            .readOnly("resourceId", .string(nil)), .readOnly("regionID", .string(nil), "alias of resourceId"),
            .string("name", .name), .readOnly("parentRegion", .object("RegionResource"), nullable: true),
            .id("parentId", kind: .region), metadata,
            .readOnly("inheritedMetadata", .array(.object("MetadataItem"), maxItems: nil)),
            .readOnly("totalSites", .integer(min: 0, max: Int64(Int32.max))), timestamps,
        ]
    )

    static let site = APISchema(
        name: "SiteResource",
        fields: [
            .readOnly("resourceId", .string(nil)), .readOnly("siteID", .string(nil), "alias of resourceId"),
            .string("name", .name), .readOnly("region", .object("RegionResource"), nullable: true),
            .id("regionId", kind: .region),
            APIField(name: "siteLat", kind: .integer(min: -900_000_000, max: 900_000_000)),
            APIField(name: "siteLng", kind: .integer(min: -1_800_000_000, max: 1_800_000_000)), metadata,
            .readOnly("inheritedMetadata", .array(.object("MetadataItem"), maxItems: nil)), timestamps,
        ]
    )

    static let host = APISchema(
        name: "HostResource",
        fields: [
            .readOnly("resourceId", .string(nil)), .string("name", .name, required: true),
            APIField(
                name: "uuid",
                kind: .string(TextRule(maxBytes: 36, extraCharacters: "-", pattern: "^[0-9a-fA-F-]{36}$")),
                summary: "SMBIOS UUID; the agent identifies itself by it"
            ),
            .string("serialNumber", TextRule.free(maxBytes: 128)),
            .enumeration("desiredState", HostState.self, access: .readOnly),
            .enumeration("currentState", HostState.self, access: .readOnly),
        ] + status("hostStatus") + status("onboardingStatus") + status("registrationStatus") + [
            .readOnly("site", .object("SiteResource"), nullable: true), .id("siteId", kind: .site),
            .readOnly("instance", .object("InstanceResource"), nullable: true), metadata,
            .readOnly("inheritedMetadata", .array(.object("MetadataItem"), maxItems: nil)), timestamps,
        ]
    )

    static let instance = APISchema(
        name: "InstanceResource",
        fields: [
            .readOnly("resourceId", .string(nil)), .readOnly("instanceID", .string(nil), "alias of resourceId"),
            .enumeration("kind", InstanceKind.self), .string("name", .name),
            .enumeration("desiredState", InstanceState.self, access: .readOnly),
            .enumeration("currentState", InstanceState.self, access: .readOnly),
            .readOnly("host", .object("HostResource"), nullable: true),
            .readOnly("os", .object("OperatingSystemResource"), nullable: true),
            .readOnly("currentOs", .object("OperatingSystemResource"), nullable: true, "alias of os"),
            .readOnly(
                "desiredOs",
                .object("OperatingSystemResource"),
                nullable: true,
                "the OS the next window installs (the target of a linked TARGET policy)"
            ),
            .enumeration("securityFeature", SecurityFeature.self),
        ] + status("instanceStatus") + [.readOnly("instanceStatusDetail", .string(nil))]
            + status("provisioningStatus") + status("updateStatus") + status("trustedAttestationStatus") + [
                .readOnly("updatePolicy", .object("OSUpdatePolicy"), nullable: true),
                .readOnly("existingCves", .string(nil)), .readOnly("runtimePackages", .string(nil)),
                .readOnly("osUpdateAvailable", .string(nil)), .id("hostID", kind: .host, clearable: false),
                .id("osID", kind: .operatingSystem, clearable: false),
                .id("osUpdatePolicyID", kind: .osUpdatePolicy, clearable: false), timestamps,
            ]
    )

    static let operatingSystem = APISchema(
        name: "OperatingSystemResource",
        fields: [
            .readOnly("resourceId", .string(nil)), .readOnly("osResourceID", .string(nil), "alias of resourceId"),
            .string("name", .osName), .string("architecture", .free(maxBytes: 20)),
            .string("imageUrl", .free(maxBytes: 500)), .string("imageId", .free(maxBytes: 500)),
            APIField(
                name: "sha256",
                kind: .string(TextRule(maxBytes: 64, extraCharacters: "", pattern: "^[a-f0-9]{64}$")),
                required: true
            ),
            .string("profileName", .free(maxBytes: 128)), .readOnly("profileVersion", .string(nil)),
            .readOnly("installedPackages", .string(nil)), .string("installedPackagesUrl", .free(maxBytes: 200)),
            .enumeration("securityFeature", SecurityFeature.self), .enumeration("osType", OSType.self),
            .enumeration("osProvider", OSProviderKind.self), .readOnly("platformBundle", .string(nil)),
            .string("description", .free(maxBytes: 1000)), .string("metadata", .osMetadata),
            .string("tlsCaCert", .free(maxBytes: 10000)), .string("existingCvesUrl", .free(maxBytes: 500)),
            .readOnly("existingCves", .string(nil)), .string("fixedCvesUrl", .free(maxBytes: 500)),
            .readOnly("fixedCves", .string(nil)), timestamps,
        ]
    )

    static let policy = APISchema(
        name: "OSUpdatePolicy",
        fields: [
            .readOnly("resourceId", .string(nil)), .string("name", .name, required: true),
            .string("description", .description),
            APIField(name: "updateSources", kind: .array(.string(.updateSource), maxItems: 100)),
            .string("updatePackages", .updatePackages), .string("updateKernelCommand", .kernelCommand),
            .readOnly("targetOs", .object("OperatingSystemResource"), nullable: true),
            .id("targetOsId", kind: .operatingSystem, clearable: false),
            .enumeration("updatePolicy", UpdatePolicyKind.self), timestamps,
        ]
    )

    static let run = APISchema(
        name: "OSUpdateRun",
        fields: [
            .readOnly("resourceId", .string(nil)), .readOnly("name", .string(nil)),
            .readOnly("description", .string(nil)), .readOnly("appliedPolicy", .object("OSUpdatePolicy")),
            .readOnly("instance", .object("InstanceResource"), nullable: true),
            .readOnly("statusIndicator", statusIndicator), .readOnly("status", .string(nil)),
            .readOnly("statusDetails", .string(nil)), .readOnly("statusTimestamp", uint32),
            .readOnly("startTime", uint32), .readOnly("endTime", uint32), timestamps,
        ]
    )

    static let scheduleStatus = APIField.enumeration(
        "scheduleStatus",
        ScheduleStatus.self,
        required: true
    )

    static let scheduleTargets: [APIField] = [
        .readOnly("targetSite", .object("SiteResource"), nullable: true),
        .readOnly("targetHost", .object("HostResource"), nullable: true),
        .readOnly("targetRegion", .object("RegionResource"), nullable: true),
        .id("targetSiteId", kind: .site), .id("targetHostId", kind: .host), .id("targetRegionId", kind: .region),
    ]

    static let singleSchedule = APISchema(
        name: "SingleScheduleResource",
        fields: [
            .readOnly("resourceId", .string(nil)), .readOnly("singleScheduleID", .string(nil), "alias of resourceId"),
            scheduleStatus, .string("name", .name),
        ] + scheduleTargets + [
            APIField(name: "startSeconds", kind: .integer(min: 1, max: 4_294_967_295), required: true),
            APIField(
                name: "endSeconds",
                kind: .integer(min: 0, max: 4_294_967_295),
                summary: "0 or omitted: an open-ended window"
            ),
            timestamps,
        ]
    )

    static let repeatedSchedule = APISchema(
        name: "RepeatedScheduleResource",
        fields: [
            .readOnly("resourceId", .string(nil)),
            .readOnly("repeatedScheduleID", .string(nil), "alias of resourceId"), scheduleStatus,
            .string("name", .name),
        ] + scheduleTargets + [
            APIField(name: "durationSeconds", kind: .integer(min: 1, max: 86400), required: true),
            cron("cronMinutes", .minutes), cron("cronHours", .hours), cron("cronDayMonth", .dayOfMonth),
            cron("cronMonth", .month), cron("cronDayWeek", .dayOfWeek), timestamps,
        ]
    )

    static func cron(_ name: String, _ field: CronFieldKind) -> APIField {
        APIField(
            name: name,
            kind: .string(TextRule(maxBytes: 200, extraCharacters: "*,", pattern: cronPatterns[field] ?? "")),
            required: true
        )
    }

    /// The cron field patterns of the API: `*` or a comma list, no ranges or steps.
    static let cronPatterns: [CronFieldKind: String] = [
        .minutes: "^([*]|([0-9]|([1-5][0-9]))((,([0-9]|([1-5][0-9])))*))$",
        .hours: "^([*]|([0-9]|1[0-9]|2[0-3])((,([0-9]|1[0-9]|2[0-3]))*))$",
        .dayOfMonth: "^([*]|([1-9]|([12][0-9])|3[01])((,([1-9]|([12][0-9])|3[01]))*))$",
        .month: "^([*]|([1-9]|1[012])((,([1-9]|1[012]))*))$",
        .dayOfWeek: "^([*]|([0-6])((,([0-6]))*))$",
    ]

    /// An integer count of hosts, read-only in responses.
    static func count(_ name: String, _ summary: String = "") -> APIField {
        .readOnly(name, .integer(min: 0, max: Int64(Int32.max)), summary)
    }

    /// One wave of a rollout: in a request exactly one of `hosts` and `percent`; in a response its progress too.
    static let rolloutWave = APISchema(
        name: "RolloutWave",
        fields: [
            APIField(
                name: "hosts",
                kind: .integer(min: 1, max: 100_000),
                summary: "the wave takes this many hosts (exactly one of hosts and percent; 0 in responses when unused)"
            ),
            APIField(
                name: "percent",
                kind: .integer(min: 1, max: 100),
                summary: "the wave takes this percentage of the target set, rounded up (0 in responses when unused)"
            ),
            .enumeration("state", WaveState.self, access: .readOnly), count("total"), count("pending"),
            count("updating"), count("updated"), count("failed"), count("skipped"),
            .readOnly("startTime", uint32, "when the wave opened (Unix seconds), 0 before"),
            .readOnly("endTime", uint32, "when it succeeded, failed or was cancelled (Unix seconds), 0 before"),
        ]
    )

    /// The target fields of a rollout: exactly one is given in a request; responses echo the unused ones empty.
    static let rolloutTargets: [APIField] = [
        APIField(
            name: "regionId",
            kind: .reference(.region, clearable: true),
            summary: "the hosts of this region and its sub-regions (\"\" when another target is used)"
        ),
        APIField(
            name: "siteId",
            kind: .reference(.site, clearable: true),
            summary: "the hosts of this site (\"\" when another target is used)"
        ),
        APIField(
            name: "hostIds",
            kind: .array(.reference(.host, clearable: false), maxItems: 100_000),
            summary: "these hosts ([] when another target is used)"
        ),
        APIField(
            name: "filter",
            kind: .string(.free(maxBytes: 2000)),
            summary: "the hosts the host-list filter selects (\"\" when another target is used)"
        ),
    ]

    /// A rollout: what each host gets, which hosts, in which waves, gated how; its state and progress read-only.
    static let rollout = APISchema(
        name: "Rollout",
        fields: [
            .readOnly("resourceId", .string(nil)), .string("name", .name, required: true),
            APIField(
                name: "osUpdatePolicyId",
                kind: .reference(.osUpdatePolicy, clearable: false),
                required: true,
                summary: "what each host gets: the ID of an OS update policy"
            ),
        ] + rolloutTargets + [
            APIField(
                name: "waves",
                kind: .array(.object("RolloutWave"), maxItems: Rollout.maximumWaves),
                summary: "in order; the last takes whatever is left (omitted: one wave of 100 %)"
            ),
            APIField(
                name: "successThreshold",
                kind: .integer(min: 0, max: 100),
                summary: "percent of a wave UPDATED or skipped before the next opens (omitted: 100)"
            ),
            APIField(
                name: "failureThreshold",
                kind: .integer(min: 0, max: 100),
                summary: "percent of a wave FAILED above which the rollout pauses (0: the first failure pauses)"
            ),
            APIField(
                name: "soakSeconds",
                kind: .integer(min: 0, max: 2_592_000),
                summary: "wait after a wave succeeds before the next opens"
            ),
            APIField(
                name: "commitDeadlineSeconds",
                kind: .integer(min: 60, max: 2_592_000),
                summary: "a started host not UPDATED within this counts as FAILED (omitted: 7200)"
            ),
            APIField(
                name: "startSeconds",
                kind: uint32,
                summary: "the earliest start, Unix seconds (omitted or 0: now)"
            ),
            APIField(
                name: "respectMaintenanceWindows",
                kind: .boolean,
                summary: "true (omitted): hosts update in their own windows; false: each wave opens a window"
            ),
            APIField(
                name: "windowSeconds",
                kind: .integer(min: 60, max: 86400),
                summary: "length of the window a wave opens when respectMaintenanceWindows is false (omitted: 3600)"
            ),
            .enumeration("state", RolloutState.self, access: .readOnly), .readOnly("stateReason", .string(nil)),
            count("currentWave", "1-based number of the highest wave opened, 0 before the first"),
            count("totalHosts", "hosts in the target set (fixed at creation)"), timestamps,
        ]
    )

    /// The fields a rollout's host list and a preview's hosts share: which host, its wave, state and reason.
    static func rolloutHostIdentity(reason summary: String) -> [APIField] {
        [
            .readOnly("hostId", .string(nil)), .readOnly("hostName", .string(nil)), .readOnly("siteId", .string(nil)),
            count("wave", "1-based wave number"), .enumeration("state", RolloutHostState.self, access: .readOnly),
            .readOnly("reason", .enumeration([""] + RolloutHostReason.allCases.map(\.rawValue)), summary),
        ]
    }

    /// One host of a rollout (`GET rollouts/{id}/hosts`).
    static let rolloutHost = APISchema(
        name: "RolloutHost",
        fields: rolloutHostIdentity(reason: "why it was skipped or failed; \"\" otherwise") + [
            .readOnly("reasonDetail", .string(nil)),
            .readOnly("runId", .string(nil), "its update run, \"\" before one"),
            .readOnly("openedAt", uint32, "when its wave opened for it (Unix seconds), 0 before"),
            .readOnly("startedAt", uint32, "when its update started, 0 before"),
            .readOnly("endedAt", uint32, "when it reached its final state, 0 before"),
        ]
    )

    /// One wave of a rollout preview.
    static let rolloutPreviewWave = APISchema(
        name: "RolloutPreviewWave",
        fields: [
            count("wave", "1-based wave number"), count("hosts"), count("skipped"),
            .readOnly("earliestStart", uint32, "the earliest the wave can open, 0 when it cannot"),
            .readOnly("earliestFinish", uint32, "the earliest it can reach its success threshold, 0 when it cannot"),
        ]
    )

    /// The number of hosts a preview skips for one reason.
    static let rolloutSkipCount = APISchema(
        name: "RolloutSkipCount",
        fields: [
            .readOnly("reason", .enumeration(RolloutHostReason.allCases.map(\.rawValue))), count("hosts"),
        ]
    )

    /// One host of a rollout preview.
    static let rolloutPreviewHost = APISchema(
        name: "RolloutPreviewHost",
        fields: rolloutHostIdentity(reason: "why it is skipped; \"\" otherwise") + [
            .readOnly("osId", .string(nil), "the OS resource it would get, \"\" for a package update"),
            .readOnly("offer", .string(nil), "what it would get, for a person"),
            .readOnly("earliestStart", uint32, "the earliest its update can start (Unix seconds), 0 when never"),
            .readOnly("earliestStartUtc", .string(nil), "the same in RFC 3339, UTC; \"\" when never"),
            .readOnly("earliestStartLocal", .string(nil), "the same in the zone of its window; \"\" when never"),
            .readOnly("timeZone", .string(nil), "the zone of that window; \"\" when never"),
        ]
    )

    /// What a rollout would do (`POST rollouts/preview`, `GET rollouts/{id}/preview`); `hosts` is paged.
    static let rolloutPreview = APISchema(
        name: "RolloutPreview",
        fields: [
            count("totalHosts"), .readOnly("waves", .array(.object("RolloutPreviewWave"), maxItems: nil)),
            .readOnly("skippedByReason", .array(.object("RolloutSkipCount"), maxItems: nil), "sorted by reason"),
            .readOnly("earliestFinish", uint32, "the earliest the whole rollout can finish, 0 when it cannot"),
            .readOnly("hosts", .array(.object("RolloutPreviewHost"), maxItems: nil), "one page of the hosts"),
            count("totalElements"), .readOnly("hasNext", .boolean),
        ]
    )

    static let project = APISchema(
        name: "Project",
        fields: [
            .readOnly("id", .string(nil), "the project UUID (the tenant of every resource in it)"),
            .string(
                "name",
                TextRule(maxBytes: 63, extraCharacters: "-", pattern: "^[a-z][a-z0-9-]*$"),
                required: true
            ),
        ]
    )

    static let metadataItem = APISchema(
        name: "MetadataItem",
        fields: [
            .string("key", TextRule.free(maxBytes: 316), required: true),
            .string("value", TextRule.free(maxBytes: 63), required: true),
        ]
    )

    static let timestampsSchema = APISchema(
        name: "Timestamps",
        fields: [.readOnly("createdAt", .string(nil)), .readOnly("updatedAt", .string(nil))]
    )

    /// Every schema, for the OpenAPI document.
    static let all: [APISchema] = [
        region, site, host, instance, operatingSystem, policy, run, singleSchedule, repeatedSchedule, rollout,
        rolloutWave, rolloutHost, rolloutPreview, rolloutPreviewWave, rolloutSkipCount, rolloutPreviewHost, project,
        metadataItem, timestampsSchema,
    ]
}
