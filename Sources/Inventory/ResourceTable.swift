import Day2Model
import Foundation

/// A model type stored as one row: it has an ID and timestamps the store fills in.
protocol StoredResource: Sendable {
    var resourceId: String { get set }
    var timestamps: Timestamps { get set }
}

extension Region: StoredResource {}
extension Site: StoredResource {}
extension HostResource: StoredResource {}
extension Instance: StoredResource {}
extension OSResource: StoredResource {}
extension OSUpdatePolicy: StoredResource {}
extension OSUpdateRun: StoredResource {}
extension SingleSchedule: StoredResource {}
extension RepeatedSchedule: StoredResource {}

/// How one resource type maps onto its table: the data columns and the two conversions.
struct ResourceTable<Resource: StoredResource>: Sendable {
    /// The SQL table.
    let name: String
    /// The resource's name in messages ("host", "OS Update Policy").
    let label: String
    /// The ID prefix.
    let kind: ResourceKind
    /// Data columns, in the order `encode` produces values (without tenant, ID and timestamps).
    let columns: [String]
    /// An extra equality every row of this resource satisfies (the `kind` of the shared schedules table).
    let scope: (column: String, value: String)?
    /// The data column values of a resource.
    let encode: @Sendable (Resource) -> [SQLValue]
    /// A resource from a full row.
    let decode: @Sendable (SQLRow) -> Resource

    /// `SELECT`-able list of every column (built once: it is part of every statement on the hot path).
    let selectList: String

    init(
        name: String,
        label: String,
        kind: ResourceKind,
        columns: [String],
        scope: (column: String, value: String)?,
        encode: @escaping @Sendable (Resource) -> [SQLValue],
        decode: @escaping @Sendable (SQLRow) -> Resource
    ) {
        self.name = name
        self.label = label
        self.kind = kind
        self.columns = columns
        self.scope = scope
        self.encode = encode
        self.decode = decode
        selectList = (["resource_id", "created_at", "updated_at"] + columns).joined(separator: ", ")
    }
}

/// JSON helpers for the few list-valued columns (metadata, update sources).
enum ColumnJSON {
    /// Keys in a fixed order, so that a filter on the stored text (`metadata='{"key":…,"value":…}'`) matches every
    /// row written with the same content.
    static func encode<T: Encodable>(_ value: T) -> SQLValue {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let data = (try? encoder.encode(value)) ?? Data("[]".utf8)
        return .text(String(decoding: data, as: UTF8.self))
    }

    static func decode<T: Decodable>(_ type: T.Type, _ text: String, default value: T) -> T {
        // Most rows hold an empty list: skip the decoder for them (it is on every host lookup).
        if text.isEmpty || text == "[]" { return value }
        return (try? JSONDecoder().decode(type, from: Data(text.utf8))) ?? value
    }
}

extension SQLRow {
    /// The shared `resource_id`/`created_at`/`updated_at` columns.
    fileprivate var timestamps: Timestamps { Timestamps(createdAt: int("created_at"), updatedAt: int("updated_at")) }

    /// A status triplet stored as `<prefix>`, `<prefix>_indicator`, `<prefix>_timestamp`.
    fileprivate func triplet(_ prefix: String) -> StatusTriplet {
        StatusTriplet(
            status: string(prefix),
            indicator: enumeration(prefix + "_indicator", as: StatusIndication.self),
            timestamp: int(prefix + "_timestamp")
        )
    }
}

/// The three column values of a status triplet.
private func tripletValues(_ triplet: StatusTriplet) -> [SQLValue] {
    [.text(triplet.status), .text(triplet.indicator.rawValue), .integer(triplet.timestamp)]
}

/// The three column names of a status triplet.
private func tripletColumns(_ prefix: String) -> [String] {
    [prefix, prefix + "_indicator", prefix + "_timestamp"]
}

