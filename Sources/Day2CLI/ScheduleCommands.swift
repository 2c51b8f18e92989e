import ArgumentParser
import Day2Model
import Foundation

/// Maintenance windows: single (`/schedules/single`) and repeated (`/schedules/repeated`) schedules, and the
/// combined listing with inheritance (`/compute/schedules`).
enum ScheduleCommands {
    static let aliases = ["schedules", "sch", "schs"]
    static let singlePath = "schedules/single"
    static let repeatedPath = "schedules/repeated"

    /// What a window is for.
    enum Purpose: String, CaseIterable, ExpressibleByArgument {
        case osUpdate = "os-update"
        case maintenance

        init?(argument: String) {
            switch argument.lowercased() {
            case "os-update", "osupdate", "os_update": self = .osUpdate
            case "maintenance": self = .maintenance
            default: return nil
            }
        }

        var apiName: String {
            self == .osUpdate ? ScheduleStatus.osUpdate.rawValue : ScheduleStatus.maintenance.rawValue
        }
    }

    /// `--host`, `--site`, `--region`: what a schedule targets or a listing asks about (at most one).
    struct Target: ParsableArguments {
        @Option(help: ArgumentHelp("Host ID or name.", valueName: "host"))
        var host: String?

        @Option(help: ArgumentHelp("Site ID or name.", valueName: "site"))
        var site: String?

        @Option(help: ArgumentHelp("Region ID or name.", valueName: "region"))
        var region: String?

        func check() throws {
            if [host, site, region].compactMap({ $0 }).count > 1 {
                throw ArgumentParser.ValidationError("give only one of --host, --site and --region")
            }
        }

        /// The API key (`targetHostId`… or `hostId`…) and resolved ID of the target, if one was given.
        func resolve(
            _ client: APIClient,
            keys: (host: String, site: String, region: String)
        ) async throws(CLIError)
            -> (key: String, id: String)?
        {
            if let host { return (keys.host, try await HostCommands.resolve(host, client)) }
            if let site { return (keys.site, try await SiteCommands.resolve(site, client)) }
            if let region { return (keys.region, try await RegionCommands.resolve(region, client)) }
            return nil
        }
    }

    /// The path of a schedule from its ID's kind; nil for IDs of other kinds.
    static func path(of id: String) -> String? {
        if ResourceID.isValid(id, kind: .singleSchedule) { return singlePath + "/" + id }
        if ResourceID.isValid(id, kind: .repeatedSchedule) { return repeatedPath + "/" + id }
        return nil
    }

    /// The ID of the schedule `text` (an ID, or the name of exactly one schedule).
    static func resolve(_ text: String, _ client: APIClient) async throws(CLIError) -> String {
        if path(of: text) != nil { return text }
        let all = try await client.get("compute/schedules")
        let matches = (all["singleSchedules"].array + all["repeatedSchedules"].array).filter {
            $0["name"].string == text
        }
        switch matches.count {
        case 1: return matches[0]["resourceId"].text
        case 0:
            throw CLIError(
                .api,
                "no schedule has the ID or name \"\(text)\"",
                hint: "IDs look like singlesche-1a2b3c4d or repeatedsche-1a2b3c4d; day2ctl list schedules shows them"
            )
        default:
            let ids = matches.map { $0["resourceId"].text }.joined(separator: ", ")
            throw CLIError(.usage, "\(matches.count) schedules are named \"\(text)\" (\(ids)); give the resource ID")
        }
    }

    /// Whether a schedule JSON is a repeated one.
    static func isRepeated(_ schedule: JSONValue) -> Bool { !schedule["cronMinutes"].isNull }

    /// The cron of a repeated schedule JSON.
    static func cron(_ schedule: JSONValue) -> CronSpec? {
        try? CronSpec(
            minutes: schedule["cronMinutes"].text,
            hours: schedule["cronHours"].text,
            dayOfMonth: schedule["cronDayMonth"].text,
            month: schedule["cronMonth"].text,
            dayOfWeek: schedule["cronDayWeek"].text
        )
    }

