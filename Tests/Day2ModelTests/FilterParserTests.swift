import Day2Model
import Testing

/// Shorthand for building expected ASTs.
private func path(_ dotted: String) -> FieldPath {
    FieldPath(segments: dotted.split(separator: ".", omittingEmptySubsequences: false).map(String.init))
}

private func eq(_ field: String, _ value: String) -> FilterExpression {
    .comparison(path(field), .equal, .bare(value))
}

private func eqString(_ field: String, _ value: String) -> FilterExpression {
    .comparison(path(field), .equal, .string(value))
}

@Suite("FilterParser")
struct FilterParserTests {
    @Test("empty or blank filters parse to nil", arguments: ["", " ", "   \t\n "])
    func emptyIsNil(text: String) throws {
        #expect(try FilterParser.parse(text) == nil)
    }

    @Test(
        "comparisons with every operator and optional whitespace",
        arguments: [
            ("a=1", FilterExpression.comparison(path("a"), .equal, .bare("1"))),
            ("a = 1", .comparison(path("a"), .equal, .bare("1"))),
            ("a!=1", .comparison(path("a"), .notEqual, .bare("1"))),
            ("a != 1", .comparison(path("a"), .notEqual, .bare("1"))),
            ("a<1", .comparison(path("a"), .less, .bare("1"))),
            ("a <= 1", .comparison(path("a"), .lessOrEqual, .bare("1"))),
            ("a>-5", .comparison(path("a"), .greater, .bare("-5"))),
            ("  a>=1.5  ", .comparison(path("a"), .greaterOrEqual, .bare("1.5"))),
            ("startTime >= 2024-01-01", .comparison(FieldPath("startTime"), .greaterOrEqual, .bare("2024-01-01"))),
            (
                #"startTime < "2024-01-01T00:00:00Z""#,
                .comparison(path("startTime"), .less, .string("2024-01-01T00:00:00Z"))
            ),
        ]
    )
    func operators(text: String, expected: FilterExpression) throws {
        #expect(try FilterParser.parse(text) == expected)
    }

    @Test(
        "bare tokens: enums, numbers, booleans, null, words",
        arguments: [
            ("osType=OS_TYPE_IMMUTABLE", "osType", "OS_TYPE_IMMUTABLE"),
            ("count=123", "count", "123"),
            ("offset=-5", "offset", "-5"),
            ("ratio=1.5", "ratio", "1.5"),
            ("enabled=true", "enabled", "true"),
            ("enabled = false", "enabled", "false"),
            ("instance = null", "instance", "null"),
            ("hostname=host-1234abcd", "hostname", "host-1234abcd"),
            ("name=*abc*", "name", "*abc*"),
            ("_private_1=x.y", "_private_1", "x.y"),
        ]
    )
    func bareValues(text: String, field: String, value: String) throws {
        #expect(try FilterParser.parse(text) == eq(field, value))
    }

