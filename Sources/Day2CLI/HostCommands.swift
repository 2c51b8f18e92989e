import ArgumentParser
import Day2Model

/// Hosts: `/v1/projects/{project}/compute/hosts`; registering one is how a node Day2 did not provision joins.
enum HostCommands {
    static let path = "compute/hosts"

    static func resolve(_ text: String, _ client: APIClient) async throws(CLIError) -> String {
        try await Resolver.id(text, kind: .host, noun: "host", listPath: path, listKey: "hosts", client: client)
    }

    /// `day2ctl list hosts`.
    struct List: CLICommand {
        static let configuration = CommandConfiguration(
            commandName: "host",
            abstract: "List hosts with their OS, policy and update status.",
            aliases: ["hosts", "hs"]
        )

        @Option(help: ArgumentHelp("Only hosts of this site (ID or name).", valueName: "site"))
        var site: String?

        @Option(help: ArgumentHelp("Only hosts of sites in this region (ID or name).", valueName: "region"))
        var region: String?

        @OptionGroup var connection: ConnectionOptions
        @OptionGroup var list: ListOptions
        @OptionGroup var output: OutputOptions

        func run(in context: CLIContext) async throws(CLIError) {
            let presenter = try Presenter(context, output)
            let (list, site, region) = (list, site, region)
            let (response, items) = try await connection.withClient(context) { client throws(CLIError) in
                var extra: String?
                if let site {
                    extra = "site.resourceId=\"\(try await SiteCommands.resolve(site, client))\""
                }
                if let region {
                    let id = try await RegionCommands.resolve(region, client)
                    extra = Listing.combine(extra, "site.region.resourceId=\"\(id)\"")
                }
                return try await Listing.fetch(
                    client,
                    path: path,
                    key: "hosts",
                    options: list,
                    extraFilter: extra,
                    context: context
                )
            }
            presenter.list(
                response,
                items: items,
                columns: [
                    .field("RESOURCE ID", "resourceId"), .field("NAME", "name"), .field("SITE ID", "siteId"),
                    Column("OS") { $0["instance"]["os"]["name"].text },
                    Column("POLICY") { $0["instance"]["updatePolicy"]["name"].text },
                    Column("UPDATE STATUS") { Views.status($0["instance"], "updateStatus") },
                    Column("UPDATE AVAILABLE") { $0["instance"]["osUpdateAvailable"].text.isEmpty ? "" : "yes" },
                ]
            )
        }
    }

    /// `day2ctl get host <id|name>`.
    struct Get: CLICommand {
        static let configuration = CommandConfiguration(
            commandName: "host",
            abstract: "Show a host with its instance, OS, policy and update status.",
            aliases: ["hosts", "hs"]
        )

        @Argument(help: "Host ID (host-…) or name.")
        var host: String

        @OptionGroup var connection: ConnectionOptions
        @OptionGroup var output: OutputOptions

        func run(in context: CLIContext) async throws(CLIError) {
            let presenter = try Presenter(context, output)
            let host = host
            let item = try await connection.withClient(context) { client throws(CLIError) in
                try await client.get(path + "/" + APIClient.escape(try await resolve(host, client)))
            }
            let instance = item["instance"]
            presenter.detail(
                item,
                [
                    ("Resource ID", item["resourceId"].text), ("Name", item["name"].text),
                    ("UUID", item["uuid"].text), ("Serial number", item["serialNumber"].text),
                    ("Site", Views.named(item["site"], fallback: item["siteId"].text)),
                    ("Host status", Views.status(item, "hostStatus")),
                    ("Instance", instance["resourceId"].text),
                    ("OS", Views.named(instance["os"])),
                    ("OS version", instance["os"]["imageId"].text),
                    ("OS update policy", Views.named(instance["updatePolicy"])),
                    ("Desired OS", Views.named(instance["desiredOs"])),
                    ("Update status", Views.status(instance, "updateStatus")),
                    ("Update status at", presenter.time(instance["updateStatusTimestamp"].int)),
                    ("OS update available", instance["osUpdateAvailable"].text),
                    ("Metadata", Views.metadata(item["metadata"])),
                    ("Created", presenter.timestamp(item["timestamps"]["createdAt"])),
                    ("Updated", presenter.timestamp(item["timestamps"]["updatedAt"])),
                ]
            )
        }
    }