enum Tables {
    static let regions = ResourceTable<Region>(
        name: "regions",
        label: "region",
        kind: .region,
        columns: ["name", "parent_region_id", "metadata"],
        scope: nil,
        encode: { [.text($0.name), .optional($0.parentRegionId), ColumnJSON.encode($0.metadata)] },
        decode: { row in
            Region(
                resourceId: row.string("resource_id"),
                name: row.string("name"),
                parentRegionId: row.optionalString("parent_region_id"),
                metadata: ColumnJSON.decode([MetadataItem].self, row.string("metadata"), default: []),
                timestamps: row.timestamps
            )
        }
    )

    static let sites = ResourceTable<Site>(
        name: "sites",
        label: "site",
        kind: .site,
        columns: ["name", "region_id", "site_lat", "site_lng", "metadata"],
        scope: nil,
        encode: {
            [
                .text($0.name), .optional($0.regionId), .integer(Int64($0.siteLat)), .integer(Int64($0.siteLng)),
                ColumnJSON.encode($0.metadata),
            ]
        },
        decode: { row in
            Site(
                resourceId: row.string("resource_id"),
                name: row.string("name"),
                regionId: row.optionalString("region_id"),
                siteLat: Int32(clamping: row.int("site_lat")),
                siteLng: Int32(clamping: row.int("site_lng")),
                metadata: ColumnJSON.decode([MetadataItem].self, row.string("metadata"), default: []),
                timestamps: row.timestamps
            )
        }
    )

    static let hosts = ResourceTable<HostResource>(
        name: "hosts",
        label: "host",
        kind: .host,
        columns: ["name", "uuid", "serial_number", "site_id", "desired_state", "current_state"]
            + tripletColumns("host_status") + tripletColumns("onboarding_status")
            + tripletColumns("registration_status") + ["metadata"],
        scope: nil,
        encode: { host in
            var values: [SQLValue] = [
                .text(host.name), .optional(host.uuid), .text(host.serialNumber), .optional(host.siteId),
                .text(host.desiredState.rawValue), .text(host.currentState.rawValue),
            ]
            values += tripletValues(host.hostStatus)
            values += tripletValues(host.onboardingStatus)
            values += tripletValues(host.registrationStatus)
            values.append(ColumnJSON.encode(host.metadata))
            return values
        },
        decode: { row in
            HostResource(
                resourceId: row.string("resource_id"),
                name: row.string("name"),
                uuid: row.optionalString("uuid"),
                serialNumber: row.string("serial_number"),
                siteId: row.optionalString("site_id"),
                desiredState: row.enumeration("desired_state", as: HostState.self),
                currentState: row.enumeration("current_state", as: HostState.self),
                hostStatus: row.triplet("host_status"),
                onboardingStatus: row.triplet("onboarding_status"),
                registrationStatus: row.triplet("registration_status"),
                metadata: ColumnJSON.decode([MetadataItem].self, row.string("metadata"), default: []),
                timestamps: row.timestamps
            )
        }
    )

