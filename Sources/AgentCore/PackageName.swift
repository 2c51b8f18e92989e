/// Debian package names: what the agent accepts before passing a name to apt or dpkg.
public enum PackageName {
    /// True for a Debian package name: lower-case letters, digits, `+`, `-`, `.`, at least two characters,
    /// starting with a letter or digit (so a name can never be read as an option).
    public static func isValid(_ name: String) -> Bool {
        let bytes = Array(name.utf8)
        guard bytes.count >= 2, bytes.count <= 128 else { return false }
        func allowed(_ byte: UInt8) -> Bool {
            (97...122).contains(byte) || (48...57).contains(byte) || byte == 43 || byte == 45 || byte == 46
        }
        guard let first = bytes.first, (97...122).contains(first) || (48...57).contains(first) else { return false }
        return bytes.allSatisfy(allowed)
    }
}
