import Day2Model
import Foundation

/// A JSON value with object keys kept in the order they were written, so responses list fields in a stable,
/// readable order (the API's own order) and every field can be emitted explicitly, zero values included.
public enum JSON: Sendable, Equatable {
    case null
    case bool(Bool)
    case int(Int64)
    case double(Double)
    case string(String)
    case array([JSON])
    case object([(String, JSON)])

    public static func == (lhs: JSON, rhs: JSON) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): true
        case (.bool(let a), .bool(let b)): a == b
        case (.int(let a), .int(let b)): a == b
        case (.double(let a), .double(let b)): a == b
        case (.int(let a), .double(let b)), (.double(let b), .int(let a)): Double(a) == b
        case (.string(let a), .string(let b)): a == b
        case (.array(let a), .array(let b)): a == b
        case (.object(let a), .object(let b)):
            a.count == b.count
                && Dictionary(a, uniquingKeysWith: { x, _ in x }) == Dictionary(b, uniquingKeysWith: { x, _ in x })
        default: false
        }
    }

    /// The member `key` of an object (nil for other values or a missing key).
    public subscript(key: String) -> JSON? {
        guard case .object(let members) = self else { return nil }
        return members.first { $0.0 == key }?.1
    }

    /// A string, or an optional string as `null`.
    static func optional(_ text: String?) -> JSON { text.map(JSON.string) ?? .null }

    /// The serialized bytes (compact, UTF-8).
    public var serialized: String {
        var out = ""
        write(to: &out)
        return out
    }

    private func write(to out: inout String) {
        switch self {
        case .null: out += "null"
        case .bool(let value): out += value ? "true" : "false"
        case .int(let value): out += String(value)
        case .double(let value): out += value.isFinite ? "\(value)" : "null"
        case .string(let value): Self.writeString(value, to: &out)
        case .array(let items):
            out += "["
            for (index, item) in items.enumerated() {
                if index > 0 { out += "," }
                item.write(to: &out)
            }
            out += "]"
        case .object(let members):
            out += "{"
            for (index, (key, value)) in members.enumerated() {
                if index > 0 { out += "," }
                Self.writeString(key, to: &out)
                out += ":"
                value.write(to: &out)
            }
            out += "}"
        }
    }

    private static func writeString(_ value: String, to out: inout String) {
        out += "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                out +=
                    "\\u" + String(repeating: "0", count: 4 - String(scalar.value, radix: 16).count)
                    + String(scalar.value, radix: 16)
            default: out.unicodeScalars.append(scalar)
            }
        }
        out += "\""
    }

    /// Parses `data` as one JSON value; the error says what was wrong, for a 400 answer.
    public static func parse(_ data: Data) throws(ValidationError) -> JSON {
        do {
            return try JSONDecoder().decode(JSON.self, from: data)
        } catch {
            throw ValidationError(field: "body", rule: "must be valid JSON (UTF-8)")
        }
    }
}

extension JSON: Decodable {
    public init(from decoder: any Decoder) throws {
        if var array = try? decoder.unkeyedContainer() {
            var items: [JSON] = []
            while !array.isAtEnd { items.append(try array.decode(JSON.self)) }
            self = .array(items)
            return
        }
        if let object = try? decoder.container(keyedBy: AnyKey.self) {
            var members: [(String, JSON)] = []
            for key in object.allKeys { members.append((key.stringValue, try object.decode(JSON.self, forKey: key))) }
            self = .object(members)
            return
        }
        let value = try decoder.singleValueContainer()
        if value.decodeNil() {
            self = .null
        } else if let bool = try? value.decode(Bool.self) {
            self = .bool(bool)
        } else if let int = try? value.decode(Int64.self) {
            self = .int(int)
        } else if let double = try? value.decode(Double.self) {
            self = .double(double)
        } else {
            self = .string(try value.decode(String.self))
        }
    }

    private struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
}

extension JSON {
    /// The value as a YAML document (block style; strings double-quoted with JSON escapes, which YAML reads the same).
    public var yaml: String {
        var out = ""
        writeYAML(to: &out, indent: 0, inline: false)
        if !out.hasSuffix("\n") { out += "\n" }
        return out
    }

    private func writeYAML(to out: inout String, indent: Int, inline: Bool) {
        let pad = String(repeating: "  ", count: indent)
        switch self {
        case .object(let members) where !members.isEmpty:
            for (index, (key, value)) in members.enumerated() {
                if !(inline && index == 0) { out += pad }
                out += Self.yamlKey(key) + ":"
                value.writeYAMLValue(to: &out, indent: indent + 1)
            }
        case .array(let items) where !items.isEmpty:
            for (index, item) in items.enumerated() {
                if !(inline && index == 0) { out += pad }
                out += "-"
                switch item {
                case .object(let members) where !members.isEmpty:
                    out += " "
                    item.writeYAML(to: &out, indent: indent + 1, inline: true)
                case .array(let inner) where !inner.isEmpty:
                    out += "\n"
                    item.writeYAML(to: &out, indent: indent + 1, inline: false)
                default:
                    out += " " + item.serialized + "\n"
                }
            }
        default:
            out += pad + serialized + "\n"
        }
    }

    /// A mapping key: plain when it is a simple name or a path, double-quoted otherwise (numbers, odd characters).
    private static func yamlKey(_ key: String) -> String {
        let simple = key.unicodeScalars.allSatisfy { scalar in
            scalar.isASCII && (CharacterSet.alphanumerics.contains(scalar) || "_$/{}.-".unicodeScalars.contains(scalar))
        }
        let first =
            key.unicodeScalars.first.map { CharacterSet.letters.contains($0) || $0 == "/" || $0 == "$" } ?? false
        let reserved = ["true", "false", "null", "yes", "no", "on", "off", "y", "n"].contains(key.lowercased())
        return simple && first && !reserved ? key : JSON.string(key).serialized
    }

    /// The value after `key:`: scalars and empty collections on the same line, others below.
    private func writeYAMLValue(to out: inout String, indent: Int) {
        switch self {
        case .object(let members) where !members.isEmpty:
            out += "\n"
            writeYAML(to: &out, indent: indent, inline: false)
        case .array(let items) where !items.isEmpty:
            out += "\n"
            writeYAML(to: &out, indent: indent, inline: false)
        default:
            out += " " + serialized + "\n"
        }
    }
}