    /// `day2ctl create host --name … --uuid … --site …`: registers a node.
    struct Create: CLICommand {
        static let configuration = CommandConfiguration(
            commandName: "host",
            abstract: "Register a host (a node Day2 did not provision) by name, SMBIOS UUID and site.",
            aliases: ["hosts", "hs"]
        )

        @Option(help: "The host's name (letters, digits, space and -_./:, at most 50 bytes).")
        var name: String

        @Option(help: "The node's SMBIOS UUID, which its agent identifies itself by.")
        var uuid: String?

        @Option(help: ArgumentHelp("Site ID or name.", valueName: "site"))
        var site: String?

        @Option(name: .customLong("serial-number"), help: "The node's serial number.")
        var serialNumber: String?

        @Option(help: ArgumentHelp("Metadata key=value (repeatable).", valueName: "key=value"))
        var metadata: [String] = []

        @OptionGroup var connection: ConnectionOptions
        @OptionGroup var output: OutputOptions

        func run(in context: CLIContext) async throws(CLIError) {
            let presenter = try Presenter(context, output)
            let items = try Views.metadataBody(metadata)
            let (name, uuid, site, serialNumber) = (name, uuid, site, serialNumber)
            let host = try await connection.withClient(context) { client throws(CLIError) in
                var body: [(String, JSONValue)] = [("name", .string(name))]
                if let uuid { body.append(("uuid", .string(uuid))) }
                if let serialNumber { body.append(("serialNumber", .string(serialNumber))) }
                if let site { body.append(("siteId", .string(try await SiteCommands.resolve(site, client)))) }
                if !items.isEmpty { body.append(("metadata", .array(items))) }
                return try await client.post(path, .object(body))
            }
            presenter.created(host, kind: "host")
        }
    }

    /// `day2ctl delete host <id|name>…`.
    struct Delete: CLICommand {
        static let configuration = CommandConfiguration(
            commandName: "host",
            abstract: "Delete hosts (refused while an instance is on them).",
            aliases: ["hosts", "hs"]
        )

        @Argument(help: "Host IDs or names.")
        var hosts: [String]

        @OptionGroup var connection: ConnectionOptions

        func run(in context: CLIContext) async throws(CLIError) {
            let hosts = hosts
            try await connection.withClient(context) { client throws(CLIError) in
                try await deleteEach(
                    hosts,
                    noun: "host",
                    client: client,
                    context: context,
                    resolve: { text throws(CLIError) in try await resolve(text, client) },
                    path: { path + "/" + APIClient.escape($0) }
                )
            }
        }
    }

    /// `day2ctl set host <id|name> --osupdatepolicy …`: changes the host's instance (upstream's shape).
    struct Change: CLICommand {
        static let configuration = CommandConfiguration(
            commandName: "host",
            abstract: "Link an OS update policy to a host's instance, unlink it, or set its desired OS.",
            discussion: "The same as day2ctl set instance on the host's instance.",
            aliases: ["hosts", "hs"]
        )

        @Argument(help: "Host ID (host-…) or name.")
        var host: String

        @OptionGroup var change: InstanceChange
        @OptionGroup var connection: ConnectionOptions
        @OptionGroup var output: OutputOptions

        func validate() throws { try change.check() }

        func run(in context: CLIContext) async throws(CLIError) {
            let presenter = try Presenter(context, output)
            let (host, change) = (host, change)
            let instance = try await connection.withClient(context) { client throws(CLIError) in
                let (instanceId, _) = try await Resolver.instance(ofHost: host, client: client)
                return try await change.apply(to: instanceId, client: client)
            }
            InstanceCommands.printChanged(instance, presenter: presenter)
        }
    }
}
