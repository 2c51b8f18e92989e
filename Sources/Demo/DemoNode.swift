/// One simulated edge node of the demo: where it sits, what it runs, and (once created) its inventory IDs.
public struct DemoNode: Sendable, Hashable {
    /// What kind of OS the node runs.
    public enum Kind: String, Sendable, Hashable {
        /// An A/B-partition node (Edge Microvisor Toolkit style) with a LATEST policy: it gets the newer image.
        case immutable
        /// An Ubuntu node with a package policy: apt adds the policy's packages and upgrades the rest.
        case mutable
    }

    /// Host and instance name, e.g. `emt-berlin-001`.
    public var name: String
    /// The node's SMBIOS UUID (`host_guid` on the wire).
    public var uuid: String
    /// Immutable or mutable.
    public var kind: Kind
    /// Whether the new image's first boot fails (`fail-next-boot`), so the node rolls back.
    public var failsFirstBoot: Bool
    /// The region's name.
    public var region: String
    /// The site's name.
    public var site: String
    /// The host's resource ID, once created.
    public var hostId: String = ""
    /// The instance's resource ID, once created.
    public var instanceId: String = ""

    /// Regions and their sites, in the order nodes are spread over the sites.
    public static let layout: [(region: String, sites: [String])] = [
        ("europe", ["berlin", "paris"]),
        ("north-america", ["chicago", "toronto"]),
    ]

    /// The fleet of `settings`: every third node mutable, the nodes spread round-robin over the sites, and the
    /// failing nodes spread evenly over the immutable ones.
    public static func plan(_ settings: DemoSettings) -> [DemoNode] {
        let sites = layout.flatMap { entry in entry.sites.map { (region: entry.region, site: $0) } }
        let count = settings.nodes
        func isMutable(_ index: Int) -> Bool { count >= 3 ? index % 3 == 2 : index == 1 }
        let immutable = (0..<count).filter { !isMutable($0) }
        let failing = Set(
            settings.failNodes > 0
                ? (0..<settings.failNodes).map { immutable[$0 * immutable.count / settings.failNodes] } : []
        )
        return (0..<count).map { index in
            let place = sites[index % sites.count]
            let kind: Kind = isMutable(index) ? .mutable : .immutable
            let prefix = kind == .immutable ? "emt" : "ubuntu"
            let number = String(index + 1)
            let padded = String(repeating: "0", count: max(0, 3 - number.count)) + number
            let hex = String(index + 1, radix: 16)
            return DemoNode(
                name: "\(prefix)-\(place.site)-\(padded)",
                uuid: "d2d2e0de-0000-4000-8000-" + String(repeating: "0", count: 12 - hex.count) + hex,
                kind: kind,
                failsFirstBoot: failing.contains(index),
                region: place.region,
                site: place.site
            )
        }
    }
}
