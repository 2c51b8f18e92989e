/// One validated cron field: either `*` (every value) or an explicit comma list of values.
///
/// The accepted grammar is exactly `*` alone, or a comma list of plain decimal numbers without leading zeros that lie
/// in the field's range (for minutes: `^([*]|([0-9]|([1-5][0-9]))((,([0-9]|([1-5][0-9])))*))$`). Ranges (`1-5`),
/// steps (`*/5`), names, `?`, spaces and empty items are all rejected. Duplicates and any order are allowed.
public struct CronField: Sendable, Hashable {
    /// Which field this is.
    public let kind: CronFieldKind
    /// The field text exactly as given (and accepted).
    public let text: String
    /// True when the field is `*`, i.e. matches every value in its range.
    public let isWildcard: Bool
    /// Bit `v` is set when value `v` matches (every bit of the range for `*`).
    let mask: UInt64
    /// The matching values, ascending and without duplicates (the whole range for `*`).
    let expanded: [Int]

    /// Parses and validates `text` as a field of `kind`, throwing `ValidationError` naming the API field on failure.
    public init(_ text: String, kind: CronFieldKind) throws(ValidationError) {
        let failure = ValidationError(field: kind.apiFieldName, rule: kind.rule)
        let range = kind.range
        self.kind = kind
        self.text = text
        if text == "*" {
            isWildcard = true
            var all: UInt64 = 0
            for value in range {
                all |= 1 << UInt64(value)
            }
            mask = all
            expanded = Array(range)
            return
        }
        var bits: UInt64 = 0
        var value = 0
        var digits = 0
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                // Every grammar allows at most two digits, and a leading zero only for the single digit "0".
                if digits == 2 || (digits == 1 && value == 0) {
                    throw failure
                }
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
                digits += 1
            case UInt8(ascii: ","):
                guard digits > 0, range.contains(value) else {
                    throw failure
                }
                bits |= 1 << UInt64(value)
                value = 0
                digits = 0
            default:
                throw failure
            }
        }
        guard digits > 0, range.contains(value) else {
            throw failure
        }
        bits |= 1 << UInt64(value)
        isWildcard = false
        mask = bits
        expanded = range.filter { bits & (1 << UInt64($0)) != 0 }
    }

    /// The explicit values in ascending order without duplicates, or nil when the field is `*`.
    public var values: [Int]? {
        isWildcard ? nil : expanded
    }

    /// True when `v` is selected by this field (any in-range value for `*`; out-of-range values never match).
    public func matches(_ v: Int) -> Bool {
        guard v >= 0, v < 64 else {
            return false
        }
        return mask & (1 << UInt64(v)) != 0
    }
}