    static let instances = ResourceTable<Instance>(
        name: "instances",
        label: "instance",
        kind: .instance,
        columns: ["name", "kind", "desired_state", "current_state", "host_id", "os_id", "security_feature"]
            + tripletColumns("instance_status") + ["instance_status_detail"]
            + tripletColumns("provisioning_status") + tripletColumns("update_status")
            + tripletColumns("trusted_attestation_status")
            + ["existing_cves", "runtime_packages", "os_update_available", "os_update_policy_id"],
        scope: nil,
        encode: { instance in
            var values: [SQLValue] = [
                .text(instance.name), .text(instance.kind.rawValue), .text(instance.desiredState.rawValue),
                .text(instance.currentState.rawValue), .text(instance.hostId), .text(instance.osId),
                .text(instance.securityFeature.rawValue),
            ]
            values += tripletValues(instance.instanceStatus)
            values.append(.text(instance.instanceStatusDetail))
            values += tripletValues(instance.provisioningStatus)
            values += tripletValues(instance.updateStatus)
            values += tripletValues(instance.trustedAttestationStatus)
            values += [
                .text(instance.existingCves), .text(instance.runtimePackages), .text(instance.osUpdateAvailable),
                .optional(instance.osUpdatePolicyId),
            ]
            return values
        },
        decode: { row in
            Instance(
                resourceId: row.string("resource_id"),
                name: row.string("name"),
                kind: row.enumeration("kind", as: InstanceKind.self),
                desiredState: row.enumeration("desired_state", as: InstanceState.self),
                currentState: row.enumeration("current_state", as: InstanceState.self),
                hostId: row.string("host_id"),
                osId: row.string("os_id"),
                securityFeature: row.enumeration("security_feature", as: SecurityFeature.self),
                instanceStatus: row.triplet("instance_status"),
                instanceStatusDetail: row.string("instance_status_detail"),
                provisioningStatus: row.triplet("provisioning_status"),
                updateStatus: row.triplet("update_status"),
                trustedAttestationStatus: row.triplet("trusted_attestation_status"),
                existingCves: row.string("existing_cves"),
                runtimePackages: row.string("runtime_packages"),
                osUpdateAvailable: row.string("os_update_available"),
                osUpdatePolicyId: row.optionalString("os_update_policy_id"),
                timestamps: row.timestamps
            )
        }
    )

    static let osResources = ResourceTable<OSResource>(
        name: "os_resources",
        label: "OS resource",
        kind: .operatingSystem,
        columns: [
            "name", "architecture", "image_url", "image_id", "sha256", "profile_name", "profile_version",
            "installed_packages", "installed_packages_url", "security_feature", "os_type", "os_provider",
            "platform_bundle", "description", "metadata", "tls_ca_cert", "existing_cves_url", "existing_cves",
            "fixed_cves_url", "fixed_cves",
        ],
        scope: nil,
        encode: {
            [
                .text($0.name), .text($0.architecture), .text($0.imageUrl), .text($0.imageId), .text($0.sha256),
                .text($0.profileName), .text($0.profileVersion), .text($0.installedPackages),
                .text($0.installedPackagesUrl), .text($0.securityFeature.rawValue), .text($0.osType.rawValue),
                .text($0.osProvider.rawValue), .text($0.platformBundle), .text($0.description), .text($0.metadata),
                .text($0.tlsCaCert), .text($0.existingCvesUrl), .text($0.existingCves), .text($0.fixedCvesUrl),
                .text($0.fixedCves),
            ]
        },
        decode: { row in
            OSResource(
                resourceId: row.string("resource_id"),
                name: row.string("name"),
                architecture: row.string("architecture"),
                imageUrl: row.string("image_url"),
                imageId: row.string("image_id"),
                sha256: row.string("sha256"),
                profileName: row.string("profile_name"),
                profileVersion: row.string("profile_version"),
                installedPackages: row.string("installed_packages"),
                installedPackagesUrl: row.string("installed_packages_url"),
                securityFeature: row.enumeration("security_feature", as: SecurityFeature.self),
                osType: row.enumeration("os_type", as: OSType.self),
                osProvider: row.enumeration("os_provider", as: OSProviderKind.self),
                platformBundle: row.string("platform_bundle"),
                description: row.string("description"),
                metadata: row.string("metadata"),
                tlsCaCert: row.string("tls_ca_cert"),
                existingCvesUrl: row.string("existing_cves_url"),
                existingCves: row.string("existing_cves"),
                fixedCvesUrl: row.string("fixed_cves_url"),
                fixedCves: row.string("fixed_cves"),
                timestamps: row.timestamps
            )
        }
    )

