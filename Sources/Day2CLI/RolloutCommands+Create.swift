import ArgumentParser
import Day2Model
import Foundation

extension CLIError.Code {
    /// The operator answered no to a question (`Create this rollout?`): nothing was done (exit code 1).
    static let declined = CLIError.Code(name: "declined")
}

extension RolloutCommands {
    /// `day2ctl rollouts create <name> --policy P (--region R | --site S | --hosts H | --filter F) [--wave …]…`.
    struct Create: CLICommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a rollout (with --preview: show the plan and ask first).",
            discussion: """
                The target set is fixed now: exactly one of --region (with its sub-regions), --site, --hosts or \
                --filter (the filter of day2ctl list hosts). Waves are given in order with --wave: N hosts, P% of \
                the set, or rest (the last wave: whatever is left); without --wave every host is in one wave.

                --preview asks the server for the plan (the hosts of each wave, the skipped ones and why, each \
                host's OS offer and earliest start in its maintenance windows), prints it and asks "Create this \
                rollout? [y/N]"; --yes answers yes. Without a terminal to ask on, --preview without --yes creates \
                nothing (exit code 64).

                Example:
                  day2ctl rollouts create emt-0602 --policy emt-to-0602 --site berlin \\
                      --wave 1 --wave 25% --wave rest --soak 15m --preview
                """
        )

        @Argument(help: "The rollout's name (letters, digits, space and -_./:, at most 50 bytes).")
        var name: String

        @Option(help: ArgumentHelp("OS update policy every host gets (ID or name).", valueName: "policy"))
        var policy: String

        @Option(
            help: ArgumentHelp(
                "Target every host of this region and its sub-regions (ID or name).",
                valueName: "region"
            )
        )
        var region: String?

        @Option(help: ArgumentHelp("Target every host of this site (ID or name).", valueName: "site"))
        var site: String?

        @Option(
            name: .customLong("hosts"),
            help: ArgumentHelp(
                "Target these hosts: IDs or names separated by commas (repeatable).",
                valueName: "list"
            )
        )
        var hosts: [String] = []

        @Option(
            help: ArgumentHelp(
                "Target the hosts this host-list filter matches, e.g. 'siteId=\"site-1a2b3c4d\"'.",
                valueName: "expression"
            )
        )
        var filter: String?

        @Option(
            name: .customLong("wave"),
            help: ArgumentHelp(
                "One wave, in order: N hosts, P% of the target set, or rest (last wave only); repeatable, e.g. "
                    + "--wave 5 --wave 25% --wave rest (default: one wave of every host).",
                valueName: "size"
            )
        )
        var waves: [String] = []

        @Option(
            name: .customLong("success-threshold"),
            help: ArgumentHelp(
                "Percent of a wave that must be updated (or skipped) before the next wave opens (default 100).",
                valueName: "percent"
            )
        )
        var successThreshold: String?

        @Option(
            name: .customLong("failure-threshold"),
            help: ArgumentHelp(
                "Percent of a wave failed above which the rollout pauses (default 0: the first failure pauses).",
                valueName: "percent"
            )
        )
        var failureThreshold: String?

        @Option(
            help: ArgumentHelp(
                "Wait after a wave succeeds before the next one opens: 90, 30s, 10m, 2h (default 0).",
                valueName: "duration"
            )
        )
        var soak: String?

        @Option(
            name: .customLong("commit-deadline"),
            help: ArgumentHelp(
                "A host whose update started and that has not reported updated within this counts as failed "
                    + "(default 2h; 1m to 30d).",
                valueName: "duration"
            )
        )
        var commitDeadline: String?

        @Option(
            help: ArgumentHelp(
                "Earliest start: now, now+1h, 2026-07-01T02:00:00+02:00, or \"2026-07-01 02:00\" (a wall time in "
                    + "--timezone); default now.",
                valueName: "time"
            )
        )
        var start: String?

        @Flag(
            name: .customLong("ignore-windows"),
            help: "Do not wait for the hosts' maintenance windows: each wave gets a window of --window when it opens."
        )
        var ignoreWindows = false

        @Option(
            help: ArgumentHelp(
                "With --ignore-windows: how long each wave's window stays open (default 1h; 1m to 24h).",
                valueName: "duration"
            )
        )
        var window: String?

        @Flag(help: "Show the plan first and ask before creating.")
        var preview = false

        @Flag(
            name: [.customShort("y"), .long],
            help: "Create without asking (with --preview, after showing the plan)."
        )
        var yes = false

        @OptionGroup var plan: PlanHosts
        @OptionGroup var connection: ConnectionOptions
        @OptionGroup var output: OutputOptions

        func validate() throws {
            let targets = [region != nil, site != nil, !hosts.isEmpty, filter != nil].filter { $0 }.count
            if targets != 1 {
                throw ArgumentParser.ValidationError(
                    targets == 0
                        ? "give the hosts to update: --region, --site, --hosts or --filter"
                        : "give only one of --region, --site, --hosts and --filter"
                )
            }
            try plan.check()
        }

        /// The request the flags describe, before names are resolved: `policyId` and the target still hold what
        /// was typed (IDs or names). Every flag error is found here, before anything is sent.
        func request(now: Int64, zone: TimeZone) throws(CLIError) -> RolloutRequest {
            let target: RolloutTarget
            if let region {
                target = .region(region)
            } else if let site {
                target = .site(site)
            } else if let filter {
                guard !filter.trimmingCharacters(in: .whitespaces).isEmpty else {
                    throw CLIError.option("--filter", "the filter is empty")
                }
                target = .filter(filter)
            } else {
                let list = RolloutRequest.hostList(hosts)
                guard !list.isEmpty else { throw CLIError.option("--hosts", "names no host") }
                target = .hosts(list)
            }
            var request = RolloutRequest(name: name, policyId: policy, target: target)
            request.waves = try RolloutRequest.waves(waves)
            request.successThreshold = try successThreshold.map { text throws(CLIError) in
                try RolloutRequest.percent(text, option: "--success-threshold")
            }
            request.failureThreshold = try failureThreshold.map { text throws(CLIError) in
                try RolloutRequest.percent(text, option: "--failure-threshold")
            }
            request.soakSeconds = try soak.map { text throws(CLIError) in
                try RolloutRequest.duration(text, option: "--soak", range: 0...30 * 86400)
            }
            request.commitDeadlineSeconds = try commitDeadline.map { text throws(CLIError) in
                try RolloutRequest.duration(text, option: "--commit-deadline", range: 60...30 * 86400)
            }
            if let start {
                let seconds = try TimeText.parseInstant(start, option: "--start", zone: zone, now: now)
                guard seconds >= now else {
                    throw CLIError.option(
                        "--start",
                        "\(TimeText.display(seconds, in: zone)) is in the past "
                            + "(now is \(TimeText.display(now, in: zone)))"
                    )
                }
                request.startSeconds = seconds
            }
            if let window {
                guard ignoreWindows else {
                    throw CLIError.option(
                        "--window",
                        "only with --ignore-windows (otherwise the hosts' own maintenance windows apply)"
                    )
                }
                request.windowSeconds = try RolloutRequest.duration(
                    window,
                    option: "--window",
                    range: 60...WindowMath.maximumDurationSeconds
                )
            }
            request.respectMaintenanceWindows = !ignoreWindows
            return request
        }

        /// `request` with the policy and the target's names turned into IDs.
        static func resolved(_ request: RolloutRequest, client: APIClient) async throws(CLIError) -> RolloutRequest {
            var request = request
            request.policyId = try await PolicyCommands.resolve(request.policyId, client)
            switch request.target {
            case .region(let text): request.target = .region(try await RegionCommands.resolve(text, client))
            case .site(let text): request.target = .site(try await SiteCommands.resolve(text, client))
            case .filter: break
            case .hosts(let texts):
                var ids: [String] = []
                for text in texts {
                    let id = try await HostCommands.resolve(text, client)
                    guard !ids.contains(id) else {
                        throw CLIError.option("--hosts", "host \(id) is given twice (\"\(text)\")")
                    }
                    ids.append(id)
                }
                request.target = .hosts(ids)
            }
            return request
        }

        func run(in context: CLIContext) async throws(CLIError) {
            let presenter = try Presenter(context, output)
            let typed = try request(now: context.nowSeconds, zone: presenter.zone)
            guard preview else {
                let rollout = try await connection.withClient(context) { client throws(CLIError) in
                    try await client.post(path, try await Self.resolved(typed, client: client).body)
                }
                Self.report(rollout, presenter: presenter, context: context)
                return
            }
            let query = plan.query
            let (request, plan) = try await connection.withClient(context) { client throws(CLIError) in
                let request = try await Self.resolved(typed, client: client)
                let plan = try await client.send(
                    .POST,
                    client.scopedPath(path + "/preview"),
                    query: query,
                    body: request.body
                )
                return (request, plan)
            }
            if output.quiet {
                // -q keeps standard output for the ID; the plan goes where a person still sees it.
                context.errors.line(RolloutViews.preview(plan, zone: presenter.zone, command: "--preview"))
            } else {
                show(
                    preview: plan,
                    presenter: presenter,
                    first: self.plan.first,
                    command: "--preview",
                    context: context
                )
            }
            if !yes {
                switch RolloutTerminal.confirm("Create this rollout? [y/N]", context: context) {
                case true?:
                    break
                case false?:
                    throw CLIError(.declined, "rollout \"\(name)\" not created: the answer was not yes")
                case nil:
                    throw CLIError(
                        .usage,
                        "rollout \"\(name)\" not created: there is no terminal to ask \"Create this rollout?\" on",
                        hint: "pass --yes to create it after the preview (or leave out --preview)"
                    )
                }
            }
            let rollout = try await connection.withClient(context) { client throws(CLIError) in
                try await client.post(path, request.body)
            }
            Self.report(rollout, presenter: presenter, context: context)
        }

        /// Prints a created rollout: its JSON (json, yaml), its ID (`-q`), or what was created and how to follow it.
        static func report(_ rollout: JSONValue, presenter: Presenter, context: CLIContext) {
            presenter.created(rollout, kind: "rollout")
            guard presenter.options.output == .table, !presenter.options.quiet else { return }
            let waves = rollout["waves"].array
            let sizes = waves.map { $0["total"].text }.joined(separator: ", ")
            context.output.line(
                "\(RolloutViews.counted(rollout["totalHosts"].int ?? 0, "host")) in "
                    + "\(RolloutViews.counted(Int64(waves.count), "wave")) (\(sizes)); "
                    + "follow it with: day2ctl rollouts watch \(rollout["resourceId"].text)"
            )
        }
    }
}