    @Test(
        "quoted strings and escapes",
        arguments: [
            (#"name="abc""#, "abc"),
            (#"name='abc'"#, "abc"),
            (#"name="""#, ""),
            (#"name='say "hi"'"#, #"say "hi""#),
            (#"name="it's""#, "it's"),
            (#"name="a \"b\" c""#, #"a "b" c"#),
            (#"name='it\'s'"#, "it's"),
            (#"name="back\\slash""#, #"back\slash"#),
            (#"name="AND OR NOT ( ) = :""#, "AND OR NOT ( ) = :"),
            (#"name = "  spaced  ""#, "  spaced  "),
        ]
    )
    func strings(text: String, value: String) throws {
        #expect(try FilterParser.parse(text) == eqString("name", value))
    }

    @Test(
        "nested field paths",
        arguments: [
            (#"site.region.resourceId="region-1234abcd""#, ["site", "region", "resourceId"], "region-1234abcd"),
            (#"instance.resourceId="inst-1234abcd""#, ["instance", "resourceId"], "inst-1234abcd"),
            (#"a.b.c.d.e.f="x""#, ["a", "b", "c", "d", "e", "f"], "x"),
        ]
    )
    func nestedPaths(text: String, segments: [String], value: String) throws {
        #expect(try FilterParser.parse(text) == .comparison(FieldPath(segments: segments), .equal, .string(value)))
    }

    @Test(
        "has() calls",
        arguments: [
            ("has(instance)", FilterExpression.has(path("instance"))),
            ("has(site.region)", .has(path("site.region"))),
            ("NOT has(instance)", .not(.has(path("instance")))),
            ("has(instance) AND has(site)", .and(.has(path("instance")), .has(path("site")))),
            ("has=1", eq("has", "1")),
        ]
    )
    func hasCalls(text: String, expected: FilterExpression) throws {
        #expect(try FilterParser.parse(text) == expected)
    }

    @Test(
        "precedence: NOT tightest, then OR, then juxtaposition, then AND; parentheses override",
        arguments: [
            ("a=1 AND b=2 OR c=3", FilterExpression.and(eq("a", "1"), .or(eq("b", "2"), eq("c", "3")))),
            ("a=1 OR b=2 AND c=3", .and(.or(eq("a", "1"), eq("b", "2")), eq("c", "3"))),
            ("(a=1 AND b=2) OR c=3", .or(.and(eq("a", "1"), eq("b", "2")), eq("c", "3"))),
            ("a=1 OR b=2 OR c=3", .or(.or(eq("a", "1"), eq("b", "2")), eq("c", "3"))),
            ("a=1 AND b=2 AND c=3", .and(.and(eq("a", "1"), eq("b", "2")), eq("c", "3"))),
            ("NOT a=1 OR b=2", .or(.not(eq("a", "1")), eq("b", "2"))),
            ("NOT a=1 AND b=2", .and(.not(eq("a", "1")), eq("b", "2"))),
            ("NOT (a=1 OR b=2)", .not(.or(eq("a", "1"), eq("b", "2")))),
            ("NOT(a=1)", .not(eq("a", "1"))),
            ("NOT NOT a=1", .not(.not(eq("a", "1")))),
            ("((a=1))", eq("a", "1")),
            (
                "a=1 AND (b=2 OR c=3) AND NOT d=4",
                .and(.and(eq("a", "1"), .or(eq("b", "2"), eq("c", "3"))), .not(eq("d", "4")))
            ),
        ]
    )
    func precedence(text: String, expected: FilterExpression) throws {
        #expect(try FilterParser.parse(text) == expected)
    }

    @Test(
        "juxtaposition means AND and binds looser than OR",
        arguments: [
            ("a=1 b=2", FilterExpression.and(eq("a", "1"), eq("b", "2"))),
            ("a=1 b=2 OR c=3", .and(eq("a", "1"), .or(eq("b", "2"), eq("c", "3")))),
            ("a=1 NOT b=2", .and(eq("a", "1"), .not(eq("b", "2")))),
            ("(a=1) (b=2)", .and(eq("a", "1"), eq("b", "2"))),
            ("has(instance) state=RUNNING", .and(.has(path("instance")), eq("state", "RUNNING"))),
            ("a=1 b=2 AND c=3", .and(.and(eq("a", "1"), eq("b", "2")), eq("c", "3"))),
        ]
    )
    func juxtaposition(text: String, expected: FilterExpression) throws {
        #expect(try FilterParser.parse(text) == expected)
    }

    @Test(
        "bad filters name the rule and the position",
        arguments: [
            ("()", "empty parentheses at position 0"),
            ("a=1 AND ()", "empty parentheses at position 8"),
            ("a= ", "expected a value after \"=\" at position 3"),
            ("a=1 AND b= ", "expected a value after \"=\" at position 11"),
            ("a = AND", "expected a value after \"=\" at position 4"),
            ("a=)", "expected a value after \"=\" at position 2"),
            ("AND a=1", "expected a condition before \"AND\" at position 0"),
            ("OR a=1", "expected a condition before \"OR\" at position 0"),
            ("a=1 AND", "expected a condition after \"AND\" at position 7"),
            ("a=1 OR", "expected a condition after \"OR\" at position 6"),
            ("a=1 AND OR b=2", "expected a condition after \"AND\" at position 8"),
            ("NOT", "expected a condition after \"NOT\" at position 3"),
            ("(a=1", "unbalanced parentheses: \"(\" at position 0 is never closed"),
            ("(", "unbalanced parentheses: \"(\" at position 0 is never closed"),
            ("((a=1)", "unbalanced parentheses: \"(\" at position 0 is never closed"),
            ("a=1)", "unexpected \")\" at position 3"),
            ("(a=1) AND b=2)", "unexpected \")\" at position 13"),
            ("a=1 AND )", "expected a condition after \"AND\" at position 8"),
            ("name=\"abc", "unterminated string starting at position 5"),
            ("a='x' AND b='y", "unterminated string starting at position 12"),
            ("name=\"abc\\", "unterminated string starting at position 5"),
            ("name=\"a\\nb\"", "unsupported escape \"\\n\" at position 7"),
            ("a=1 & b=2", "unexpected character \"&\" at position 4"),
            ("a=1;b=2", "unexpected character \";\" at position 3"),
            ("a!1", "unexpected character \"!\" at position 1 (did you mean \"!=\" or NOT?)"),
            ("foo", "expected an operator such as \"=\" after \"foo\" at position 3"),
            ("a=1 foo", "expected an operator such as \"=\" after \"foo\" at position 7"),
            ("a=1 foo b=2", "expected an operator such as \"=\" after \"foo\" at position 8"),
            ("\"x\"=1", "expected a field name but found a quoted string at position 0"),
            ("=1", "expected a field name before \"=\" at position 0"),
            ("a==1", "expected a value after \"=\" at position 2"),
            ("a=1=2", "unexpected \"=\" at position 3"),
            ("a=1(b=2)", "unexpected \"(\" at position 3"),
            ("(a=1)(b=2)", "unexpected \"(\" at position 5"),
            ("a=\"x\"b=2", "unexpected \"b\" at position 5"),
            ("a=f(x)", "unexpected \"(\" at position 3"),
            ("a:b", "the \":\" (has) operator is not supported at position 1; use \"=\" or has(field)"),
            ("name : \"x\"", "the \":\" (has) operator is not supported at position 5; use \"=\" or has(field)"),
            ("foo(x)", "unknown function \"foo\" at position 0; only has() is supported"),
            ("a=1 AND size(x)", "unknown function \"size\" at position 8; only has() is supported"),
            ("has()", "expected a field name in has() at position 4"),
            ("has(\"x\")", "expected a field name in has() at position 4"),
            ("has(a b)", "expected \")\" to close has() at position 6"),
            ("has(a", "unbalanced parentheses: \"(\" at position 3 is never closed"),
            ("has(1a)", "invalid field path \"1a\": \"1a\" is not a field name at position 4"),
            ("a..b=1", "invalid field path \"a..b\": an empty segment is not a field name at position 2"),
            ("site.=1", "invalid field path \"site.\": an empty segment is not a field name at position 5"),
            ("site.re-gion=1", "invalid field path \"site.re-gion\": \"re-gion\" is not a field name at position 5"),
            ("-a=1", "invalid field path \"-a\": \"-a\" is not a field name at position 0"),
            ("a.b.c.d.e.f.g=1", "field path \"a.b.c.d.e.f.g\" nests deeper than 5 levels at position 0"),
            ("has(a.b.c.d.e.f.g)", "field path \"a.b.c.d.e.f.g\" nests deeper than 5 levels at position 4"),
        ]
    )
    func errors(text: String, rule: String) throws {
        let error = #expect(throws: ValidationError.self) { try FilterParser.parse(text) }
        #expect(error?.field == "filter")
        #expect(error?.rule == rule)
        #expect(error?.rule.contains("at position ") == true)
    }

    @Test("length limit is 1000 characters", arguments: [999, 1000, 1001, 5000])
    func lengthLimit(length: Int) throws {
        let prefix = "name=\""
        let text = prefix + String(repeating: "x", count: length - prefix.count - 1) + "\""
        #expect(text.count == length)
        if length <= 1000 {
            let expected = eqString("name", String(repeating: "x", count: length - prefix.count - 1))
            #expect(try FilterParser.parse(text) == expected)
        } else {
            let error = #expect(throws: ValidationError.self) { try FilterParser.parse(text) }
            #expect(error == ValidationError(field: "filter", rule: "must be at most 1000 characters"))
        }
    }

    @Test("positions count characters, not bytes")
    func positionsAreCharacterOffsets() throws {
        let error = #expect(throws: ValidationError.self) { try FilterParser.parse("name=\"é🇨🇦\" )") }
        #expect(error?.rule == "unexpected \")\" at position 10")
    }

    @Test("deep parenthesis nesting within the length limit parses")
    func deepNesting() throws {
        let depth = 400
        let text = String(repeating: "(", count: depth) + "a=1" + String(repeating: ")", count: depth)
        #expect(try FilterParser.parse(text) == eq("a", "1"))
    }
}
