import Testing

@testable import Day2CLI

@Suite struct JSONValueTests {
    @Test func placeholder() { #expect(JSONValue.parse("{}") == .object([])) }
}
