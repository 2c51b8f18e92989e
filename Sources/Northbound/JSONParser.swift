import Day2Model

/// A strict recursive-descent JSON parser over UTF-8 bytes (RFC 8259): no trailing commas, no duplicate member
/// names, no leading zeros, valid UTF-8 and escapes, at most 64 levels deep.
struct JSONParser {
    let bytes: [UInt8]
    var index = 0
    var depth = 0
    static let maximumDepth = 64

    init(bytes: [UInt8]) { self.bytes = bytes }

    /// The one value of the document.
    mutating func document() throws(ValidationError) -> JSON {
        guard String(validating: bytes, as: UTF8.self) != nil else { throw fail("is not valid UTF-8") }
        let value = try self.value()
        skipSpace()
        guard index == bytes.count else { throw fail("has text after the JSON value") }
        return value
    }

    private func fail(_ rule: String) -> ValidationError {
        ValidationError(field: "body", rule: "must be valid JSON: \(rule) (at byte \(index))")
    }

    private var current: UInt8? { index < bytes.count ? bytes[index] : nil }

    private mutating func skipSpace() {
        while let byte = current, byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D { index += 1 }
    }

    private mutating func literal(_ text: String, _ value: JSON) throws(ValidationError) -> JSON {
        let expected = Array(text.utf8)
        guard index + expected.count <= bytes.count, bytes[index..<index + expected.count].elementsEqual(expected)
        else {
            throw fail("unexpected character")
        }
        index += expected.count
        return value
    }

    private mutating func value() throws(ValidationError) -> JSON {
        skipSpace()
        guard let byte = current else { throw fail("ends too early") }
        switch byte {
        case UInt8(ascii: "{"): return try object()
        case UInt8(ascii: "["): return try array()
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): return try literal("true", .bool(true))
        case UInt8(ascii: "f"): return try literal("false", .bool(false))
        case UInt8(ascii: "n"): return try literal("null", .null)
        default: return try number()
        }
    }

    private mutating func enter() throws(ValidationError) {
        depth += 1
        guard depth <= Self.maximumDepth else { throw fail("nests deeper than \(Self.maximumDepth) levels") }
    }

    private mutating func object() throws(ValidationError) -> JSON {
        try enter()
        defer { depth -= 1 }
        index += 1
        var members: [(String, JSON)] = []
        var seen = Set<String>()
        skipSpace()
        if current == UInt8(ascii: "}") {
            index += 1
            return .object(members)
        }
        while true {
            skipSpace()
            guard current == UInt8(ascii: "\"") else { throw fail("expected a member name in quotes") }
            let key = try string()
            guard seen.insert(key).inserted else { throw fail("member \"\(key)\" appears twice") }
            skipSpace()
            guard current == UInt8(ascii: ":") else { throw fail("expected ':'") }
            index += 1
            members.append((key, try value()))
            skipSpace()
            switch current {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "}"):
                index += 1
                return .object(members)
            default: throw fail("expected ',' or '}'")
            }
        }
    }

    private mutating func array() throws(ValidationError) -> JSON {
        try enter()
        defer { depth -= 1 }
        index += 1
        var items: [JSON] = []
        skipSpace()
        if current == UInt8(ascii: "]") {
            index += 1
            return .array(items)
        }
        while true {
            items.append(try value())
            skipSpace()
            switch current {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "]"):
                index += 1
                return .array(items)
            default: throw fail("expected ',' or ']'")
            }
        }
    }

    private mutating func hex4() throws(ValidationError) -> UInt32 {
        guard index + 4 <= bytes.count,
            let value = UInt32(String(decoding: bytes[index..<index + 4], as: UTF8.self), radix: 16)
        else { throw fail("bad \\u escape") }
        index += 4
        return value
    }

    private mutating func string() throws(ValidationError) -> String {
        index += 1
        var out: [UInt8] = []
        while true {
            guard let byte = current else { throw fail("ends inside a string") }
            index += 1
            switch byte {
            case UInt8(ascii: "\""):
                return String(decoding: out, as: UTF8.self)
            case UInt8(ascii: "\\"):
                guard let escape = current else { throw fail("ends inside a string") }
                index += 1
                switch escape {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(escape)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"):
                    var scalar = try hex4()
                    if (0xD800...0xDBFF).contains(scalar) {
                        guard current == UInt8(ascii: "\\"), index + 1 < bytes.count,
                            bytes[index + 1] == UInt8(ascii: "u")
                        else { throw fail("lone surrogate in a \\u escape") }
                        index += 2
                        let low = try hex4()
                        guard (0xDC00...0xDFFF).contains(low) else { throw fail("bad surrogate pair") }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    }
                    guard let unicode = Unicode.Scalar(scalar) else { throw fail("lone surrogate in a \\u escape") }
                    out.append(contentsOf: Array(String(Character(unicode)).utf8))
                default:
                    throw fail("unknown escape")
                }
            case 0x00..<0x20:
                throw fail("control character inside a string")
            default:
                out.append(byte)
            }
        }
    }

    private mutating func digits() -> Int {
        let from = index
        while let byte = current, byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") { index += 1 }
        return index - from
    }

    private mutating func number() throws(ValidationError) -> JSON {
        let start = index
        if current == UInt8(ascii: "-") { index += 1 }
        let integerDigits = digits()
        guard integerDigits > 0 else { throw fail("unexpected character") }
        if integerDigits > 1, bytes[index - integerDigits] == UInt8(ascii: "0") {
            throw fail("number with a leading zero")
        }
        var isInteger = true
        if current == UInt8(ascii: ".") {
            index += 1
            isInteger = false
            guard digits() > 0 else { throw fail("number without digits after '.'") }
        }
        if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
            index += 1
            isInteger = false
            if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { index += 1 }
            guard digits() > 0 else { throw fail("number without exponent digits") }
        }
        let text = String(decoding: bytes[start..<index], as: UTF8.self)
        if isInteger, let value = Int64(text) { return .int(value) }
        guard let value = Double(text) else { throw fail("number out of range") }
        return .double(value)
    }
}
