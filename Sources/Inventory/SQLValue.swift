/// A value bound into, or read out of, a SQL statement; the common ground of SQLite and PostgreSQL.
public enum SQLValue: Sendable, Hashable {
    case null
    case integer(Int64)
    case real(Double)
    case text(String)

    /// Wraps an optional string (nil → NULL).
    static func optional(_ text: String?) -> SQLValue { text.map(SQLValue.text) ?? .null }

    /// Wraps an optional integer (nil → NULL).
    static func optional(_ number: Int64?) -> SQLValue { number.map(SQLValue.integer) ?? .null }

    /// Wraps a boolean as 0/1 (both back ends store booleans as integers).
    static func bool(_ value: Bool) -> SQLValue { .integer(value ? 1 : 0) }
}

/// One result row: values by column position, with the column names shared by every row of the result.
public struct SQLRow: Sendable {
    /// Column name → position, shared by all rows of one result.
    let columns: SQLColumns
    /// The values, in column order.
    let values: [SQLValue]

    /// The columns whose names start with `prefix`, under their names without it (for one table of a join).
    func view(prefix: String) -> SQLRow {
        var index: [String: Int] = [:]
        for (name, position) in columns.index where name.hasPrefix(prefix) {
            index[String(name.dropFirst(prefix.count))] = position
        }
        return SQLRow(columns: SQLColumns(index: index), values: values)
    }

    /// The value of `column`; NULL when the column is absent.
    subscript(_ column: String) -> SQLValue {
        guard let index = columns.index[column] else { return .null }
        return values[index]
    }

    /// The text in `column` ("" for NULL; numbers are rendered).
    func string(_ column: String) -> String {
        switch self[column] {
        case .text(let text): text
        case .integer(let number): String(number)
        case .real(let number): String(number)
        case .null: ""
        }
    }

    /// The text in `column`, nil for NULL or "".
    func optionalString(_ column: String) -> String? {
        if case .text(let text) = self[column], !text.isEmpty { return text }
        return nil
    }

    /// The integer in `column` (0 for NULL).
    func int(_ column: String) -> Int64 {
        switch self[column] {
        case .integer(let number): number
        case .real(let number): Int64(number)
        case .text(let text): Int64(text) ?? 0
        case .null: 0
        }
    }

    /// The integer in `column`, nil for NULL.
    func optionalInt(_ column: String) -> Int64? {
        if case .null = self[column] { return nil }
        return int(column)
    }

    /// An enum stored as its API name; the first case (UNSPECIFIED) when the text is unknown.
    func enumeration<E: RawRepresentable & CaseIterable>(_ column: String, as type: E.Type) -> E
    where E.RawValue == String {
        E(rawValue: string(column)) ?? E.allCases.first!
    }
}

/// The column names of one result, looked up by name.
final class SQLColumns: Sendable {
    /// Column name → position.
    let index: [String: Int]

    /// Creates the lookup from a ready index.
    init(index: [String: Int]) { self.index = index }

    /// Creates the lookup from names in order.
    init(_ names: [String]) {
        var index: [String: Int] = [:]
        for (position, name) in names.enumerated() where index[name] == nil { index[name] = position }
        self.index = index
    }
}
