import ArgumentParser
import Day2Model
import Foundation

/// `day2ctl rollouts …`: staged OS updates of a set of hosts in waves, `/v1/projects/{project}/rollouts` (see
/// docs/rollouts.md).
struct RolloutCommands: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rollouts",
        abstract: "Update a set of hosts in waves: a canary first, then larger waves, paused when hosts fail.",
        discussion: """
            A rollout gives every host of a region, a site, a list or a host filter an OS update policy, wave by \
            wave: a wave opens once the one before has reached --success-threshold, and the rollout pauses when a \
            wave has more failures than --failure-threshold allows. Preview the plan first (create --preview, or \
            preview ID), then follow it with watch.

            Example (a canary of 2 hosts, then a quarter, then the rest):
              day2ctl rollouts create emt-0602 --policy emt-to-0602 --region eu-west \\
                  --wave 2 --wave 25% --wave rest --soak 30m --preview
              day2ctl rollouts watch emt-0602
            """,
        subcommands: [
            Create.self, List.self, Get.self, Hosts.self, Watch.self, Pause.self, Resume.self, Cancel.self,
            Preview.self, Delete.self,
        ],
        aliases: ["rollout"]
    )

    static let path = "rollouts"

    /// The ID of rollout `text` (its ID, or the name of exactly one rollout).
    static func resolve(_ text: String, _ client: APIClient) async throws(CLIError) -> String {
        do {
            return try await Resolver.id(
                text,
                kind: .rollout,
                noun: "rollout",
                listPath: path,
                listKey: "rollouts",
                client: client
            )
        } catch {
            var error = error
            if error.message.hasPrefix("no rollout has") {
                error.hint = "IDs look like rollout-1a2b3c4d; day2ctl rollouts list shows them"
            }
            throw error
        }
    }

    /// `rollouts/<id>` with the ID escaped, and `tail` after it.
    static func itemPath(_ id: String, _ tail: String = "") -> String {
        path + "/" + APIClient.escape(id) + (tail.isEmpty ? "" : "/" + tail)
    }

    /// The `--first` option of the previews: how many hosts of the plan to list.
    struct PlanHosts: ParsableArguments {
        @Option(
            name: .customLong("first"),
            help: ArgumentHelp("How many hosts of the plan to list, 0-1000 (-o json shows them too).", valueName: "n")
        )
        var first = 10

        func check() throws {
            guard (0...1000).contains(first) else { throw ArgumentParser.ValidationError("--first must be 0...1000") }
        }

        /// The query of a preview request: hosts paged to `--first` (at least one, the API's minimum).
        var query: [(String, String)] { [("pageSize", String(max(1, first)))] }
    }

    /// Prints a preview: its JSON (json, yaml), the plan's host IDs (`-q`), or the plan as tables.
    static func show(
        preview: JSONValue,
        presenter: Presenter,
        first: Int,
        command: String,
        context: CLIContext
    ) {
        if presenter.options.quiet {
            for host in preview["hosts"].array.prefix(first) { context.output.line(host["hostId"].text) }
            return
        }
        switch presenter.options.output {
        case .json: context.output.line(preview.pretty)
        case .yaml: context.output.line(preview.yaml)
        case .table:
            var shown = preview
            if first == 0 { shown = shown.setting("hosts", .array([])) }
            context.output.line(RolloutViews.preview(shown, zone: presenter.zone, command: command))
        }
    }

    // MARK: list, get

    /// `day2ctl rollouts list`.
    struct List: CLICommand {
        static let configuration = CommandConfiguration(
            abstract: "List rollouts with their state, current wave and host counts.",
            aliases: ["ls"]
        )

        @OptionGroup var connection: ConnectionOptions
        @OptionGroup var list: ListOptions
        @OptionGroup var output: OutputOptions

        func run(in context: CLIContext) async throws(CLIError) {
            let presenter = try Presenter(context, output)
            let list = list
            let (response, items) = try await connection.withClient(context) { client throws(CLIError) in
                try await Listing.fetch(client, path: path, key: "rollouts", options: list, context: context)
            }
            presenter.list(response, items: items, columns: RolloutViews.columns(zone: presenter.zone))
        }
    }

    /// `day2ctl rollouts get <id|name>`.
    struct Get: CLICommand {
        static let configuration = CommandConfiguration(
            abstract: "Show a rollout: settings, state and reason, and each wave's counts."
        )

        @Argument(help: "Rollout ID (rollout-…) or name.")
        var rollout: String

        @OptionGroup var connection: ConnectionOptions
        @OptionGroup var output: OutputOptions

        func run(in context: CLIContext) async throws(CLIError) {
            let presenter = try Presenter(context, output)
            let rollout = rollout
            let item = try await connection.withClient(context) { client throws(CLIError) in
                try await client.get(itemPath(try await resolve(rollout, client)))
            }
            presenter.detail(item, RolloutViews.details(item, zone: presenter.zone))
        }
    }

    // MARK: hosts

    /// A host state for `hosts --state`.
    enum HostState: String, CaseIterable, ExpressibleByArgument {
        case pending, updating, updated, failed, skipped

        init?(argument: String) {
            let lowered = argument.lowercased()
            let word = lowered.hasPrefix("rollout_host_state_") ? String(lowered.dropFirst(19)) : lowered
            self.init(rawValue: word)
        }

        /// The API's name, `ROLLOUT_HOST_STATE_…`.
        var apiName: String {
            switch self {
            case .pending: RolloutHostState.pending.rawValue
            case .updating: RolloutHostState.updating.rawValue
            case .updated: RolloutHostState.updated.rawValue
            case .failed: RolloutHostState.failed.rawValue
            case .skipped: RolloutHostState.skipped.rawValue
            }
        }
    }

    /// `day2ctl rollouts hosts <id|name> [--state S] [--wave N]`.
    struct Hosts: CLICommand {
        static let configuration = CommandConfiguration(
            abstract: "List a rollout's hosts in rollout order: wave, state, reason, update run."
        )

        @Argument(help: "Rollout ID (rollout-…) or name.")
        var rollout: String

        @Option(help: "Only hosts in this state: pending, updating, updated, failed or skipped.")
        var state: HostState?

        @Option(help: ArgumentHelp("Only hosts of this wave (1 is the first).", valueName: "n"))
        var wave: Int?

        @Option(name: .customLong("page-size"), help: "Hosts per page, 1-1000 (default: the server's).")
        var pageSize: Int?

        @Option(help: "Hosts to skip before the first one shown.")
        var offset: Int?

        @Flag(help: "Fetch every page (in pages of --page-size, default 1000).")
        var all = false

        @OptionGroup var connection: ConnectionOptions
        @OptionGroup var output: OutputOptions

        func validate() throws {
            if let wave, wave < 1 { throw ArgumentParser.ValidationError("--wave must be 1 or more (1 is the first)") }
            if let pageSize, !(1...1000).contains(pageSize) {
                throw ArgumentParser.ValidationError("--page-size must be 1...1000")
            }
            if let offset, offset < 0 { throw ArgumentParser.ValidationError("--offset must be 0 or more") }
        }

        /// The filter part of the query.
        var filterQuery: [(String, String)] {
            var query: [(String, String)] = []
            if let state { query.append(("state", state.apiName)) }
            if let wave { query.append(("wave", String(wave))) }
            return query
        }

        func run(in context: CLIContext) async throws(CLIError) {
            let presenter = try Presenter(context, output)
            let (rollout, query, pageSize, offset, all) = (rollout, filterQuery, pageSize, offset, all)
            let (response, items) = try await connection.withClient(context) { client throws(CLIError) in
                let path = itemPath(try await resolve(rollout, client), "hosts")
                guard all else {
                    var paged = query
                    if let pageSize { paged.append(("pageSize", String(pageSize))) }
                    if let offset { paged.append(("offset", String(offset))) }
                    let response = try await client.get(path, query: paged)
                    let items = response["hosts"].array
                    if response["hasNext"] == .bool(true) {
                        let next = (offset ?? 0) + items.count
                        context.errors.line(
                            "showing \(items.count) of \(response["totalElements"].text); use --all, or --offset "
                                + "\(next) for the next page"
                        )
                    }
                    return (response, items)
                }
                var items: [JSONValue] = []
                var next = offset ?? 0
                var total = JSONValue.int(0)
                while true {
                    let page = try await client.get(
                        path,
                        query: query + [("pageSize", String(pageSize ?? 1000)), ("offset", String(next))]
                    )
                    let pageItems = page["hosts"].array
                    items += pageItems
                    total = page["totalElements"]
                    next += pageItems.count
                    guard page["hasNext"] == .bool(true), !pageItems.isEmpty else { break }
                }
                return (
                    JSONValue.object([("hosts", .array(items)), ("totalElements", total), ("hasNext", .bool(false))]),
                    items
                )
            }
            presenter.list(
                response,
                items: items,
                columns: RolloutViews.hostColumns(zone: presenter.zone),
                id: "hostId"
            )
        }
    }

    // MARK: pause, resume, cancel

    /// Posts `action` (`pause`, `resume`, `cancel`) for `rollout` and prints the answer: the rollout's JSON, its
    /// ID (`-q`), or `<done> rollout <id> (<name>); state: <state>`.
    static func act(
        _ action: String,
        done: String,
        rollout: String,
        connection: ConnectionOptions,
        output: OutputOptions,
        context: CLIContext
    ) async throws(CLIError) {
        _ = try output.zone(context)
        let item = try await connection.withClient(context) { client throws(CLIError) in
            try await client.post(itemPath(try await resolve(rollout, client), action), .object([]))
        }
        if output.quiet {
            context.output.line(item["resourceId"].text)
            return
        }
        switch output.output {
        case .json: context.output.line(item.pretty)
        case .yaml: context.output.line(item.yaml)
        case .table:
            let name = item["name"].text
            var line = "\(done) rollout \(item["resourceId"].text)" + (name.isEmpty ? "" : " (\(name))")
            line += "; state: " + RolloutViews.state(item["state"])
            context.output.line(line)
            let reason = item["stateReason"].text
            if !reason.isEmpty { context.output.line("reason: " + reason) }
        }
    }

    /// Pause, resume and cancel: one action on one rollout, answered with the rollout.
    protocol RolloutActionCommand: CLICommand {
        /// The path's last segment and the word for the result.
        static var action: (verb: String, done: String) { get }
        var rollout: String { get }
        var connection: ConnectionOptions { get }
        var output: OutputOptions { get }
    }

    /// `day2ctl rollouts pause <id|name>`.
    struct Pause: RolloutActionCommand {
        static let configuration = CommandConfiguration(
            abstract: "Pause a rollout: no further host starts its update (updates under way finish)."
        )

        @Argument(help: "Rollout ID (rollout-…) or name.")
        var rollout: String

        @OptionGroup var connection: ConnectionOptions
        @OptionGroup var output: OutputOptions

        static let action = (verb: "pause", done: "paused")
    }

    /// `day2ctl rollouts resume <id|name>`.
    struct Resume: RolloutActionCommand {
        static let configuration = CommandConfiguration(
            abstract: "Resume a paused rollout; the failures seen so far are accepted and pause it no more."
        )

        @Argument(help: "Rollout ID (rollout-…) or name.")
        var rollout: String

        @OptionGroup var connection: ConnectionOptions
        @OptionGroup var output: OutputOptions

        static let action = (verb: "resume", done: "resumed")
    }

    /// `day2ctl rollouts cancel <id|name>`.
    struct Cancel: RolloutActionCommand {
        static let configuration = CommandConfiguration(
            abstract: "Cancel a rollout: hosts not yet started are skipped (updates under way finish)."
        )

        @Argument(help: "Rollout ID (rollout-…) or name.")
        var rollout: String

        @OptionGroup var connection: ConnectionOptions
        @OptionGroup var output: OutputOptions

        static let action = (verb: "cancel", done: "cancelled")
    }

    // MARK: preview, delete

    /// `day2ctl rollouts preview <id|name>`.
    struct Preview: CLICommand {
        static let configuration = CommandConfiguration(
            abstract: "Show an existing rollout's plan: waves, skipped hosts by reason, each host's earliest start."
        )

        @Argument(help: "Rollout ID (rollout-…) or name.")
        var rollout: String

        @OptionGroup var plan: PlanHosts
        @OptionGroup var connection: ConnectionOptions
        @OptionGroup var output: OutputOptions

        func validate() throws { try plan.check() }

        func run(in context: CLIContext) async throws(CLIError) {
            let presenter = try Presenter(context, output)
            let (rollout, query) = (rollout, plan.query)
            let (id, preview) = try await connection.withClient(context) { client throws(CLIError) in
                let id = try await resolve(rollout, client)
                return (id, try await client.get(itemPath(id, "preview"), query: query))
            }
            show(
                preview: preview,
                presenter: presenter,
                first: plan.first,
                command: "day2ctl rollouts preview \(id)",
                context: context
            )
        }
    }

    /// `day2ctl rollouts delete <id|name>…`.
    struct Delete: CLICommand {
        static let configuration = CommandConfiguration(
            abstract: "Delete finished rollouts (refused while one is scheduled, running or paused: cancel it first)."
        )

        @Argument(help: "Rollout IDs or names.")
        var rollouts: [String]

        @OptionGroup var connection: ConnectionOptions

        func run(in context: CLIContext) async throws(CLIError) {
            let rollouts = rollouts
            try await connection.withClient(context) { client throws(CLIError) in
                try await deleteEach(
                    rollouts,
                    noun: "rollout",
                    client: client,
                    context: context,
                    resolve: { text throws(CLIError) in try await resolve(text, client) },
                    path: { itemPath($0) }
                )
            }
        }
    }
}

extension RolloutCommands.RolloutActionCommand {
    func run(in context: CLIContext) async throws(CLIError) {
        try await RolloutCommands.act(
            Self.action.verb,
            done: Self.action.done,
            rollout: rollout,
            connection: connection,
            output: output,
            context: context
        )
    }
}
