import ArgumentParser
import Day2Model
import Foundation

/// How results are printed.
enum OutputFormat: String, CaseIterable, ExpressibleByArgument, Sendable {
    /// Aligned columns (lists) or labelled lines (single resources).
    case table
    /// The API's JSON, indented.
    case json
    /// The API's JSON as YAML.
    case yaml
}

/// `-o`, `-q` and `--timezone`: the options of every command that prints resources.
struct OutputOptions: ParsableArguments {
    @Option(name: [.customShort("o"), .long], help: "Output format: table, json or yaml.")
    var output: OutputFormat = .table

    @Flag(name: [.customShort("q"), .long], help: "Print only resource IDs, one per line.")
    var quiet = false

    @Option(
        help: ArgumentHelp(
            "IANA time zone for times shown and read, e.g. Europe/Berlin (default: TZ, else the system zone).",
            valueName: "zone"
        )
    )
    var timezone: String?

    /// The zone times are shown (and, for schedules, read) in.
    func zone(_ context: CLIContext) throws(CLIError) -> TimeZone {
        guard let timezone else { return context.defaultTimeZone }
        do {
            return try WindowMath.timeZone(named: timezone)
        } catch {
            throw CLIError.option("--timezone", "\"\(timezone)\" \(error.rule)")
        }
    }
}

/// The list options passed to the API (`filter`, `orderBy`, `pageSize`, `offset`) and `--all`.
struct ListOptions: ParsableArguments {
    @Option(
        name: [.customShort("f"), .long],
        help: ArgumentHelp(
            "AIP-160 filter passed to the API, e.g. 'name=\"edge\"' or 'osType=OS_TYPE_IMMUTABLE'.",
            valueName: "expression"
        )
    )
    var filter: String?

    @Option(
        name: .customLong("order-by"),
        help: ArgumentHelp("Sort order passed to the API, e.g. 'name' or 'startTime desc'.", valueName: "fields")
    )
    var orderBy: String?

    @Option(name: .customLong("page-size"), help: "Items per page, 1-100 (default: all on one page; with --all: 100).")
    var pageSize: Int?

    @Option(help: "Items to skip before the first one shown.")
    var offset: Int?

    @Flag(help: "Fetch every page (in pages of --page-size, default 100).")
    var all = false
}
