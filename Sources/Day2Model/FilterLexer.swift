/// Splits a `filter` string into tokens for `FilterParser`, rejecting characters the language does not know.
struct FilterLexer {
    /// One token of a filter, with the 0-based character offset where it starts.
    struct Token: Sendable, Equatable {
        /// What the token is.
        enum Kind: Sendable, Equatable {
            case openParen
            case closeParen
            case comparison(FilterOperator)
            case string(String)
            case word(String)
            case end
        }

        var kind: Kind
        var position: Int
        /// Whether whitespace comes directly before the token (juxtaposition needs it).
        var followsWhitespace: Bool

        /// The token as an error message shows it.
        var display: String {
            switch kind {
            case .openParen: "\"(\""
            case .closeParen: "\")\""
            case .comparison(let op): "\"\(op.rawValue)\""
            case .string: "a quoted string"
            case .word(let word): "\"\(word)\""
            case .end: "end of filter"
            }
        }

        /// Whether the token is the keyword `keyword` (keywords are upper case only).
        func isKeyword(_ keyword: String) -> Bool {
            if case .word(keyword) = kind { return true }
            return false
        }
    }

    /// Characters that are never part of a bare token and are not otherwise meaningful.
    private static let rejected: Set<Character> = [",", ";", "&", "|", "\\", "{", "}", "[", "]", "`"]
    /// Characters that end a bare token because they start another token.
    private static let delimiters: Set<Character> = ["(", ")", "\"", "'", "=", "!", "<", ">", ":"]

    private let characters: [Character]
    private var index = 0

    /// Creates a lexer over `characters`.
    init(_ characters: [Character]) {
        self.characters = characters
    }

    /// Returns every token of the input, ending with one `.end` token.
    static func tokenize(_ characters: [Character]) throws(ValidationError) -> [Token] {
        var lexer = FilterLexer(characters)
        var tokens: [Token] = []
        while true {
            let token = try lexer.next()
            tokens.append(token)
            if token.kind == .end { return tokens }
        }
    }

    private mutating func next() throws(ValidationError) -> Token {
        var followsWhitespace = index == 0
        while index < characters.count, characters[index].isWhitespace {
            index += 1
            followsWhitespace = true
        }
        let start = index
        guard index < characters.count else {
            return Token(kind: .end, position: start, followsWhitespace: followsWhitespace)
        }
        let character = characters[index]
        let kind: Token.Kind
        switch character {
        case "(":
            index += 1
            kind = .openParen
        case ")":
            index += 1
            kind = .closeParen
        case "=":
            index += 1
            kind = .comparison(.equal)
        case "<", ">":
            index += 1
            let orEqual = index < characters.count && characters[index] == "="
            if orEqual { index += 1 }
            if character == "<" {
                kind = .comparison(orEqual ? .lessOrEqual : .less)
            } else {
                kind = .comparison(orEqual ? .greaterOrEqual : .greater)
            }
        case "!":
            guard index + 1 < characters.count, characters[index + 1] == "=" else {
                throw Self.error("unexpected character \"!\" at position \(start) (did you mean \"!=\" or NOT?)")
            }
            index += 2
            kind = .comparison(.notEqual)
        case ":":
            throw Self.error("the \":\" (has) operator is not supported at position \(start); use \"=\" or has(field)")
        case "\"", "'":
            kind = .string(try quoted(by: character))
        default:
            kind = .word(try word())
        }
        return Token(kind: kind, position: start, followsWhitespace: followsWhitespace)
    }

    /// Reads a quoted literal whose opening quote is at `index`, resolving `\"`, `\'` and `\\`.
    private mutating func quoted(by quote: Character) throws(ValidationError) -> String {
        let start = index
        index += 1
        var value = ""
        while index < characters.count {
            let character = characters[index]
            if character == quote {
                index += 1
                return value
            }
            if character == "\\" {
                guard index + 1 < characters.count else { break }
                let escaped = characters[index + 1]
                guard escaped == "\"" || escaped == "'" || escaped == "\\" else {
                    throw Self.error("unsupported escape \"\\\(escaped)\" at position \(index)")
                }
                value.append(escaped)
                index += 2
                continue
            }
            value.append(character)
            index += 1
        }
        throw Self.error("unterminated string starting at position \(start)")
    }

    /// Reads a bare token: everything up to whitespace, a parenthesis, a quote or an operator.
    private mutating func word() throws(ValidationError) -> String {
        var word = ""
        while index < characters.count {
            let character = characters[index]
            if character.isWhitespace || Self.delimiters.contains(character) { break }
            if Self.rejected.contains(character) || character.unicodeScalars.contains(where: Self.isControl) {
                let shown =
                    character.unicodeScalars.contains(where: Self.isControl)
                    ? character.unicodeScalars.map { "U+\(String($0.value, radix: 16, uppercase: true))" }
                        .joined(separator: " ")
                    : "\"\(character)\""
                throw Self.error("unexpected character \(shown) at position \(index)")
            }
            word.append(character)
            index += 1
        }
        return word
    }

    private static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.properties.generalCategory == .control || scalar.properties.generalCategory == .format
    }

    private static func error(_ rule: String) -> ValidationError {
        ValidationError(field: "filter", rule: rule)
    }
}
