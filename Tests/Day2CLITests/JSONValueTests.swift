import Testing

@testable import Day2CLI

@Suite struct JSONValueTests {
    @Test func parsesKeepingMemberOrderAndExactIntegers() throws {
        let json = try #require(JSONValue.parse(#"{"b":1,"a":[true,null,-2.5,"x\u00e9\n"],"big":4294967295}"#))
        #expect(json.members.map(\.0) == ["b", "a", "big"])
        #expect(json["b"] == .int(1))
        #expect(json["a"] == .array([.bool(true), .null, .double(-2.5), .string("xé\n")]))
        #expect(json["big"].int == 4_294_967_295)
        #expect(json["missing"].isNull)
    }

    @Test(arguments: ["", "{", "[1,]", "{\"a\" 1}", "tru", "\"unterminated", "{\"a\":1} x", "\"\u{01}\""])
    func refusesMalformedJSON(_ text: String) {
        #expect(JSONValue.parse(text) == nil)
    }

    @Test func surrogatePairsJoin() {
        #expect(JSONValue.parse(#""\ud83d\ude80""#) == .string("🚀"))
    }

    @Test func writesCompactAndPrettyThatParseBack() throws {
        let value = JSONValue.object([
            ("name", .string("a \"q\"\t")), ("n", .int(-3)), ("list", .array([.object([]), .array([])])),
        ])
        #expect(value.compact == #"{"name":"a \"q\"\t","n":-3,"list":[{},[]]}"#)
        #expect(JSONValue.parse(value.compact) == value)
        #expect(JSONValue.parse(value.pretty) == value)
        #expect(value.pretty.contains("\n  \"n\": -3"))
    }

    @Test func yamlQuotesWhatWouldReadAsSomethingElse() {
        let value = JSONValue.object([
            ("plain", .string("edge-1")), ("yes", .string("yes")), ("number", .string("22.04")),
            ("empty", .string("")), ("colon", .string("a: b")),
            ("items", .array([.object([("k", .int(1)), ("v", .null)])])),
            ("none", .array([])),
        ])
        #expect(
            value.yaml == """
                plain: edge-1
                "yes": "yes"
                number: "22.04"
                empty: ""
                colon: "a: b"
                items:
                - k: 1
                  v: null
                none: []
                """
        )
    }
}
