/// Text tables for the terminal: a header row and aligned columns, or labelled lines for one resource.
struct Table {
    /// The column headers, upper case.
    var headers: [String]
    /// The cells, one array per row.
    var rows: [[String]]

    /// The table with columns separated by three spaces; empty cells show `-`.
    var rendered: String {
        let cells = [headers] + rows.map { $0.map { $0.isEmpty ? "-" : Self.oneLine($0) } }
        var widths = Array(repeating: 0, count: headers.count)
        for row in cells {
            for (index, cell) in row.enumerated() where index < widths.count {
                widths[index] = max(widths[index], cell.count)
            }
        }
        return cells.map { row in
            var line = ""
            for (index, cell) in row.enumerated() where index < widths.count {
                if index == row.count - 1 {
                    line += cell
                } else {
                    line += cell + String(repeating: " ", count: widths[index] - cell.count + 3)
                }
            }
            return line
        }.joined(separator: "\n")
    }

    /// A cell's text on one line (a table row cannot hold a newline).
    static func oneLine(_ text: String) -> String {
        text.contains("\n") ? text.split(separator: "\n").joined(separator: " | ") : text
    }

    /// `Label:  value` lines with the values lined up; a multi-line value continues under its first line.
    static func details(_ pairs: [(String, String)]) -> String {
        let width = (pairs.map(\.0.count).max() ?? 0) + 2
        return pairs.map { label, value in
            let head = label + ":" + String(repeating: " ", count: width - label.count - 1)
            let lines = (value.isEmpty ? "-" : value).split(separator: "\n", omittingEmptySubsequences: false)
            let indent = String(repeating: " ", count: width)
            return head
                + lines.enumerated().map { $0.offset == 0 ? String($0.element) : indent + $0.element }
                .joined(separator: "\n")
        }.joined(separator: "\n")
    }
}