    /// `start → end` of a single schedule, or `cron (UTC) for <duration>` of a repeated one.
    static func window(_ schedule: JSONValue, presenter: Presenter) -> String {
        if isRepeated(schedule) {
            let cron = cron(schedule)?.text ?? "?"
            return "cron \(cron) (UTC) for \(TimeText.duration(schedule["durationSeconds"].int ?? 0))"
        }
        let end = schedule["endSeconds"].int ?? 0
        return presenter.time(schedule["startSeconds"].int) + " → " + (end > 0 ? presenter.time(end) : "open-ended")
    }

    /// When the schedule next matters: `open until …`, the next start, or `ended`.
    static func next(_ schedule: JSONValue, presenter: Presenter, now: Int64) -> String {
        if isRepeated(schedule) {
            guard let cron = cron(schedule) else { return "" }
            let duration = schedule["durationSeconds"].int ?? 0
            let utc = TimeZone(identifier: "UTC") ?? .current
            if let open = WindowMath.repeatedWindow(
                containing: now,
                cron: cron,
                durationSeconds: duration,
                timeZone: utc
            ),
                let end = open.end
            {
                return "open until " + presenter.time(end)
            }
            return ScheduleConversion.nextWindows([cron], durationSeconds: duration, after: now, count: 1).first
                .map { presenter.time($0.start) } ?? "never"
        }
        let start = schedule["startSeconds"].int ?? 0
        let end = schedule["endSeconds"].int ?? 0
        if start > now { return presenter.time(start) }
        if end == 0 || end >= now { return end == 0 ? "open (no end)" : "open until " + presenter.time(end) }
        return "ended"
    }

    /// Preview lines of upcoming windows: `  <start> → <end>` in the presenter's zone.
    static func previewLines(_ windows: [TimeWindow], presenter: Presenter) -> [String] {
        windows.map { window in
            "  " + presenter.time(window.start) + " → " + presenter.time(window.end)
        }
    }

    // MARK: list

    /// `day2ctl list schedules [--host|--site|--region …] [--at …]`.
    struct List: CLICommand {
        static let configuration = CommandConfiguration(
            commandName: "schedule",
            abstract: "List single and repeated schedules; with --host/--site/--region, those that apply to it "
                + "(including inherited ones from its site and regions).",
            aliases: aliases
        )

        @OptionGroup var target: Target

        @Option(
            help: ArgumentHelp(
                "Only schedules whose window is open at this time (now, now+1h, RFC 3339, or a wall time).",
                valueName: "time"
            )
        )
        var at: String?

        @Option(name: .customLong("page-size"), help: "Items per page and kind, 1-100 (default: all).")
        var pageSize: Int?

        @Option(help: "Items of each kind to skip.")
        var offset: Int?

        @Flag(help: "Fetch every page (in pages of --page-size, default 100).")
        var all = false

        @OptionGroup var connection: ConnectionOptions
        @OptionGroup var output: OutputOptions

        func validate() throws { try target.check() }

        func run(in context: CLIContext) async throws(CLIError) {
            let presenter = try Presenter(context, output)
            let now = context.nowSeconds
            var query: [(String, String)] = []
            if let at {
                query.append(
                    ("unixEpoch", String(try TimeText.parseInstant(at, option: "--at", zone: presenter.zone, now: now)))
                )
            }
            let (target, pageSize, offset, all, base) = (target, pageSize, offset, all, query)
            let response = try await connection.withClient(context) { client throws(CLIError) in
                var query = base
                if let (key, id) = try await target.resolve(client, keys: ("hostId", "siteId", "regionId")) {
                    query.append((key, id))
                }
                guard all else {
                    if let pageSize { query.append(("pageSize", String(pageSize))) }
                    if let offset { query.append(("offset", String(offset))) }
                    return try await client.get("compute/schedules", query: query)
                }
                var singles: [JSONValue] = []
                var repeats: [JSONValue] = []
                var position = offset ?? 0
                let size = pageSize ?? 100
                while true {
                    let page = try await client.get(
                        "compute/schedules",
                        query: query + [("pageSize", String(size)), ("offset", String(position))]
                    )
                    singles += page["singleSchedules"].array
                    repeats += page["repeatedSchedules"].array
                    position += size
                    guard page["hasNext"] == .bool(true), position <= Listing.maximumOffset else { break }
                }
                return .object([
                    ("singleSchedules", .array(singles)), ("repeatedSchedules", .array(repeats)),
                    ("totalElements", .int(Int64(singles.count + repeats.count))), ("hasNext", .bool(false)),
                ])
            }
            if response["hasNext"] == .bool(true) {
                context.errors.line("more schedules exist; use --all, or --offset for the next page")
            }
            let items = response["singleSchedules"].array + response["repeatedSchedules"].array
            presenter.list(
                response,
                items: items,
                columns: [
                    .field("RESOURCE ID", "resourceId"), .field("NAME", "name"),
                    Column("KIND") { isRepeated($0) ? "repeated" : "single" },
                    Column("TYPE") { Views.scheduleType($0) }, Column("TARGET") { Views.scheduleTarget($0) },
                    Column("WINDOW") { window($0, presenter: presenter) },
                    Column("NEXT") { next($0, presenter: presenter, now: now) },
                ]
            )
        }
    }

