/// The text rules of the API (maximum length and allowed characters), checked without a regex engine.
public struct TextRule: Sendable {
    /// The maximum length in UTF-8 bytes.
    public var maxBytes: Int
    /// The characters allowed besides ASCII letters and digits.
    public var extraCharacters: Set<Character>
    /// How the allowed characters are written in error messages (the API's pattern).
    public var pattern: String
    /// Whether upper-case ASCII letters are allowed (besides lower-case ones and digits).
    public var allowsUppercase: Bool

    /// Creates a rule.
    public init(maxBytes: Int, extraCharacters: String, pattern: String, allowsUppercase: Bool = true) {
        self.maxBytes = maxBytes
        self.extraCharacters = Set(extraCharacters)
        self.pattern = pattern
        self.allowsUppercase = allowsUppercase
    }

    /// Checks `value` as the content of `field`; the empty string always passes (the API patterns start `^$|`).
    public func check(_ value: String, field: String) throws(ValidationError) {
        if value.utf8.count > maxBytes {
            throw ValidationError(field: field, rule: "must be at most \(maxBytes) bytes, got \(value.utf8.count)")
        }
        for character in value
        where
            !(character.isASCII
            && ((character.isLetter && (allowsUppercase || character.isLowercase)) || character.isNumber))
        {
            if !extraCharacters.contains(character) {
                throw ValidationError(
                    field: field,
                    rule: "must match \(pattern); \"\(character)\" is not allowed"
                )
            }
        }
    }

    /// Names of regions, sites, hosts, policies and schedules: `^$|^[a-zA-Z-_0-9./: ]+$`, at most 50 bytes.
    public static let name = TextRule(maxBytes: 50, extraCharacters: "-_./: ", pattern: "^[a-zA-Z-_0-9./: ]+$")
    /// OS resource metadata, a JSON object as text: `^$|^[a-z0-9,.\-_:/"\\ \n{}\[\]+]+$`, at most 500 bytes.
    public static let osMetadata = TextRule(
        maxBytes: 500,
        extraCharacters: ",.-_:/\"\\ \n{}[]+",
        pattern: "^[a-z0-9,.\\-_:/\"\\\\ \\n{}\\[\\]+]+$",
        allowsUppercase: false
    )
    /// OS resource names: `^$|^[a-zA-Z-_0-9./: ()]+$`, at most 128 bytes.
    public static let osName = TextRule(maxBytes: 128, extraCharacters: "-_./: ()", pattern: "^[a-zA-Z-_0-9./: ()]+$")
    /// Policy descriptions: at most 200 bytes of `^[a-zA-Z-_0-9./:;=?@!#,<>*() ]+$`.
    public static let description = TextRule(
        maxBytes: 200,
        extraCharacters: "-_./:;=?@!#,<>*() ",
        pattern: "^[a-zA-Z-_0-9./:;=?@!#,<>*() ]+$"
    )
    /// Kernel command-line parameters: at most 500 bytes of `^[a-zA-Z-_0-9./:;=@?!#,<>*()" ]+$`.
    public static let kernelCommand = TextRule(
        maxBytes: 500,
        extraCharacters: "-_./:;=@?!#,<>*()\" ",
        pattern: "^[a-zA-Z-_0-9./:;=@?!#,<>*()\" ]+$"
    )
    /// One DEB822 source stanza: at most 10000 bytes of `^[a-zA-Z-_0-9./:;=@?!#,<>*+()\[\]" \n]+$`.
    public static let updateSource = TextRule(
        maxBytes: 10000,
        extraCharacters: "-_./:;=@?!#,<>*+()[]\" \n",
        pattern: "^[a-zA-Z-_0-9./:;=@?!#,<>*+()\\[\\]\" \\n]+$"
    )
    /// Newline-separated package names: `^[A-Za-z0-9._/:;=@?!#,<>\-*+~()\[\]{} \n]+$`, at most 500000 bytes.
    public static let updatePackages = TextRule(
        maxBytes: 500_000,
        extraCharacters: "._/:;=@?!#,<>-*+~()[]{} \n",
        pattern: "^[A-Za-z0-9._/:;=@?!#,<>\\-*+~()\\[\\]{} \\n]+$"
    )
    /// Free text without a character restriction, only a length (status texts, details, URLs).
    public static func free(maxBytes: Int) -> TextRule {
        TextRule(maxBytes: maxBytes, extraCharacters: "", pattern: "")
    }

    /// Checks only the length of `value` for `field`.
    public static func checkLength(_ value: String, maxBytes: Int, field: String) throws(ValidationError) {
        if value.utf8.count > maxBytes {
            throw ValidationError(field: field, rule: "must be at most \(maxBytes) bytes, got \(value.utf8.count)")
        }
    }
}
