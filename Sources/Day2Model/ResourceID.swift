/// Resource IDs: `<prefix>-<8 lowercase hex>`, made from a cryptographically random 32-bit number.
public enum ResourceID {
    /// A fresh random ID of `kind`.
    public static func make(_ kind: ResourceKind) -> String {
        var generator = SystemRandomNumberGenerator()
        return make(kind, number: generator.next())
    }

    /// The ID of `kind` for a given 32-bit number (deterministic; used by tests and fixtures).
    public static func make(_ kind: ResourceKind, number: UInt32) -> String {
        let hex = String(number, radix: 16)
        return kind.prefix + "-" + String(repeating: "0", count: 8 - hex.count) + hex
    }

    /// Whether `id` is exactly `<prefix of kind>-<8 lowercase hex>`.
    public static func isValid(_ id: String, kind: ResourceKind) -> Bool {
        let utf8 = Array(id.utf8)
        let prefix = Array(kind.prefix.utf8)
        guard utf8.count == prefix.count + 9, utf8.starts(with: prefix), utf8[prefix.count] == UInt8(ascii: "-")
        else { return false }
        return utf8[(prefix.count + 1)...].allSatisfy { ($0 >= 48 && $0 <= 57) || ($0 >= 97 && $0 <= 102) }
    }

    /// Checks `id` as the value of `field`, which must hold an ID of `kind`.
    public static func validate(_ id: String, kind: ResourceKind, field: String) throws(ValidationError) {
        guard isValid(id, kind: kind) else {
            throw ValidationError(
                field: field,
                rule: "must match ^\(kind.prefix)-[0-9a-f]{8}$, got \"\(id.prefix(40))\""
            )
        }
    }
}
