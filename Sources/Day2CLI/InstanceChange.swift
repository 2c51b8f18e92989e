import ArgumentParser
import Day2Model

/// The changes `set instance` and `set host` make to an instance: link or unlink an OS update policy, set the
/// OS it should get at its next window, rename it.
struct InstanceChange: ParsableArguments {
    @Option(
        name: [.customLong("policy"), .customLong("osupdatepolicy"), .customShort("u")],
        help: ArgumentHelp("Link this OS update policy (ID or name).", valueName: "policy")
    )
    var policy: String?

    @Flag(name: .customLong("no-policy"), help: "Unlink the instance's OS update policy.")
    var noPolicy = false

    @Option(
        help: ArgumentHelp(
            "Set the OS the instance should get at its next window (an immutable OS resource, ID or name); "
                + "the server links a TARGET policy for it.",
            valueName: "os"
        )
    )
    var os: String?

    @Option(help: "Rename the instance.")
    var name: String?

    /// Refuses combinations that contradict each other, and no change at all.
    func check() throws {
        if policy == nil && !noPolicy && os == nil && name == nil {
            throw ArgumentParser.ValidationError("nothing to change: give --policy, --no-policy, --os or --name")
        }
        if noPolicy && (policy != nil || os != nil) {
            throw ArgumentParser.ValidationError("--no-policy cannot be combined with --policy or --os")
        }
        if policy != nil && os != nil {
            throw ArgumentParser.ValidationError(
                "--os links a TARGET policy for that OS; give either --policy or --os, not both"
            )
        }
    }

    /// Sends the change for `instanceId` and returns the instance as the server answered.
    func apply(to instanceId: String, client: APIClient) async throws(CLIError) -> JSONValue {
        let path = InstanceCommands.path + "/" + APIClient.escape(instanceId)
        var result = JSONValue.null
        if noPolicy {
            // Upstream's only way to unlink: name the field in the mask and send no value for it.
            result = try await client.patch(path, .object([]), query: [("fieldMask", "os_update_policyID")])
        }
        var body: [(String, JSONValue)] = []
        if let name { body.append(("name", .string(name))) }
        if let policy {
            let id = try await PolicyCommands.resolve(policy, client)
            body.append(("osUpdatePolicyID", .string(id)))
        }
        if let os {
            body.append(("osID", .string(try await OSProfileCommands.resolve(os, client))))
        }
        if !body.isEmpty { result = try await client.patch(path, .object(body)) }
        return result
    }
}
