import ArgumentParser
import Day2Model

/// `day2ctl update-os <host>`: the upstream shortcut that updates one host now: it makes sure the host's instance
/// has a policy, then opens an OS-update window from now+30 s to now+660 s (`<hostID>_immediate_os_update`).
struct UpdateOSCommand: CLICommand {
    static let configuration = CommandConfiguration(
        commandName: "update-os",
        abstract: "Update a host now: an 11-minute OS-update window starting in 30 seconds.",
        discussion: """
            With --policy the policy is linked first (when it is not already). An immutable OS needs a policy; a \
            mutable OS without one upgrades its installed packages.
            """
    )

    @Argument(help: "Host ID (host-…) or name.")
    var host: String

    @Option(
        name: [.customLong("policy"), .customLong("osupdatepolicy"), .customShort("u")],
        help: ArgumentHelp("OS update policy to link first (ID or name).", valueName: "policy")
    )
    var policy: String?

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var output: OutputOptions

    /// Upstream's window: it opens 30 s from now and closes 660 s from now.
    static let opensAfter: Int64 = 30
    static let closesAfter: Int64 = 660

    func run(in context: CLIContext) async throws(CLIError) {
        let presenter = try Presenter(context, output)
        let (host, policy) = (host, policy)
        let schedule = try await connection.withClient(context) { client throws(CLIError) -> JSONValue in
            let (instanceId, hostJSON) = try await Resolver.instance(ofHost: host, client: client)
            let hostId = hostJSON["resourceId"].text
            var instance = hostJSON["instance"]
            if let policy {
                let policyId = try await PolicyCommands.resolve(policy, client)
                if instance["updatePolicy"]["resourceId"].text != policyId {
                    instance = try await client.patch(
                        InstanceCommands.path + "/" + APIClient.escape(instanceId),
                        .object([("osUpdatePolicyID", .string(policyId))])
                    )
                    context.errors.line("linked policy \(policyId) to instance \(instanceId)")
                }
            }
            if instance["updatePolicy"]["resourceId"].text.isEmpty {
                if instance["os"]["osType"].string == OSType.mutable.rawValue {
                    context.errors.line(
                        "note: no OS update policy is linked: the window upgrades the installed packages"
                    )
                } else {
                    throw CLIError(
                        .usage,
                        "no OS update policy is linked to host \(hostId)'s instance \(instanceId), so the window would do nothing",
                        hint: "give one: day2ctl update-os \(host) --policy <policy>"
                    )
                }
            }
            let now = context.nowSeconds
            return try await client.post(
                ScheduleCommands.singlePath,
                .object([
                    ("name", .string("\(hostId)_immediate_os_update")),
                    ("scheduleStatus", .string(ScheduleStatus.osUpdate.rawValue)),
                    ("startSeconds", .int(now + Self.opensAfter)), ("endSeconds", .int(now + Self.closesAfter)),
                    ("targetHostId", .string(hostId)),
                ])
            )
        }
        presenter.created(schedule, kind: "schedule")
        guard output.output == .table, !output.quiet else { return }
        context.output.line(
            "OS update window for \(schedule["targetHostId"].text): \(presenter.time(schedule["startSeconds"].int)) → "
                + presenter.time(schedule["endSeconds"].int)
        )
    }
}
