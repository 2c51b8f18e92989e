import ArgumentParser
import Day2Model
import Foundation

extension ScheduleCommands {
    /// `day2ctl create schedule <name> …`: a single window (`--start`) or a repeated one (`--cron` or the cron
    /// field options), on a host, site or region, with times read in `--timezone`.
    struct Create: CLICommand {
        static let configuration = CommandConfiguration(
            commandName: "schedule",
            abstract: "Create a maintenance window: single (--start) or repeated (--cron or --hour …).",
            discussion: """
                Times are read in --timezone (default: TZ, else the system zone). A single window runs from --start \
                to --end (or --start plus --duration; neither: open-ended). A repeated window opens at each time \
                the cron fields match, for --duration. The server keeps repeated schedules in UTC, so the fields are \
                converted with the zone's offset at the first window; the next windows are previewed, and a clock \
                change (daylight saving time) that moves later windows on the local clock is pointed out.

                Examples:
                  day2ctl create schedule upd-now --host edge-1 --start now+5m --duration 1h
                  day2ctl create schedule weekly --site berlin --timezone Europe/Berlin \\
                      --day-of-week sat,sun --hour 2 --duration 2h
                """,
            aliases: aliases
        )

        @Argument(help: "The schedule's name (letters, digits, space and -_./:, at most 50 bytes).")
        var name: String

        @OptionGroup var target: Target

        @Option(help: "What the window is for: os-update or maintenance.")
        var type: Purpose = .osUpdate

        @Option(
            help: ArgumentHelp(
                "Single window start: now, now+30s, now+1h30m, 2026-07-01T02:00:00+02:00, or \"2026-07-01 02:00\" "
                    + "(a wall time in --timezone).",
                valueName: "time"
            )
        )
        var start: String?

        @Option(help: ArgumentHelp("Single window end, in the same forms as --start.", valueName: "time"))
        var end: String?

        @Option(
            help: ArgumentHelp(
                "Window length: 90 (seconds), 30s, 10m, 2h, 1h30m; required for a repeated window (at most 24h).",
                valueName: "duration"
            )
        )
        var duration: String?

        @Option(
            help: ArgumentHelp(
                "Repeated window: the five cron fields \"minute hour day-of-month month day-of-week\" in --timezone.",
                valueName: "fields"
            )
        )
        var cron: String?

        @Option(help: ArgumentHelp("Repeated window minute(s), e.g. 0 or 0,30 (default 0).", valueName: "list"))
        var minute: String?

        @Option(help: ArgumentHelp("Repeated window hour(s), e.g. 2 or 1-3.", valueName: "list"))
        var hour: String?

        @Option(
            name: .customLong("day-of-month"),
            help: ArgumentHelp("Repeated window day(s) of the month, e.g. 1,15 (default *).", valueName: "list")
        )
        var dayOfMonth: String?

        @Option(help: ArgumentHelp("Repeated window month(s), e.g. 1-3 or jan,jul (default *).", valueName: "list"))
        var month: String?

        @Option(
            name: .customLong("day-of-week"),
            help: ArgumentHelp(
                "Repeated window weekday(s), e.g. sat,sun or 1-5 (0 or 7 = Sunday; default *).",
                valueName: "list"
            )
        )
        var dayOfWeek: String?

        @Option(help: "How many upcoming windows to preview.")
        var preview = 3

        @Flag(name: .customLong("dry-run"), help: "Show what would be created, and the preview, without creating it.")
        var dryRun = false

        @OptionGroup var connection: ConnectionOptions
        @OptionGroup var output: OutputOptions

        var repeated: Bool { cron != nil || [minute, hour, dayOfMonth, month, dayOfWeek].contains { $0 != nil } }

