import ArgumentParser
import Day2Model

/// Sites: created under their region (`/regions/{regionId}/sites`), listed and read through `/sites`.
enum SiteCommands {
    static let path = "sites"

    static func resolve(_ text: String, _ client: APIClient) async throws(CLIError) -> String {
        try await Resolver.id(text, kind: .site, noun: "site", listPath: path, listKey: "sites", client: client)
    }

    /// `day2ctl list sites [--region …]`.
    struct List: CLICommand {
        static let configuration = CommandConfiguration(
            commandName: "site",
            abstract: "List sites.",
            aliases: ["sites"]
        )

        @Option(help: ArgumentHelp("Only the sites of this region (ID or name).", valueName: "region"))
        var region: String?

        @OptionGroup var connection: ConnectionOptions
        @OptionGroup var list: ListOptions
        @OptionGroup var output: OutputOptions

        func run(in context: CLIContext) async throws(CLIError) {
            let presenter = try Presenter(context, output)
            let (list, region) = (list, region)
            let (response, items) = try await connection.withClient(context) { client throws(CLIError) in
                var path = path
                if let region {
                    path = "regions/" + APIClient.escape(try await RegionCommands.resolve(region, client)) + "/sites"
                }
                return try await Listing.fetch(client, path: path, key: "sites", options: list, context: context)
            }
            presenter.list(
                response,
                items: items,
                columns: [
                    .field("RESOURCE ID", "resourceId"), .field("NAME", "name"),
                    Column("REGION") { Views.named($0["region"], fallback: $0["regionId"].text) },
                ]
            )
        }
    }

    /// `day2ctl get site <id|name>`.
    struct Get: CLICommand {
        static let configuration = CommandConfiguration(
            commandName: "site",
            abstract: "Show a site.",
            aliases: ["sites"]
        )

        @Argument(help: "Site ID (site-…) or name.")
        var site: String

        @OptionGroup var connection: ConnectionOptions
        @OptionGroup var output: OutputOptions

        func run(in context: CLIContext) async throws(CLIError) {
            let presenter = try Presenter(context, output)
            let site = site
            let item = try await connection.withClient(context) { client throws(CLIError) in
                try await client.get(path + "/" + APIClient.escape(try await resolve(site, client)))
            }
            presenter.detail(
                item,
                [
                    ("Resource ID", item["resourceId"].text), ("Name", item["name"].text),
                    ("Region", Views.named(item["region"], fallback: item["regionId"].text)),
                    ("Latitude (E7)", item["siteLat"].text), ("Longitude (E7)", item["siteLng"].text),
                    ("Metadata", Views.metadata(item["metadata"])),
                    ("Inherited metadata", Views.metadata(item["inheritedMetadata"])),
                    ("Created", presenter.timestamp(item["timestamps"]["createdAt"])),
                    ("Updated", presenter.timestamp(item["timestamps"]["updatedAt"])),
                ]
            )
        }
    }

    /// `day2ctl create site --name … --region …`.
    struct Create: CLICommand {
        static let configuration = CommandConfiguration(
            commandName: "site",
            abstract: "Create a site in a region.",
            aliases: ["sites"]
        )

        @Option(help: "The site's name (letters, digits, space and -_./:, at most 50 bytes).")
        var name: String

        @Option(help: ArgumentHelp("Region ID or name (omit for a site outside any region).", valueName: "region"))
        var region: String?

        @Option(help: ArgumentHelp("Latitude in degrees × 10^7 (-900000000…900000000).", valueName: "e7"))
        var lat: Int?

        @Option(help: ArgumentHelp("Longitude in degrees × 10^7 (-1800000000…1800000000).", valueName: "e7"))
        var lng: Int?

        @Option(help: ArgumentHelp("Metadata key=value (repeatable).", valueName: "key=value"))
        var metadata: [String] = []

        @OptionGroup var connection: ConnectionOptions
        @OptionGroup var output: OutputOptions

        func run(in context: CLIContext) async throws(CLIError) {
            let presenter = try Presenter(context, output)
            let items = try Views.metadataBody(metadata)
            let (name, region, lat, lng) = (name, region, lat, lng)
            let site = try await connection.withClient(context) { client throws(CLIError) in
                var body: [(String, JSONValue)] = [("name", .string(name))]
                if let lat { body.append(("siteLat", .int(Int64(lat)))) }
                if let lng { body.append(("siteLng", .int(Int64(lng)))) }
                if !items.isEmpty { body.append(("metadata", .array(items))) }
                guard let region else { return try await client.post(path, .object(body)) }
                let regionId = try await RegionCommands.resolve(region, client)
                return try await client.post("regions/" + APIClient.escape(regionId) + "/sites", .object(body))
            }
            presenter.created(site, kind: "site")
        }
    }

    /// `day2ctl delete site <id|name>…`.
    struct Delete: CLICommand {
        static let configuration = CommandConfiguration(
            commandName: "site",
            abstract: "Delete sites (refused while hosts are in them).",
            aliases: ["sites"]
        )

        @Argument(help: "Site IDs or names.")
        var sites: [String]

        @OptionGroup var connection: ConnectionOptions

        func run(in context: CLIContext) async throws(CLIError) {
            let sites = sites
            try await connection.withClient(context) { client throws(CLIError) in
                try await deleteEach(
                    sites,
                    noun: "site",
                    client: client,
                    context: context,
                    resolve: { text throws(CLIError) in try await resolve(text, client) },
                    path: { path + "/" + APIClient.escape($0) }
                )
            }
        }
    }
}
