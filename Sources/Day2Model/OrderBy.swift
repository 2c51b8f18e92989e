/// One key of an `orderBy` list: a direct field and its direction.
public struct OrderTerm: Sendable, Hashable {
    /// The field name as the caller wrote it (camelCase or snake_case); see `FieldName.snakeCase(_:)`.
    public var field: String
    /// Whether the field sorts from largest to smallest.
    public var descending: Bool

    /// Creates an order key for `field`, ascending unless `descending` is set.
    public init(field: String, descending: Bool = false) {
        self.field = field
        self.descending = descending
    }
}

/// Parses the `orderBy` query parameter: `field [asc|desc]{, field [asc|desc]}`.
public enum OrderByParser {
    /// The longest `orderBy` accepted, in characters.
    public static let maximumLength = 1000

    /// Parses `text` into its order keys, returning `[]` when it is empty or only whitespace.
    public static func parse(_ text: String) throws(ValidationError) -> [OrderTerm] {
        let characters = Array(text)
        guard characters.count <= maximumLength else {
            throw failure("must be at most \(maximumLength) characters")
        }
        guard characters.contains(where: { !$0.isWhitespace }) else { return [] }

        var terms: [OrderTerm] = []
        var seen: [String: Int] = [:]
        var start = 0
        while true {
            let end = characters[start...].firstIndex(of: ",") ?? characters.count
            let words = words(in: characters, from: start, to: end)
            guard let (fieldStart, field) = words.first else {
                let place = start == 0 ? "" : " after \",\""
                throw failure("expected a field name\(place) at position \(firstNonSpace(characters, start, end))")
            }
            try checkField(field, at: fieldStart)
            var descending = false
            if words.count > 1 {
                let (directionStart, direction) = words[1]
                switch direction.lowercased() {
                case "asc": descending = false
                case "desc": descending = true
                default:
                    throw failure(
                        "unknown direction \"\(direction)\" at position \(directionStart); use asc or desc"
                    )
                }
            }
            if words.count > 2 {
                let (extraStart, extra) = words[2]
                throw failure("unexpected \"\(extra)\" at position \(extraStart); separate fields with \",\"")
            }
            let key = FieldName.snakeCase(field)
            if let first = seen[key] {
                throw failure("duplicate field \"\(field)\" at position \(fieldStart) (already ordered at \(first))")
            }
            seen[key] = fieldStart
            terms.append(OrderTerm(field: field, descending: descending))
            guard end < characters.count else { return terms }
            start = end + 1
        }
    }

    /// Rejects anything but a plain identifier, with a dedicated rule for nested (dotted) fields.
    private static func checkField(_ field: String, at position: Int) throws(ValidationError) {
        if field.contains(".") {
            throw failure("only direct fields can be ordered: \"\(field)\" at position \(position) is nested")
        }
        let scalars = field.unicodeScalars
        let valid =
            scalars.first.map { $0 == "_" || isASCIILetter($0) } == true
            && scalars.allSatisfy { $0 == "_" || isASCIILetter($0) || ("0"..."9").contains($0) }
        guard valid else {
            throw failure("invalid field name \"\(field)\" at position \(position)")
        }
    }

    /// The whitespace-separated words of `characters[from..<to]`, each with its start position.
    private static func words(
        in characters: [Character],
        from start: Int,
        to end: Int
    ) -> [(start: Int, text: String)] {
        var result: [(start: Int, text: String)] = []
        var index = start
        while index < end {
            if characters[index].isWhitespace {
                index += 1
                continue
            }
            let wordStart = index
            while index < end, !characters[index].isWhitespace { index += 1 }
            result.append((wordStart, String(characters[wordStart..<index])))
        }
        return result
    }

    private static func firstNonSpace(_ characters: [Character], _ start: Int, _ end: Int) -> Int {
        characters[start..<end].firstIndex { !$0.isWhitespace } ?? end
    }

    private static func isASCIILetter(_ scalar: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar)
    }

    private static func failure(_ rule: String) -> ValidationError {
        ValidationError(field: "orderBy", rule: rule)
    }
}
