/// SMBIOS host UUIDs, the identity an edge node's agent reports as its `GUID`.
public enum HostUUID {
    /// Whether `text` is a UUID in 8-4-4-4-12 hex form (either case).
    public static func isValid(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count == 36 else { return false }
        for (index, byte) in bytes.enumerated() {
            if index == 8 || index == 13 || index == 18 || index == 23 {
                guard byte == UInt8(ascii: "-") else { return false }
            } else {
                let isHex = (byte >= 48 && byte <= 57) || (byte >= 65 && byte <= 70) || (byte >= 97 && byte <= 102)
                guard isHex else { return false }
            }
        }
        return true
    }

    /// The canonical (lower-case) form of a valid UUID, or an error naming `field`.
    public static func canonical(_ text: String, field: String) throws(ValidationError) -> String {
        guard isValid(text) else {
            throw ValidationError(field: field, rule: "must be a UUID (8-4-4-4-12 hex digits)")
        }
        return text.lowercased()
    }
}