        func validate() throws {
            try target.check()
            if repeated {
                if start != nil || end != nil {
                    throw ArgumentParser.ValidationError(
                        "--start and --end are for single windows; a repeated one uses cron fields"
                    )
                }
                if cron != nil && [minute, hour, dayOfMonth, month, dayOfWeek].contains(where: { $0 != nil }) {
                    throw ArgumentParser.ValidationError("give --cron or the separate cron field options, not both")
                }
                if cron == nil && hour == nil {
                    throw ArgumentParser.ValidationError("a repeated window needs --hour (or --cron)")
                }
                if duration == nil {
                    throw ArgumentParser.ValidationError("a repeated window needs --duration")
                }
            } else {
                if start == nil {
                    throw ArgumentParser.ValidationError(
                        "give --start for a single window, or --cron/--hour for a repeated one"
                    )
                }
                if end != nil && duration != nil {
                    throw ArgumentParser.ValidationError("give --end or --duration, not both")
                }
            }
            if preview < 0 || preview > 100 { throw ArgumentParser.ValidationError("--preview must be 0...100") }
        }

        func run(in context: CLIContext) async throws(CLIError) {
            let presenter = try Presenter(context, output)
            let now = context.nowSeconds
            let durationSeconds = try duration.map { text throws(CLIError) -> Int64 in
                guard let seconds = TimeText.parseDuration(text), seconds > 0 else {
                    throw CLIError.option(
                        "--duration",
                        "\"\(text)\" is not a duration such as 90, 30s, 10m, 2h or 1h30m"
                    )
                }
                return seconds
            }
            if repeated {
                try await createRepeated(context, presenter: presenter, now: now, duration: durationSeconds ?? 0)
            } else {
                try await createSingle(context, presenter: presenter, now: now, duration: durationSeconds)
            }
        }

        // MARK: Single

        private func createSingle(
            _ context: CLIContext,
            presenter: Presenter,
            now: Int64,
            duration: Int64?
        ) async throws(CLIError) {
            let zone = presenter.zone
            let startSeconds = try TimeText.parseInstant(start ?? "", option: "--start", zone: zone, now: now)
            var endSeconds = try end.map { text throws(CLIError) in
                try TimeText.parseInstant(text, option: "--end", zone: zone, now: now)
            }
            if let duration { endSeconds = startSeconds + duration }
            if startSeconds <= now {
                throw CLIError.option(
                    "--start",
                    "\(presenter.time(startSeconds)) is not in the future (windows must start after now, "
                        + "\(presenter.time(now)))"
                )
            }
            if let endSeconds, endSeconds <= startSeconds {
                throw CLIError.option(
                    end != nil ? "--end" : "--duration",
                    "the window must end after it starts (\(presenter.time(startSeconds)))"
                )
            }
            var body: [(String, JSONValue)] = [
                ("name", .string(name)), ("scheduleStatus", .string(type.apiName)),
                ("startSeconds", .int(startSeconds)),
            ]
            if let endSeconds { body.append(("endSeconds", .int(endSeconds))) }
            let (fields, target, dryRun) = (body, target, dryRun)
            let created = try await connection.withClient(context) { client throws(CLIError) -> JSONValue in
                var body = fields
                if let (key, id) = try await target.resolve(
                    client,
                    keys: ("targetHostId", "targetSiteId", "targetRegionId")
                ) {
                    body.append((key, .string(id)))
                }
                if dryRun { return .object(body) }
                return try await client.post(singlePath, .object(body))
            }
            if dryRun {
                context.output.line("would create: POST \(singlePath) \(created.compact)")
            } else {
                presenter.created(created, kind: "schedule")
            }
            guard output.output == .table, !output.quiet else { return }
            context.output.line(
                "window: \(presenter.time(startSeconds)) → " + (endSeconds.map { presenter.time($0) } ?? "open-ended")
            )
        }

        // MARK: Repeated

        /// The local cron the options describe.
        func localCron() throws(CLIError) -> CronSpec {
            var fields: [String]
            var options: [String]
            if let cron {
                fields = cron.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
                guard fields.count == 5 else {
                    throw CLIError.option(
                        "--cron",
                        "\"\(cron)\" must have five fields: minute hour day-of-month month day-of-week"
                    )
                }
                options = Array(repeating: "--cron", count: 5)
            } else {
                fields = [minute ?? "0", hour ?? "*", dayOfMonth ?? "*", month ?? "*", dayOfWeek ?? "*"]
                options = ["--minute", "--hour", "--day-of-month", "--month", "--day-of-week"]
            }
            let kinds: [CronFieldKind] = [.minutes, .hours, .dayOfMonth, .month, .dayOfWeek]
            var expanded: [String] = []
            for index in 0..<5 {
                expanded.append(try CronInput.expand(fields[index], kind: kinds[index], option: options[index]))
            }
            do {
                return try CronSpec(
                    minutes: expanded[0],
                    hours: expanded[1],
                    dayOfMonth: expanded[2],
                    month: expanded[3],
                    dayOfWeek: expanded[4]
                )
            } catch {
                throw CLIError(.usage, error.description)
            }
        }