    static let policies = ResourceTable<OSUpdatePolicy>(
        name: "os_update_policies",
        label: "OS Update Policy",
        kind: .osUpdatePolicy,
        columns: [
            "name", "description", "update_sources", "update_packages", "update_kernel_command", "target_os_id",
            "update_policy",
        ],
        scope: nil,
        encode: {
            [
                .text($0.name), .text($0.description), ColumnJSON.encode($0.updateSources), .text($0.updatePackages),
                .text($0.updateKernelCommand), .optional($0.targetOsId), .text($0.updatePolicy.rawValue),
            ]
        },
        decode: { row in
            OSUpdatePolicy(
                resourceId: row.string("resource_id"),
                name: row.string("name"),
                description: row.string("description"),
                updateSources: ColumnJSON.decode([String].self, row.string("update_sources"), default: []),
                updatePackages: row.string("update_packages"),
                updateKernelCommand: row.string("update_kernel_command"),
                targetOsId: row.optionalString("target_os_id"),
                updatePolicy: row.enumeration("update_policy", as: UpdatePolicyKind.self),
                timestamps: row.timestamps
            )
        }
    )

    static let runs = ResourceTable<OSUpdateRun>(
        name: "os_update_runs",
        label: "OS Update Run",
        kind: .osUpdateRun,
        columns: [
            "name", "description", "applied_policy_id", "instance_id", "status_indicator", "status", "status_details",
            "status_timestamp", "start_time", "end_time",
        ],
        scope: nil,
        encode: {
            [
                .text($0.name), .text($0.description), .optional($0.appliedPolicyId), .text($0.instanceId),
                .text($0.statusIndicator.rawValue), .text($0.status), .text($0.statusDetails),
                .integer($0.statusTimestamp), .integer($0.startTime), .integer($0.endTime),
            ]
        },
        decode: { row in
            OSUpdateRun(
                resourceId: row.string("resource_id"),
                name: row.string("name"),
                description: row.string("description"),
                appliedPolicyId: row.optionalString("applied_policy_id"),
                instanceId: row.string("instance_id"),
                statusIndicator: row.enumeration("status_indicator", as: StatusIndication.self),
                status: row.string("status"),
                statusDetails: row.string("status_details"),
                statusTimestamp: row.int("status_timestamp"),
                startTime: row.int("start_time"),
                endTime: row.int("end_time"),
                timestamps: row.timestamps
            )
        }
    )

    /// One host and its instance (LEFT JOIN), host columns prefixed `h_`, instance columns `i_`.
    static let hostAndInstanceSQL: String = {
        let hostColumns = Tables.hosts.selectList.split(separator: ", ").map { "h.\($0) AS h_\($0)" }
        let instanceColumns = Tables.instances.selectList.split(separator: ", ").map { "i.\($0) AS i_\($0)" }
        // The generation comes first in the select list, so its tenant binds first.
        let generation =
            "COALESCE((SELECT g.generation FROM config_generations g WHERE g.tenant_id = ?), 0) AS config_generation"
        // The rollout that owns the host, if any: its row and the few rollout fields the poll's gate needs.
        let rolloutColumns = [
            "rh.rollout_id AS rh_rollout_id", "rh.state AS rh_state", "rh.opened_at AS rh_opened_at",
            "ro.state AS ro_state", "ro.os_update_policy_id AS ro_policy", "ro.respect_windows AS ro_respect",
            "ro.window_seconds AS ro_window",
        ]
        let columns = [generation] + hostColumns + instanceColumns + rolloutColumns
        return "SELECT \(columns.joined(separator: ", ")) FROM hosts h"
            + " LEFT JOIN instances i ON i.tenant_id = h.tenant_id AND i.host_id = h.resource_id"
            + " LEFT JOIN rollout_hosts rh ON rh.tenant_id = h.tenant_id AND rh.host_id = h.resource_id AND rh.active = 1"
            // By primary key alone: the row's composite foreign key already holds the rollout to the host's project,
            // and PostgreSQL otherwise picked a tenant index and filtered every rollout of the project per row.
            + " LEFT JOIN rollouts ro ON ro.resource_id = rh.rollout_id"
            + " WHERE h.tenant_id = ? AND h.uuid = ?"
    }()

