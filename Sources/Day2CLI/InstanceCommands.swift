import ArgumentParser
import Day2Model

/// Instances (the OS running on a host): `/v1/projects/{project}/compute/instances`.
enum InstanceCommands {
    static let path = "compute/instances"

    static func resolve(_ text: String, _ client: APIClient) async throws(CLIError) -> String {
        try await Resolver.id(
            text,
            kind: .instance,
            noun: "instance",
            listPath: path,
            listKey: "instances",
            client: client
        )
    }

    /// The columns of an instance table.
    static var columns: [Column] {
        [
            .field("RESOURCE ID", "resourceId"), .field("NAME", "name"), .field("HOST ID", "hostID"),
            Column("OS") { $0["os"]["name"].text }, Column("DESIRED OS") { $0["desiredOs"]["name"].text },
            Column("POLICY") { Views.named($0["updatePolicy"]) },
            Column("UPDATE STATUS") { Views.status($0, "updateStatus") },
        ]
    }

    /// The labelled lines of one instance.
    static func details(_ item: JSONValue, presenter: Presenter) -> [(String, String)] {
        [
            ("Resource ID", item["resourceId"].text), ("Name", item["name"].text),
            ("Host", Views.named(item["host"], fallback: item["hostID"].text)),
            ("State", Views.enumWord(item["currentState"], prefix: "INSTANCE_STATE_")),
            ("OS", Views.named(item["os"], fallback: item["osID"].text)),
            ("OS version", item["os"]["imageId"].text),
            ("Desired OS", Views.named(item["desiredOs"])),
            ("OS update policy", Views.named(item["updatePolicy"])),
            ("Provisioning status", Views.status(item, "provisioningStatus")),
            ("Update status", Views.status(item, "updateStatus")),
            ("Update status at", presenter.time(item["updateStatusTimestamp"].int)),
            ("OS update available", item["osUpdateAvailable"].text),
            ("Created", presenter.timestamp(item["timestamps"]["createdAt"])),
            ("Updated", presenter.timestamp(item["timestamps"]["updatedAt"])),
        ]
    }

    /// What `set instance` and `set host` print: the instance (json/yaml) or its policy and desired OS.
    static func printChanged(_ instance: JSONValue, presenter: Presenter) {
        guard presenter.options.output == .table, !presenter.options.quiet else {
            presenter.detail(instance, [])
            return
        }
        let policy = Views.named(instance["updatePolicy"])
        let desired = Views.named(instance["desiredOs"])
        presenter.context.output.line(
            "instance \(instance["resourceId"].text): policy \(policy.isEmpty ? "none" : policy)"
                + (desired.isEmpty ? "" : ", desired OS \(desired)")
        )
    }

    /// `day2ctl list instances`.
    struct List: CLICommand {
        static let configuration = CommandConfiguration(
            commandName: "instance",
            abstract: "List instances with their OS, desired OS, policy and update status.",
            aliases: ["instances", "inst"]
        )

        @OptionGroup var connection: ConnectionOptions
        @OptionGroup var list: ListOptions
        @OptionGroup var output: OutputOptions

        func run(in context: CLIContext) async throws(CLIError) {
            let presenter = try Presenter(context, output)
            let list = list
            let (response, items) = try await connection.withClient(context) { client throws(CLIError) in
                try await Listing.fetch(client, path: path, key: "instances", options: list, context: context)
            }
            presenter.list(response, items: items, columns: columns)
        }
    }

    /// `day2ctl get instance <id>`.
    struct Get: CLICommand {
        static let configuration = CommandConfiguration(
            commandName: "instance",
            abstract: "Show an instance.",
            aliases: ["instances", "inst"]
        )

        @Argument(help: "Instance ID (inst-…) or name.")
        var instance: String

        @OptionGroup var connection: ConnectionOptions
        @OptionGroup var output: OutputOptions

