import Day2Model

/// Turns what an operator typed (a resource ID or a name) into a resource ID, as the upstream CLI does for
/// `get osupdatepolicy <name|id>`.
enum Resolver {
    /// `text` when it is an ID of `kind`; otherwise the ID of the one resource of that kind named exactly `text`.
    ///
    /// A name matching several resources is refused with their IDs; no match is a not-found error.
    static func id(
        _ text: String,
        kind: ResourceKind,
        noun: String,
        listPath: String,
        listKey: String,
        client: APIClient
    ) async throws(CLIError) -> String {
        if ResourceID.isValid(text, kind: kind) { return text }
        guard !text.isEmpty else { throw CLIError(.usage, "the \(noun) is empty: give its resource ID or name") }
        let escaped = text.contains("\"") ? "'\(text)'" : "\"\(text)\""
        let response = try await client.get(listPath, query: [("filter", "name=\(escaped)")])
        let matches = response[listKey].array.filter { $0["name"].string == text }
        switch matches.count {
        case 1:
            return matches[0]["resourceId"].text
        case 0:
            throw CLIError(
                .api,
                "no \(noun) has the ID or name \"\(text)\"",
                hint: "IDs look like \(kind.prefix)-1a2b3c4d; day2ctl list \(noun) shows them"
            )
        default:
            let ids = matches.map { $0["resourceId"].text }.joined(separator: ", ")
            throw CLIError(.usage, "\(matches.count) \(noun)s are named \"\(text)\" (\(ids)); give the resource ID")
        }
    }

    /// The instance of host `hostText` (ID or name), with the host's JSON; an error when the host has none.
    static func instance(
        ofHost hostText: String,
        client: APIClient
    ) async throws(CLIError) -> (
        instanceId: String, host: JSONValue
    ) {
        let hostId = try await id(
            hostText,
            kind: .host,
            noun: "host",
            listPath: "compute/hosts",
            listKey: "hosts",
            client: client
        )
        let host = try await client.get("compute/hosts/" + APIClient.escape(hostId))
        guard let instanceId = host["instance"]["resourceId"].string, !instanceId.isEmpty else {
            throw CLIError(
                .usage,
                "host \(hostId) has no instance, so nothing on it can be updated",
                hint: "create one: day2ctl create instance --host \(hostId) --os <os-id>"
            )
        }
        return (instanceId, host)
    }
}
