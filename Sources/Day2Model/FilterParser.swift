/// Parses the AIP-160 subset accepted by the `filter` query parameter into a `FilterExpression`.
///
/// Precedence follows AIP-160: `NOT` binds tightest, then `OR`, then juxtaposition, then `AND`, so
/// `a=1 AND b=2 OR c=3` means `a=1 AND (b=2 OR c=3)`. Errors name the 0-based character position.
public enum FilterParser {
    /// The longest filter accepted, in characters.
    public static let maximumLength = 1000
    /// The deepest nesting a field path may have (`a.b.c.d.e.f` nests 5 levels, 6 segments).
    public static let maximumNesting = 5

    /// Parses `text`, returning `nil` when it is empty or only whitespace.
    public static func parse(_ text: String) throws(ValidationError) -> FilterExpression? {
        let characters = Array(text)
        guard characters.count <= maximumLength else {
            throw ValidationError(field: "filter", rule: "must be at most \(maximumLength) characters")
        }
        guard characters.contains(where: { !$0.isWhitespace }) else { return nil }
        var parser = FilterSyntaxParser(tokens: try FilterLexer.tokenize(characters))
        return try parser.parseFilter()
    }
}

/// A recursive-descent parser over the tokens of one filter.
private struct FilterSyntaxParser {
    typealias Token = FilterLexer.Token

    private let tokens: [Token]
    private var index = 0

    init(tokens: [Token]) {
        self.tokens = tokens
    }

    private var current: Token { tokens[index] }

    private var next: Token { tokens[min(index + 1, tokens.count - 1)] }

    @discardableResult
    private mutating func advance() -> Token {
        let token = tokens[index]
        if index < tokens.count - 1 { index += 1 }
        return token
    }

    /// filter: expression, then nothing else.
    mutating func parseFilter() throws(ValidationError) -> FilterExpression {
        let expression = try parseExpression()
        guard current.kind == .end else { throw unexpected(current) }
        return expression
    }

    /// expression: sequence { AND sequence }
    private mutating func parseExpression() throws(ValidationError) -> FilterExpression {
        var result = try parseSequence(after: nil)
        while current.isKeyword("AND") {
            let keyword = advance()
            result = .and(result, try parseSequence(after: keyword))
        }
        return result
    }

    /// sequence: factor { WS factor } — juxtaposed factors are joined with AND.
    private mutating func parseSequence(after keyword: Token?) throws(ValidationError) -> FilterExpression {
        var result = try parseFactor(after: keyword)
        while startsFactor(current) {
            guard current.followsWhitespace else { throw unexpected(current) }
            result = .and(result, try parseFactor(after: nil))
        }
        return result
    }

    /// factor: term { OR term }
    private mutating func parseFactor(after keyword: Token?) throws(ValidationError) -> FilterExpression {
        var result = try parseTerm(after: keyword)
        while current.isKeyword("OR") {
            let keyword = advance()
            result = .or(result, try parseTerm(after: keyword))
        }
        return result
    }

    /// term: [NOT] simple
    private mutating func parseTerm(after keyword: Token?) throws(ValidationError) -> FilterExpression {
        if current.isKeyword("NOT") {
            let keyword = advance()
            return .not(try parseTerm(after: keyword))
        }
        return try parseSimple(after: keyword)
    }

    /// simple: comparison | has(path) | ( expression )
    private mutating func parseSimple(after keyword: Token?) throws(ValidationError) -> FilterExpression {
        let token = current
        switch token.kind {
        case .openParen:
            advance()
            if current.kind == .closeParen {
                throw failure("empty parentheses at position \(token.position)")
            }
            if current.kind == .end {
                throw failure("unbalanced parentheses: \"(\" at position \(token.position) is never closed")
            }
            let inner = try parseExpression()
            switch current.kind {
            case .closeParen:
                advance()
                return inner
            case .end:
                throw failure("unbalanced parentheses: \"(\" at position \(token.position) is never closed")
            default:
                throw unexpected(current)
            }
        case .word(let word) where word == "AND" || word == "OR":
            if let keyword {
                throw failure("expected a condition after \"\(keyword.word)\" at position \(token.position)")
            }
            throw failure("expected a condition before \"\(word)\" at position \(token.position)")
        case .word(let word):
            if next.kind == .openParen && !next.followsWhitespace {
                return try parseCall(named: word, at: token.position)
            }
            return try parseComparison()
        case .string:
            throw failure("expected a field name but found a quoted string at position \(token.position)")
        case .comparison(let op):
            throw failure("expected a field name before \"\(op.rawValue)\" at position \(token.position)")
        case .closeParen, .end:
            if let keyword {
                throw failure("expected a condition after \"\(keyword.word)\" at position \(token.position)")
            }
            throw unexpected(token)
        }
    }

