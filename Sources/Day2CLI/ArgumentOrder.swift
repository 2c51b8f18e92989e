/// Accepts the noun first as well as the verb first: `day2ctl runs list` is `day2ctl list runs`,
/// `day2ctl projects create x` is `day2ctl create projects x`, as the examples and many CLIs write them.
enum ArgumentOrder {
    /// The verbs that take a resource noun.
    static let verbs: Set<String> = ["list", "get", "create", "set", "delete"]

    /// Every resource noun and alias the verbs know.
    static let nouns: Set<String> = [
        "project", "projects", "region", "regions", "site", "sites", "host", "hosts", "hs", "instance", "instances",
        "inst", "osprofile", "osprofiles", "osp", "osps", "os", "osupdatepolicy", "osupdatepolicies", "oup", "oups",
        "policy", "policies", "osupdaterun", "osupdateruns", "our", "ours", "run", "runs", "schedule", "schedules",
        "sch", "schs",
    ]

    /// `arguments` with a leading `<noun> <verb>` swapped to `<verb> <noun>`; anything else unchanged.
    static func normalized(_ arguments: [String]) -> [String] {
        guard arguments.count >= 2, nouns.contains(arguments[0]), verbs.contains(arguments[1]) else {
            return arguments
        }
        return [arguments[1], arguments[0]] + arguments.dropFirst(2)
    }
}
