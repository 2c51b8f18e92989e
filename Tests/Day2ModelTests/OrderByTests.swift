import Day2Model
import Testing

@Suite("OrderByParser")
struct OrderByTests {
    @Test("empty or blank orderBy gives no terms", arguments: ["", "  ", "\t"])
    func empty(text: String) throws {
        #expect(try OrderByParser.parse(text) == [])
    }

    @Test(
        "valid lists",
        arguments: [
            ("name", [OrderTerm(field: "name", descending: false)]),
            ("name asc", [OrderTerm(field: "name", descending: false)]),
            ("name desc, startTime", [OrderTerm(field: "name", descending: true), OrderTerm(field: "startTime")]),
            ("start_time DESC", [OrderTerm(field: "start_time", descending: true)]),
            ("start_time Asc", [OrderTerm(field: "start_time", descending: false)]),
            (
                "  name   desc ,resourceId,  kind ASC  ",
                [
                    OrderTerm(field: "name", descending: true), OrderTerm(field: "resourceId"),
                    OrderTerm(field: "kind"),
                ]
            ),
            ("_x1,y", [OrderTerm(field: "_x1"), OrderTerm(field: "y")]),
        ]
    )
    func valid(text: String, expected: [OrderTerm]) throws {
        #expect(try OrderByParser.parse(text) == expected)
    }

    @Test(
        "bad lists name the rule and the position",
        arguments: [
            ("name up", "unknown direction \"up\" at position 5; use asc or desc"),
            ("name descending", "unknown direction \"descending\" at position 5; use asc or desc"),
            ("site.name", "only direct fields can be ordered: \"site.name\" at position 0 is nested"),
            ("name, site.name desc", "only direct fields can be ordered: \"site.name\" at position 6 is nested"),
            ("name, name desc", "duplicate field \"name\" at position 6 (already ordered at 0)"),
            ("startTime, start_time", "duplicate field \"start_time\" at position 11 (already ordered at 0)"),
            ("name,", "expected a field name after \",\" at position 5"),
            ("name, ", "expected a field name after \",\" at position 6"),
            ("name,,kind", "expected a field name after \",\" at position 5"),
            (",name", "expected a field name at position 0"),
            ("name desc kind", "unexpected \"kind\" at position 10; separate fields with \",\""),
            ("1name", "invalid field name \"1name\" at position 0"),
            ("na-me", "invalid field name \"na-me\" at position 0"),
            ("name;drop", "invalid field name \"name;drop\" at position 0"),
        ]
    )
    func errors(text: String, rule: String) throws {
        let error = #expect(throws: ValidationError.self) { try OrderByParser.parse(text) }
        #expect(error?.field == "orderBy")
        #expect(error?.rule == rule)
        #expect(error?.rule.contains("at position ") == true)
    }

    @Test("length limit is 1000 characters", arguments: [1000, 1001])
    func lengthLimit(length: Int) throws {
        let text = String(repeating: "a", count: length)
        if length <= 1000 {
            #expect(try OrderByParser.parse(text) == [OrderTerm(field: text)])
        } else {
            let error = #expect(throws: ValidationError.self) { try OrderByParser.parse(text) }
            #expect(error == ValidationError(field: "orderBy", rule: "must be at most 1000 characters"))
        }
    }

    @Test(
        "snake_case conversion",
        arguments: [
            ("resourceId", "resource_id"),
            ("osUpdatePolicy", "os_update_policy"),
            ("startTime", "start_time"),
            ("siteLat", "site_lat"),
            ("start_time", "start_time"),
            ("name", "name"),
            ("instanceID", "instance_id"),
            ("HTTPServer", "http_server"),
            ("ipv4Address", "ipv4_address"),
            ("already_Snake", "already_snake"),
            ("", ""),
        ]
    )
    func snakeCase(name: String, expected: String) {
        #expect(FieldName.snakeCase(name) == expected)
    }
}