    /// comparison: path OP value
    private mutating func parseComparison() throws(ValidationError) -> FilterExpression {
        let pathToken = advance()
        let path = try fieldPath(pathToken)
        guard case .comparison(let op) = current.kind else {
            throw failure(
                "expected an operator such as \"=\" after \"\(path.dotted)\" at position \(current.position)"
            )
        }
        advance()
        let valueToken = current
        switch valueToken.kind {
        case .string(let value):
            advance()
            return .comparison(path, op, .string(value))
        case .word(let value) where !["AND", "OR", "NOT"].contains(value):
            advance()
            return .comparison(path, op, .bare(value))
        default:
            throw failure("expected a value after \"\(op.rawValue)\" at position \(valueToken.position)")
        }
    }

    /// call: has ( path ) — the only function the filter language knows.
    private mutating func parseCall(named name: String, at position: Int) throws(ValidationError) -> FilterExpression {
        guard name == "has" else {
            throw failure("unknown function \"\(name)\" at position \(position); only has() is supported")
        }
        advance()
        let open = advance()
        let argument = current
        guard case .word = argument.kind, !argument.isKeyword("AND"), !argument.isKeyword("OR"),
            !argument.isKeyword("NOT")
        else {
            throw failure("expected a field name in has() at position \(argument.position)")
        }
        advance()
        let path = try fieldPath(argument)
        switch current.kind {
        case .closeParen:
            advance()
            return .has(path)
        case .end:
            throw failure("unbalanced parentheses: \"(\" at position \(open.position) is never closed")
        default:
            throw failure("expected \")\" to close has() at position \(current.position)")
        }
    }

    /// Validates a word as a dotted field path of plain identifiers, at most `maximumNesting` levels deep.
    private func fieldPath(_ token: Token) throws(ValidationError) -> FieldPath {
        let text = token.word
        let segments = text.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        var offset = token.position
        for segment in segments {
            guard Self.isIdentifier(segment) else {
                let what = segment.isEmpty ? "an empty segment" : "\"\(segment)\""
                throw failure("invalid field path \"\(text)\": \(what) is not a field name at position \(offset)")
            }
            offset += segment.count + 1
        }
        guard segments.count <= FilterParser.maximumNesting + 1 else {
            throw failure(
                "field path \"\(text)\" nests deeper than \(FilterParser.maximumNesting) levels"
                    + " at position \(token.position)"
            )
        }
        return FieldPath(segments: segments)
    }

    private func startsFactor(_ token: Token) -> Bool {
        switch token.kind {
        case .openParen, .string: true
        case .word: !token.isKeyword("AND") && !token.isKeyword("OR")
        case .closeParen, .comparison, .end: false
        }
    }

    private static func isIdentifier(_ text: String) -> Bool {
        guard let first = text.unicodeScalars.first, first == "_" || isASCIILetter(first) else { return false }
        return text.unicodeScalars.allSatisfy { $0 == "_" || isASCIILetter($0) || ("0"..."9").contains($0) }
    }

    private static func isASCIILetter(_ scalar: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar)
    }

    private func unexpected(_ token: Token) -> ValidationError {
        if token.kind == .end {
            return failure("unexpected end of filter at position \(token.position)")
        }
        return failure("unexpected \(token.display) at position \(token.position)")
    }

    private func failure(_ rule: String) -> ValidationError {
        ValidationError(field: "filter", rule: rule)
    }
}

extension FilterLexer.Token {
    /// The text of a word token (empty for other kinds).
    fileprivate var word: String {
        if case .word(let word) = kind { return word }
        return ""
    }
}
