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

    /// The compact serialized text.
    public var serialized: String { String(decoding: bytes, as: UTF8.self) }

    /// The compact serialized UTF-8 bytes.
    public var bytes: [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        write(to: &out)
        return out
    }

    private func write(to out: inout [UInt8]) {
        switch self {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let value): out.append(contentsOf: (value ? "true" : "false").utf8)
        case .int(let value): out.append(contentsOf: String(value).utf8)
        case .double(let value): out.append(contentsOf: (value.isFinite ? "\(value)" : "null").utf8)
        case .string(let value): Self.writeString(value, to: &out)
        case .array(let items):
            out.append(UInt8(ascii: "["))
            for (index, item) in items.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                item.write(to: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            out.append(UInt8(ascii: "{"))
            for (index, (key, value)) in members.enumerated() {
                if index > 0 { out.append(UInt8(ascii: ",")) }
                Self.writeString(key, to: &out)
                out.append(UInt8(ascii: ":"))
                value.write(to: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// A JSON string: UTF-8 copied as is, only `"`, `\\` and control characters escaped.
    private static func writeString(_ value: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        var value = value
        value.withUTF8 { bytes in
            var runStart = 0
            for (index, byte) in bytes.enumerated()
            where byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
                out.append(contentsOf: bytes[runStart..<index])
                runStart = index + 1
                switch byte {
                case UInt8(ascii: "\""): out.append(contentsOf: "\\\"".utf8)
                case UInt8(ascii: "\\"): out.append(contentsOf: "\\\\".utf8)
                case UInt8(ascii: "\n"): out.append(contentsOf: "\\n".utf8)
                case UInt8(ascii: "\r"): out.append(contentsOf: "\\r".utf8)
                case UInt8(ascii: "\t"): out.append(contentsOf: "\\t".utf8)
                default:
                    out.append(contentsOf: "\\u00".utf8)
                    out.append(hexDigits[Int(byte >> 4)])
                    out.append(hexDigits[Int(byte & 0xF)])
                }
            }
            out.append(contentsOf: bytes[runStart...])
        }
        out.append(UInt8(ascii: "\""))
    }

    /// Parses `data` as one JSON value (RFC 8259, strictly: no trailing commas, no duplicate keys, valid UTF-8);
    /// the error says what was wrong, for a 400 answer.
    public static func parse(_ data: Data) throws(ValidationError) -> JSON {
        var parser = JSONParser(bytes: Array(data))
        return try parser.document()
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
