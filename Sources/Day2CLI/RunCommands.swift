import ArgumentParser
import Day2Model

/// OS update runs, the history the Maintenance Manager writes: `/v1/projects/{project}/os-update-runs`.
enum RunCommands {
    static let path = "os-update-runs"
    static let aliases = ["osupdateruns", "our", "ours", "run", "runs"]

    static func resolve(_ text: String, _ client: APIClient) async throws(CLIError) -> String {
        try await Resolver.id(
            text,
            kind: .osUpdateRun,
            noun: "osupdaterun",
            listPath: path,
            listKey: "osUpdateRuns",
            client: client
        )
    }

    /// `in progress` when the run has not ended, else its end time.
    static func end(_ run: JSONValue, presenter: Presenter) -> String {
        Views.runInProgress(run) ? "in progress" : presenter.time(run["endTime"].int)
    }

    /// `day2ctl list osupdateruns [--host …|--instance …]`.
    struct List: CLICommand {
        static let configuration = CommandConfiguration(
            commandName: "osupdaterun",
            abstract: "List OS update runs with status, start, end, duration and policy (newest first).",
            aliases: aliases
        )

        @Option(help: ArgumentHelp("Only the runs of this host's instance (ID or name).", valueName: "host"))
        var host: String?

        @Option(help: ArgumentHelp("Only the runs of this instance (ID or name).", valueName: "instance"))
        var instance: String?

        @OptionGroup var connection: ConnectionOptions
        @OptionGroup var list: ListOptions
        @OptionGroup var output: OutputOptions

        func validate() throws {
            if host != nil && instance != nil {
                throw ArgumentParser.ValidationError("give --host or --instance, not both")
            }
        }

        func run(in context: CLIContext) async throws(CLIError) {
            let presenter = try Presenter(context, output)
            let (list, host, instance) = (list, host, instance)
            let (response, items) = try await connection.withClient(context) { client throws(CLIError) in
                var instanceId: String?
                if let host { instanceId = try await Resolver.instance(ofHost: host, client: client).instanceId }
                if let instance { instanceId = try await InstanceCommands.resolve(instance, client) }
                return try await Listing.fetch(
                    client,
                    path: path,
                    key: "osUpdateRuns",
                    options: list,
                    extraFilter: instanceId.map { "instance.resourceId=\"\($0)\"" },
                    defaultOrder: "startTime desc",
                    context: context
                )
            }
            let now = context.nowSeconds
            presenter.list(
                response,
                items: items,
                columns: [
                    .field("RESOURCE ID", "resourceId"), .field("NAME", "name"),
                    Column("INSTANCE") { $0["instance"]["resourceId"].text },
                    Column("STATUS") { Views.status($0, "status") },
                    Column("POLICY") { $0["appliedPolicy"]["name"].text },
                    Column("START") { presenter.time($0["startTime"].int) },
                    Column("END") { end($0, presenter: presenter) },
                    Column("DURATION") { Views.runDuration($0, now: now) },
                ]
            )
        }
    }

    /// `day2ctl get osupdaterun <id|name>`.
    struct Get: CLICommand {
        static let configuration = CommandConfiguration(
            commandName: "osupdaterun",
            abstract: "Show an OS update run with its status details.",
            aliases: aliases
        )

        @Argument(help: "Run ID (osupdaterun-…) or name.")
        var runID: String

        @OptionGroup var connection: ConnectionOptions
        @OptionGroup var output: OutputOptions

        func run(in context: CLIContext) async throws(CLIError) {
            let presenter = try Presenter(context, output)
            let runID = runID
            let item = try await connection.withClient(context) { client throws(CLIError) in
                try await client.get(path + "/" + APIClient.escape(try await resolve(runID, client)))
            }
            presenter.detail(
                item,
                [
                    ("Resource ID", item["resourceId"].text), ("Name", item["name"].text),
                    ("Description", item["description"].text),
                    ("Instance", Views.named(item["instance"])),
                    ("Status", Views.status(item, "status")),
                    ("Indicator", Views.enumWord(item["statusIndicator"], prefix: "STATUS_INDICATION_")),
                    ("Status details", item["statusDetails"].text),
                    ("Applied policy", Views.named(item["appliedPolicy"])),
                    ("Start", presenter.time(item["startTime"].int)), ("End", end(item, presenter: presenter)),
                    ("Duration", Views.runDuration(item, now: context.nowSeconds)),
                    ("Status at", presenter.time(item["statusTimestamp"].int)),
                ]
            )
        }
    }

    /// `day2ctl delete osupdaterun <id|name>…`.
    struct Delete: CLICommand {
        static let configuration = CommandConfiguration(
            commandName: "osupdaterun",
            abstract: "Delete OS update runs.",
            aliases: aliases
        )

        @Argument(help: "Run IDs or names.")
        var runs: [String]

        @OptionGroup var connection: ConnectionOptions

        func run(in context: CLIContext) async throws(CLIError) {
            let runs = runs
            try await connection.withClient(context) { client throws(CLIError) in
                try await deleteEach(
                    runs,
                    noun: "osupdaterun",
                    client: client,
                    context: context,
                    resolve: { text throws(CLIError) in try await resolve(text, client) },
                    path: { path + "/" + APIClient.escape($0) }
                )
            }
        }
    }
}