    /// `hostAndInstanceSQL` for many UUIDs of one project at once (PostgreSQL: the last value is a text array).
    static let hostAndInstanceBatchSQL: String = {
        let single = hostAndInstanceSQL
        precondition(single.hasSuffix(" AND h.uuid = ?"))
        return String(single.dropLast(" AND h.uuid = ?".count)) + " AND h.uuid = ANY(?)"
    }()

    /// Every column of the shared schedules table, for statements that read both kinds.
    static let allScheduleColumns =
        (["resource_id", "created_at", "updated_at"] + repeatedSchedules.columns
        + ["start_seconds", "end_seconds"]).joined(separator: ", ")

    /// Columns shared by both schedule kinds.
    private static let scheduleColumns = [
        "kind", "name", "schedule_status", "target_host_id", "target_site_id", "target_region_id",
    ]

    private static func targetValues(_ target: ScheduleTarget) -> [SQLValue] {
        [.optional(target.hostId), .optional(target.siteId), .optional(target.regionId)]
    }

    /// The target of a schedule row.
    static func target(of row: SQLRow) -> ScheduleTarget {
        if let host = row.optionalString("target_host_id") { return .host(host) }
        if let site = row.optionalString("target_site_id") { return .site(site) }
        if let region = row.optionalString("target_region_id") { return .region(region) }
        return .none
    }

    static let singleSchedules = ResourceTable<SingleSchedule>(
        name: "schedules",
        label: "single schedule",
        kind: .singleSchedule,
        columns: scheduleColumns + ["start_seconds", "end_seconds"],
        scope: (column: "kind", value: "single"),
        encode: {
            [.text("single"), .text($0.name), .text($0.scheduleStatus.rawValue)] + targetValues($0.target)
                + [.integer($0.startSeconds), .optional($0.endSeconds)]
        },
        decode: decodeSingle
    )

    static let decodeSingle: @Sendable (SQLRow) -> SingleSchedule = { row in
        SingleSchedule(
            resourceId: row.string("resource_id"),
            name: row.string("name"),
            scheduleStatus: row.enumeration("schedule_status", as: ScheduleStatus.self),
            target: target(of: row),
            startSeconds: row.int("start_seconds"),
            endSeconds: row.optionalInt("end_seconds").flatMap { $0 == 0 ? nil : $0 },
            timestamps: row.timestamps
        )
    }

    static let repeatedSchedules = ResourceTable<RepeatedSchedule>(
        name: "schedules",
        label: "repeated schedule",
        kind: .repeatedSchedule,
        columns: scheduleColumns + [
            "duration_seconds", "cron_minutes", "cron_hours", "cron_day_month", "cron_month", "cron_day_week",
        ],
        scope: (column: "kind", value: "repeated"),
        encode: {
            [.text("repeated"), .text($0.name), .text($0.scheduleStatus.rawValue)] + targetValues($0.target)
                + [
                    .integer($0.durationSeconds), .text($0.cronMinutes), .text($0.cronHours), .text($0.cronDayMonth),
                    .text($0.cronMonth), .text($0.cronDayWeek),
                ]
        },
        decode: decodeRepeated
    )

    static let decodeRepeated: @Sendable (SQLRow) -> RepeatedSchedule = { row in
        RepeatedSchedule(
            resourceId: row.string("resource_id"),
            name: row.string("name"),
            scheduleStatus: row.enumeration("schedule_status", as: ScheduleStatus.self),
            target: target(of: row),
            durationSeconds: row.int("duration_seconds"),
            cronMinutes: row.string("cron_minutes"),
            cronHours: row.string("cron_hours"),
            cronDayMonth: row.string("cron_day_month"),
            cronMonth: row.string("cron_month"),
            cronDayWeek: row.string("cron_day_week"),
            timestamps: row.timestamps
        )
    }
}