        private func createRepeated(
            _ context: CLIContext,
            presenter: Presenter,
            now: Int64,
            duration: Int64
        ) async throws(CLIError) {
            guard duration <= WindowMath.maximumDurationSeconds else {
                throw CLIError.option("--duration", "a repeated window lasts at most 24h (86400 seconds)")
            }
            let local = try localCron()
            var names = ScheduleConversion.OptionNames()
            if cron != nil { names.dayOfMonth = "--cron" }
            let plan = try ScheduleConversion.toUTC(local, zone: presenter.zone, now: now, options: names)
            let bodies: [[(String, JSONValue)]] = plan.crons.enumerated().map { index, cron in
                [
                    ("name", .string(plan.crons.count == 1 || index == 0 ? name : "\(name)-\(index + 1)")),
                    ("scheduleStatus", .string(type.apiName)), ("durationSeconds", .int(duration)),
                    ("cronMinutes", .string(cron.minutes.text)), ("cronHours", .string(cron.hours.text)),
                    ("cronDayMonth", .string(cron.daysOfMonth.text)), ("cronMonth", .string(cron.months.text)),
                    ("cronDayWeek", .string(cron.daysOfWeek.text)),
                ]
            }
            let (target, dryRun) = (target, dryRun)
            let created = try await connection.withClient(context) { client throws(CLIError) -> [JSONValue] in
                let resolved = try await target.resolve(
                    client,
                    keys: ("targetHostId", "targetSiteId", "targetRegionId")
                )
                var results: [JSONValue] = []
                for var body in bodies {
                    if let (key, id) = resolved { body.append((key, .string(id))) }
                    results.append(dryRun ? .object(body) : try await client.post(repeatedPath, .object(body)))
                }
                return results
            }
            for note in plan.notes { context.errors.line("note: " + note) }
            if plan.crons.count > 1 {
                context.errors.line(
                    "note: the times fall on different days in UTC, so \(plan.crons.count) repeated schedules are needed"
                )
            }
            if dryRun {
                for body in created { context.output.line("would create: POST \(repeatedPath) \(body.compact)") }
            } else if created.count == 1 {
                presenter.created(created[0], kind: "schedule")
            } else if output.quiet || output.output == .table {
                for item in created { presenter.created(item, kind: "schedule") }
            } else {
                presenter.detail(.array(created), [])
            }
            guard output.output == .table, !output.quiet else { return }
            context.output.line(
                "local: " + local.text + " in \(presenter.zone.identifier); UTC: "
                    + plan.crons.map(\.text).joined(separator: " and ") + "; each window lasts "
                    + TimeText.duration(duration)
            )
            let windows = ScheduleConversion.nextWindows(
                plan.crons,
                durationSeconds: duration,
                after: now,
                count: preview
            )
            if !windows.isEmpty {
                context.output.line("next windows (\(presenter.zone.identifier)):")
                for line in ScheduleConversion.previewLines(windows, intended: plan.offsetSeconds, presenter: presenter)
                {
                    context.output.line(line)
                }
            }
        }
    }
}

extension ScheduleConversion {
    /// Preview lines, flagging windows that open at another local time than asked because of a clock change.
    static func previewLines(_ windows: [TimeWindow], intended offset: Int64, presenter: Presenter) -> [String] {
        windows.map { window in
            let actual = TimeText.offset(presenter.zone, at: window.start)
            let shift = actual - offset
            var line = "  " + presenter.time(window.start) + " → " + presenter.time(window.end)
            if shift != 0 {
                line +=
                    "  (\(TimeText.duration(abs(shift))) \(shift > 0 ? "later" : "earlier") on the local clock: clock change)"
            }
            return line
        }
    }
}
