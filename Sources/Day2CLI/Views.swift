import Foundation

/// How nested API objects and enum names read in tables and detail views.
enum Views {
    /// `name (id)` of a nested resource, its ID when it has no name, or `fallback` when it is null.
    static func named(_ resource: JSONValue, fallback: String = "") -> String {
        let id = resource["resourceId"].text
        guard !id.isEmpty else { return fallback }
        let name = resource["name"].text
        return name.isEmpty ? id : "\(name) (\(id))"
    }

    /// `key=value, key=value` of a metadata array.
    static func metadata(_ items: JSONValue) -> String {
        items.array.map { "\($0["key"].text)=\($0["value"].text)" }.joined(separator: ", ")
    }

    /// The API's metadata array from `key=value` options.
    static func metadataBody(_ pairs: [String], option: String = "--metadata") throws(CLIError) -> [JSONValue] {
        var items: [JSONValue] = []
        for pair in pairs {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.count == 2, !parts[0].isEmpty else {
                throw CLIError.option(option, "\"\(pair)\" must be key=value")
            }
            items.append(.object([("key", .string(String(parts[0]))), ("value", .string(String(parts[1])))]))
        }
        return items
    }

    /// The last word(s) of an enum name in lower case: `OS_TYPE_IMMUTABLE` → `immutable`.
    static func enumWord(_ value: JSONValue, prefix: String) -> String {
        guard let text = value.string, text.hasPrefix(prefix) else { return value.text }
        let word = text.dropFirst(prefix.count).lowercased().replacingOccurrences(of: "_", with: " ")
        return word == "unspecified" ? "" : word
    }

    /// A status triplet's text, else its indicator: `Update completed`, `in progress`, or empty.
    static func status(_ item: JSONValue, _ name: String) -> String {
        let text = item[name].text
        return text.isEmpty ? enumWord(item[name + "Indicator"], prefix: "STATUS_INDICATION_") : text
    }

    /// `LATEST` / `TARGET` policy kind in lower case.
    static func policyKind(_ policy: JSONValue) -> String { enumWord(policy["updatePolicy"], prefix: "UPDATE_POLICY_") }

    /// `os update` / `maintenance`.
    static func scheduleType(_ schedule: JSONValue) -> String {
        enumWord(schedule["scheduleStatus"], prefix: "SCHEDULE_STATUS_")
    }

    /// Whether an update run has not ended: no end time, or one before its start (upstream's "not ended"
    /// sentinel reaches clients truncated to 32 bits, a value smaller than any start time).
    static func runInProgress(_ run: JSONValue) -> Bool {
        let start = run["startTime"].int ?? 0
        guard let end = run["endTime"].int, end > 0 else { return true }
        return end < start
    }

    /// How long an update run took, or has been running until `now`.
    static func runDuration(_ run: JSONValue, now: Int64) -> String {
        guard let start = run["startTime"].int, start > 0 else { return "" }
        let end = runInProgress(run) ? now : (run["endTime"].int ?? now)
        return TimeText.duration(end - start)
    }

    /// The target of a schedule: `host-…`, `site-…`, `region-…`, or empty.
    static func scheduleTarget(_ schedule: JSONValue) -> String {
        for key in ["targetHostId", "targetSiteId", "targetRegionId"] {
            let id = schedule[key].text
            if !id.isEmpty { return id }
        }
        return ""
    }
}
