import ArgumentParser
import Day2Model

/// Regions: `/v1/projects/{project}/regions`.
enum RegionCommands {
    static let path = "regions"

    static func resolve(_ text: String, _ client: APIClient) async throws(CLIError) -> String {
        try await Resolver.id(text, kind: .region, noun: "region", listPath: path, listKey: "regions", client: client)
    }

    /// `day2ctl list regions`.
    struct List: CLICommand {
        static let configuration = CommandConfiguration(
            commandName: "region",
            abstract: "List regions with their parent and number of sites.",
            aliases: ["regions"]
        )

        @OptionGroup var connection: ConnectionOptions
        @OptionGroup var list: ListOptions
        @OptionGroup var output: OutputOptions

        func run(in context: CLIContext) async throws(CLIError) {
            let presenter = try Presenter(context, output)
            let list = list
            let (response, items) = try await connection.withClient(context) { client throws(CLIError) in
                try await Listing.fetch(
                    client,
                    path: path,
                    key: "regions",
                    options: list,
                    extraQuery: [("showTotalSites", "true")],
                    context: context
                )
            }
            presenter.list(
                response,
                items: items,
                columns: [
                    .field("RESOURCE ID", "resourceId"), .field("NAME", "name"), .field("PARENT", "parentId"),
                    .field("SITES", "totalSites"),
                ]
            )
        }
    }

    /// `day2ctl get region <id|name>`.
    struct Get: CLICommand {
        static let configuration = CommandConfiguration(
            commandName: "region",
            abstract: "Show a region.",
            aliases: ["regions"]
        )

        @Argument(help: "Region ID (region-…) or name.")
        var region: String

        @OptionGroup var connection: ConnectionOptions
        @OptionGroup var output: OutputOptions

        func run(in context: CLIContext) async throws(CLIError) {
            let presenter = try Presenter(context, output)
            let region = region
            let item = try await connection.withClient(context) { client throws(CLIError) in
                try await client.get(path + "/" + APIClient.escape(try await resolve(region, client)))
            }
            presenter.detail(
                item,
                [
                    ("Resource ID", item["resourceId"].text), ("Name", item["name"].text),
                    ("Parent region", Views.named(item["parentRegion"], fallback: item["parentId"].text)),
                    ("Metadata", Views.metadata(item["metadata"])),
                    ("Inherited metadata", Views.metadata(item["inheritedMetadata"])),
                    ("Created", presenter.timestamp(item["timestamps"]["createdAt"])),
                    ("Updated", presenter.timestamp(item["timestamps"]["updatedAt"])),
                ]
            )
        }
    }

    /// `day2ctl create region --name …`.
    struct Create: CLICommand {
        static let configuration = CommandConfiguration(
            commandName: "region",
            abstract: "Create a region.",
            aliases: ["regions"]
        )

        @Option(help: "The region's name (letters, digits, space and -_./:, at most 50 bytes).")
        var name: String

        @Option(help: ArgumentHelp("Parent region ID or name.", valueName: "region"))
        var parent: String?

        @Option(help: ArgumentHelp("Metadata key=value (repeatable).", valueName: "key=value"))
        var metadata: [String] = []

        @OptionGroup var connection: ConnectionOptions
        @OptionGroup var output: OutputOptions

        func run(in context: CLIContext) async throws(CLIError) {
            let presenter = try Presenter(context, output)
            let items = try Views.metadataBody(metadata)
            let (name, parent) = (name, parent)
            let region = try await connection.withClient(context) { client throws(CLIError) in
                var body: [(String, JSONValue)] = [("name", .string(name))]
                if let parent { body.append(("parentId", .string(try await resolve(parent, client)))) }
                if !items.isEmpty { body.append(("metadata", .array(items))) }
                return try await client.post(path, .object(body))
            }
            presenter.created(region, kind: "region")
        }
    }

    /// `day2ctl delete region <id|name>…`.
    struct Delete: CLICommand {
        static let configuration = CommandConfiguration(
            commandName: "region",
            abstract: "Delete regions (refused while they have sites or child regions).",
            aliases: ["regions"]
        )

        @Argument(help: "Region IDs or names.")
        var regions: [String]

        @OptionGroup var connection: ConnectionOptions

        func run(in context: CLIContext) async throws(CLIError) {
            let regions = regions
            try await connection.withClient(context) { client throws(CLIError) in
                try await deleteEach(
                    regions,
                    noun: "region",
                    client: client,
                    context: context,
                    resolve: { text throws(CLIError) in try await resolve(text, client) },
                    path: { path + "/" + APIClient.escape($0) }
                )
            }
        }
    }
}
