/// How a status triplet's value should be shown: error, in progress, idle (done) or unknown.
public enum StatusIndication: String, Sendable, CaseIterable, Codable {
    case unspecified = "STATUS_INDICATION_UNSPECIFIED"
    case error = "STATUS_INDICATION_ERROR"
    case inProgress = "STATUS_INDICATION_IN_PROGRESS"
    case idle = "STATUS_INDICATION_IDLE"
}

/// The lifecycle state of a host.
public enum HostState: String, Sendable, CaseIterable, Codable {
    case unspecified = "HOST_STATE_UNSPECIFIED"
    case deleted = "HOST_STATE_DELETED"
    case onboarded = "HOST_STATE_ONBOARDED"
    case untrusted = "HOST_STATE_UNTRUSTED"
    case registered = "HOST_STATE_REGISTERED"
}

/// The lifecycle state of an instance (the OS running on a host).
public enum InstanceState: String, Sendable, CaseIterable, Codable {
    case unspecified = "INSTANCE_STATE_UNSPECIFIED"
    case running = "INSTANCE_STATE_RUNNING"
    case deleted = "INSTANCE_STATE_DELETED"
    case untrusted = "INSTANCE_STATE_UNTRUSTED"
}

/// What an instance runs on; only bare metal is offered by the API.
public enum InstanceKind: String, Sendable, CaseIterable, Codable {
    case unspecified = "INSTANCE_KIND_UNSPECIFIED"
    case metal = "INSTANCE_KIND_METAL"
}

/// Whether an OS is updated in place (apt) or by writing a whole image to the other A/B slot.
public enum OSType: String, Sendable, CaseIterable, Codable {
    case unspecified = "OS_TYPE_UNSPECIFIED"
    case mutable = "OS_TYPE_MUTABLE"
    case immutable = "OS_TYPE_IMMUTABLE"

    /// The number used on the southbound wire (`PlatformUpdateStatusResponse.OSType`).
    public var wireNumber: Int {
        switch self {
        case .unspecified: 0
        case .mutable: 1
        case .immutable: 2
        }
    }
}

/// Who provides an OS resource.
public enum OSProviderKind: String, Sendable, CaseIterable, Codable {
    case unspecified = "OS_PROVIDER_KIND_UNSPECIFIED"
    case infra = "OS_PROVIDER_KIND_INFRA"
    case lenovo = "OS_PROVIDER_KIND_LENOVO"
}

/// The security features an OS image is built with.
public enum SecurityFeature: String, Sendable, CaseIterable, Codable {
    case unspecified = "SECURITY_FEATURE_UNSPECIFIED"
    case none = "SECURITY_FEATURE_NONE"
    case secureBootAndFullDiskEncryption = "SECURITY_FEATURE_SECURE_BOOT_AND_FULL_DISK_ENCRYPTION"
}

/// What an OS update policy asks for: the newest image of the profile, or an exact target.
public enum UpdatePolicyKind: String, Sendable, CaseIterable, Codable {
    case unspecified = "UPDATE_POLICY_UNSPECIFIED"
    case latest = "UPDATE_POLICY_LATEST"
    case target = "UPDATE_POLICY_TARGET"
}

/// What a schedule is for; only maintenance and OS-update schedules open update windows.
public enum ScheduleStatus: String, Sendable, CaseIterable, Codable {
    case unspecified = "SCHEDULE_STATUS_UNSPECIFIED"
    case maintenance = "SCHEDULE_STATUS_MAINTENANCE"
    case osUpdate = "SCHEDULE_STATUS_OS_UPDATE"
}

extension RawRepresentable where RawValue == String, Self: CaseIterable {
    /// Parses an API enum name for `field`, naming the allowed values when it is unknown.
    public static func parse(_ text: String, field: String) throws(ValidationError) -> Self {
        guard let value = Self(rawValue: text) else {
            let allowed = allCases.map(\.rawValue).joined(separator: ", ")
            throw ValidationError(field: field, rule: "must be one of \(allowed), got \"\(text.prefix(60))\"")
        }
        return value
    }
}
