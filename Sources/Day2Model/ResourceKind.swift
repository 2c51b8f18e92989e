/// The kinds of inventory resource, each with the ID prefix that names it (`host-1a2b3c4d`).
public enum ResourceKind: String, Sendable, CaseIterable, Hashable {
    case region
    case site
    case host
    case instance = "inst"
    case operatingSystem = "os"
    case osUpdatePolicy = "osupdatepolicy"
    case osUpdateRun = "osupdaterun"
    case singleSchedule = "singlesche"
    case repeatedSchedule = "repeatedsche"
    case rollout

    /// The text before the `-` of every ID of this kind.
    public var prefix: String { rawValue }

    /// The kind an ID belongs to, from its prefix; nil when the prefix is unknown.
    public static func of(id: String) -> ResourceKind? {
        guard let dash = id.firstIndex(of: "-") else { return nil }
        return ResourceKind(rawValue: String(id[..<dash]))
    }
}