    // MARK: get

    /// `day2ctl get schedule <id|name>`.
    struct Get: CLICommand {
        static let configuration = CommandConfiguration(
            commandName: "schedule",
            abstract: "Show a schedule and its next windows.",
            aliases: aliases
        )

        @Argument(help: "Schedule ID (singlesche-… or repeatedsche-…) or name.")
        var schedule: String

        @Option(help: "How many upcoming windows of a repeated schedule to show.")
        var preview = 3

        @OptionGroup var connection: ConnectionOptions
        @OptionGroup var output: OutputOptions

        func run(in context: CLIContext) async throws(CLIError) {
            let presenter = try Presenter(context, output)
            let schedule = schedule
            let item = try await connection.withClient(context) { client throws(CLIError) in
                let id = try await resolve(schedule, client)
                return try await client.get(path(of: id) ?? singlePath + "/" + APIClient.escape(id))
            }
            let now = context.nowSeconds
            var pairs: [(String, String)] = [
                ("Resource ID", item["resourceId"].text), ("Name", item["name"].text),
                ("Kind", isRepeated(item) ? "repeated" : "single"), ("Type", Views.scheduleType(item)),
                ("Target host", Views.named(item["targetHost"], fallback: item["targetHostId"].text)),
                ("Target site", Views.named(item["targetSite"], fallback: item["targetSiteId"].text)),
                ("Target region", Views.named(item["targetRegion"], fallback: item["targetRegionId"].text)),
            ]
            if isRepeated(item), let cron = cron(item) {
                let duration = item["durationSeconds"].int ?? 0
                let windows = ScheduleConversion.nextWindows(
                    [cron],
                    durationSeconds: duration,
                    after: now,
                    count: preview
                )
                pairs += [
                    ("Cron (UTC)", cron.text), ("Duration", TimeText.duration(duration)),
                    (
                        "Next windows",
                        previewLines(windows, presenter: presenter).map { String($0.dropFirst(2)) }
                            .joined(separator: "\n")
                    ),
                ]
            } else {
                let end = item["endSeconds"].int ?? 0
                pairs += [
                    ("Start", presenter.time(item["startSeconds"].int)),
                    ("End", end > 0 ? presenter.time(end) : "open-ended"),
                    ("State", next(item, presenter: presenter, now: now)),
                ]
            }
            pairs += [
                ("Created", presenter.timestamp(item["timestamps"]["createdAt"])),
                ("Updated", presenter.timestamp(item["timestamps"]["updatedAt"])),
            ]
            presenter.detail(item, pairs)
        }
    }

    // MARK: delete

    /// `day2ctl delete schedule <id|name>…`.
    struct Delete: CLICommand {
        static let configuration = CommandConfiguration(
            commandName: "schedule",
            abstract: "Delete schedules.",
            aliases: aliases
        )

        @Argument(help: "Schedule IDs or names.")
        var schedules: [String]

        @OptionGroup var connection: ConnectionOptions

        func run(in context: CLIContext) async throws(CLIError) {
            let schedules = schedules
            try await connection.withClient(context) { client throws(CLIError) in
                try await deleteEach(
                    schedules,
                    noun: "schedule",
                    client: client,
                    context: context,
                    resolve: { text throws(CLIError) in try await resolve(text, client) },
                    path: { path(of: $0) ?? singlePath + "/" + APIClient.escape($0) }
                )
            }
        }
    }
}
