import Crypto

/// The OCI distribution grammar of repository names, tags and digests, checked before any of them touches a path.
enum OCIGrammar {
    /// Lower-case components (`[a-z0-9]+` joined by `.`, `_`, `__` or dashes) separated by `/`.
    static func isRepository(_ name: String) -> Bool {
        guard !name.isEmpty, name.utf8.count <= 255 else { return false }
        return name.split(separator: "/", omittingEmptySubsequences: false).allSatisfy { component in
            let bytes = Array(component.utf8)
            guard let first = bytes.first, let last = bytes.last, alnum(first), alnum(last) else { return false }
            var previousSeparator: [UInt8] = []
            for byte in bytes {
                if alnum(byte) {
                    guard previousSeparator.isEmpty || validSeparator(previousSeparator) else { return false }
                    previousSeparator = []
                } else {
                    previousSeparator.append(byte)
                }
            }
            return true
        }
    }

    private static func validSeparator(_ separator: [UInt8]) -> Bool {
        let text = String(decoding: separator, as: UTF8.self)
        return text == "." || text == "_" || text == "__" || text.allSatisfy { $0 == "-" }
    }

    private static func alnum(_ byte: UInt8) -> Bool { (97...122).contains(byte) || (48...57).contains(byte) }

    /// `[A-Za-z0-9_][A-Za-z0-9._-]{0,127}`.
    static func isTag(_ tag: String) -> Bool {
        let bytes = Array(tag.utf8)
        guard let first = bytes.first, bytes.count <= 128 else { return false }
        let word: (UInt8) -> Bool = { alnum($0) || (65...90).contains($0) || $0 == UInt8(ascii: "_") }
        return word(first)
            && bytes.dropFirst().allSatisfy { word($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-") }
    }

    /// `sha256:` and 64 lower-case hex characters.
    static func isDigest(_ digest: String) -> Bool {
        guard digest.hasPrefix("sha256:") else { return false }
        let hex = digest.utf8.dropFirst(7)
        return hex.count == 64 && hex.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
    }

    /// Lower-case hex SHA-256 of `bytes`.
    static func sha256Hex(_ bytes: some Sequence<UInt8>) -> String {
        hex(SHA256.hash(data: Array(bytes)))
    }

    static func hex(_ digest: some Sequence<UInt8>) -> String {
        let table = Array("0123456789abcdef".utf8)
        var out: [UInt8] = []
        for byte in digest {
            out.append(table[Int(byte >> 4)])
            out.append(table[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