        func run(in context: CLIContext) async throws(CLIError) {
            let presenter = try Presenter(context, output)
            let instance = instance
            let item = try await connection.withClient(context) { client throws(CLIError) in
                try await client.get(path + "/" + APIClient.escape(try await resolve(instance, client)))
            }
            presenter.detail(item, details(item, presenter: presenter))
        }
    }

    /// `day2ctl create instance --host … --os …`.
    struct Create: CLICommand {
        static let configuration = CommandConfiguration(
            commandName: "instance",
            abstract: "Create the instance of a registered host: the OS it runs now (counted as provisioned).",
            aliases: ["instances", "inst"]
        )

        @Option(help: ArgumentHelp("Host ID or name.", valueName: "host"))
        var host: String

        @Option(help: ArgumentHelp("The OS resource it runs now (ID or name).", valueName: "os"))
        var os: String

        @Option(help: "The instance's name.")
        var name: String?

        @Option(
            name: [.customLong("policy"), .customLong("osupdatepolicy")],
            help: ArgumentHelp("OS update policy to link (ID or name).", valueName: "policy")
        )
        var policy: String?

        @OptionGroup var connection: ConnectionOptions
        @OptionGroup var output: OutputOptions

        func run(in context: CLIContext) async throws(CLIError) {
            let presenter = try Presenter(context, output)
            let (host, os, name, policy) = (host, os, name, policy)
            let instance = try await connection.withClient(context) { client throws(CLIError) in
                var body: [(String, JSONValue)] = [
                    ("hostID", .string(try await HostCommands.resolve(host, client))),
                    ("osID", .string(try await OSProfileCommands.resolve(os, client))),
                    ("kind", .string(InstanceKind.metal.rawValue)),
                ]
                if let name { body.append(("name", .string(name))) }
                if let policy {
                    body.append(("osUpdatePolicyID", .string(try await PolicyCommands.resolve(policy, client))))
                }
                return try await client.post(path, .object(body))
            }
            presenter.created(instance, kind: "instance")
        }
    }

    /// `day2ctl set instance <id> --policy …|--no-policy|--os …`.
    struct Change: CLICommand {
        static let configuration = CommandConfiguration(
            commandName: "instance",
            abstract: "Link or unlink an OS update policy, or set the desired OS, of an instance.",
            discussion: """
                Changes take effect at the instance's next maintenance window. --os sets the OS the instance \
                should get (the server links a TARGET policy for it); the instance then shows it as its desired OS.
                """,
            aliases: ["instances", "inst"]
        )

        @Argument(help: "Instance ID (inst-…) or name.")
        var instance: String

        @OptionGroup var change: InstanceChange
        @OptionGroup var connection: ConnectionOptions
        @OptionGroup var output: OutputOptions

        func validate() throws { try change.check() }

        func run(in context: CLIContext) async throws(CLIError) {
            let presenter = try Presenter(context, output)
            let (instance, change) = (instance, change)
            let updated = try await connection.withClient(context) { client throws(CLIError) in
                try await change.apply(to: try await resolve(instance, client), client: client)
            }
            printChanged(updated, presenter: presenter)
        }
    }

    /// `day2ctl delete instance <id>…`.
    struct Delete: CLICommand {
        static let configuration = CommandConfiguration(
            commandName: "instance",
            abstract: "Delete instances (their update runs go with them).",
            aliases: ["instances", "inst"]
        )

        @Argument(help: "Instance IDs or names.")
        var instances: [String]

        @OptionGroup var connection: ConnectionOptions

        func run(in context: CLIContext) async throws(CLIError) {
            let instances = instances
            try await connection.withClient(context) { client throws(CLIError) in
                try await deleteEach(
                    instances,
                    noun: "instance",
                    client: client,
                    context: context,
                    resolve: { text throws(CLIError) in try await resolve(text, client) },
                    path: { path + "/" + APIClient.escape($0) }
                )
            }
        }
    }
}
