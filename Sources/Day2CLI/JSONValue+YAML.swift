extension JSONValue {
    /// The value as a YAML document (`-o yaml`): block style, strings quoted whenever a plain scalar could be read
    /// as something else, so the YAML loads back to exactly this JSON.
    public var yaml: String {
        var lines: [String] = []
        switch self {
        case .object(let members) where !members.isEmpty:
            Self.writeMembers(members, indent: "", to: &lines)
        case .array(let items) where !items.isEmpty:
            Self.writeItems(items, indent: "", to: &lines)
        default:
            lines.append(Self.scalar(self))
        }
        return lines.joined(separator: "\n")
    }

    private static func writeMembers(_ members: [(String, JSONValue)], indent: String, to lines: inout [String]) {
        for (key, value) in members {
            let head = indent + yamlKey(key) + ":"
            switch value {
            case .object(let nested) where !nested.isEmpty:
                lines.append(head)
                writeMembers(nested, indent: indent + "  ", to: &lines)
            case .array(let items) where !items.isEmpty:
                lines.append(head)
                writeItems(items, indent: indent, to: &lines)
            default:
                lines.append(head + " " + scalar(value))
            }
        }
    }

    private static func writeItems(_ items: [JSONValue], indent: String, to lines: inout [String]) {
        for item in items {
            switch item {
            case .object(let members) where !members.isEmpty:
                // The first member shares the dash's line; the rest line up under it.
                var nested: [String] = []
                writeMembers(members, indent: indent + "  ", to: &nested)
                if let first = nested.first {
                    lines.append(indent + "- " + first.dropFirst(indent.count + 2))
                    lines.append(contentsOf: nested.dropFirst())
                }
            case .array(let inner) where !inner.isEmpty:
                lines.append(indent + "-")
                writeItems(inner, indent: indent + "  ", to: &lines)
            default:
                lines.append(indent + "- " + scalar(item))
            }
        }
    }

    private static func scalar(_ value: JSONValue) -> String {
        switch value {
        case .null: "null"
        case .bool(let flag): flag ? "true" : "false"
        case .int(let number): String(number)
        case .double(let number): number.isFinite ? String(number) : ".nan"
        case .string(let text): isPlain(text) ? text : quoted(text)
        case .array: "[]"
        case .object: "{}"
        }
    }

    private static func yamlKey(_ key: String) -> String { isPlain(key) ? key : quoted(key) }

    /// Words that YAML 1.1 or 1.2 loaders read as booleans or null.
    private static let reservedWords: Set<String> = [
        "true", "false", "yes", "no", "on", "off", "y", "n", "null", "~",
    ]

    /// Whether `text` can be written unquoted and still load as the same string.
    static func isPlain(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first, !reservedWords.contains(text.lowercased()) else { return false }
        guard first.properties.isAlphabetic || first == "_" || first == "/" else { return false }
        let allowed = text.unicodeScalars.allSatisfy { scalar in
            scalar.isASCII
                && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar)
                    || "_-./".unicodeScalars.contains(scalar))
        }
        return allowed
    }
}
