import Foundation

/// One column of a list table: its header and how a resource's JSON fills it.
struct Column {
    /// The header, upper case.
    var header: String
    /// The cell text for one resource.
    var value: (JSONValue) -> String

    init(_ header: String, _ value: @escaping (JSONValue) -> String) {
        self.header = header
        self.value = value
    }

    /// A column showing member `key` as it is.
    static func field(_ header: String, _ key: String) -> Column { Column(header) { $0[key].text } }
}

/// Prints API results in the chosen format: tables and labelled lines for people, the API's JSON or YAML for
/// scripts, or only IDs with `-q`.
struct Presenter {
    let context: CLIContext
    let options: OutputOptions
    /// The zone times are shown in.
    let zone: TimeZone

    init(_ context: CLIContext, _ options: OutputOptions) throws(CLIError) {
        self.context = context
        self.options = options
        self.zone = try options.zone(context)
    }

    /// A list: `response` as the API sent it (json, yaml), or `items` as a table.
    func list(_ response: JSONValue, items: [JSONValue], columns: [Column], id: String = "resourceId") {
        if options.quiet {
            for item in items { context.output.line(item[id].text) }
            return
        }
        switch options.output {
        case .json: context.output.line(response.pretty)
        case .yaml: context.output.line(response.yaml)
        case .table:
            guard !items.isEmpty else {
                context.errors.line("no resources found")
                return
            }
            let rows = items.map { item in columns.map { $0.value(item) } }
            context.output.line(Table(headers: columns.map(\.header), rows: rows).rendered)
        }
    }

    /// One resource: its JSON (json, yaml) or labelled lines.
    func detail(_ item: JSONValue, _ pairs: [(String, String)], id: String = "resourceId") {
        if options.quiet {
            context.output.line(item[id].text)
            return
        }
        switch options.output {
        case .json: context.output.line(item.pretty)
        case .yaml: context.output.line(item.yaml)
        case .table: context.output.line(Table.details(pairs))
        }
    }

    /// A resource that was just created: its JSON (json, yaml), its ID (`-q`), or one line saying so.
    func created(_ item: JSONValue, kind: String, id: String = "resourceId") {
        if options.quiet {
            context.output.line(item[id].text)
            return
        }
        switch options.output {
        case .json: context.output.line(item.pretty)
        case .yaml: context.output.line(item.yaml)
        case .table:
            let name = item["name"].text
            context.output.line("created \(kind) \(item[id].text)" + (name.isEmpty ? "" : " (\(name))"))
        }
    }

    /// A Unix-seconds time in the chosen zone; empty for 0.
    func time(_ seconds: Int64?) -> String {
        guard let seconds, seconds > 0 else { return "" }
        return TimeText.display(seconds, in: zone)
    }

    /// An RFC 3339 timestamp of the API (`timestamps.createdAt`) in the chosen zone.
    func timestamp(_ value: JSONValue) -> String {
        guard let text = value.string, let date = TimeText.parseRFC3339(text) else { return value.text }
        return TimeText.display(Int64(date.timeIntervalSince1970.rounded(.down)), in: zone)
    }
}
