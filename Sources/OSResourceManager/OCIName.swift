import Crypto

/// The grammar of OCI distribution names, tags and digests, checked before any of them goes into a URL.
public enum OCIName {
    /// Whether `name` is a repository name: lower-case components (`[a-z0-9]+` joined by `.`, `_`, `__` or dashes)
    /// separated by `/`.
    public static func isRepository(_ name: String) -> Bool {
        guard !name.isEmpty, name.utf8.count <= 255 else { return false }
        return name.split(separator: "/", omittingEmptySubsequences: false).allSatisfy(isComponent)
    }

    private static func isComponent(_ component: Substring) -> Bool {
        let bytes = Array(component.utf8)
        guard let first = bytes.first, let last = bytes.last, isLowerAlnum(first), isLowerAlnum(last) else {
            return false
        }
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            if isLowerAlnum(byte) {
                index += 1
                continue
            }
            // A separator: ".", "_", "__" or one or more "-", always followed by an alphanumeric.
            var end = index
            if byte == UInt8(ascii: "-") {
                while end < bytes.count, bytes[end] == UInt8(ascii: "-") { end += 1 }
            } else if byte == UInt8(ascii: ".") {
                end += 1
            } else if byte == UInt8(ascii: "_") {
                end += 1
                if end < bytes.count, bytes[end] == UInt8(ascii: "_") { end += 1 }
            } else {
                return false
            }
            guard end < bytes.count, isLowerAlnum(bytes[end]) else { return false }
            index = end
        }
        return true
    }

    private static func isLowerAlnum(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }

    /// Whether `tag` is a tag: `[A-Za-z0-9_][A-Za-z0-9._-]{0,127}`.
    public static func isTag(_ tag: String) -> Bool {
        let bytes = Array(tag.utf8)
        guard let first = bytes.first, bytes.count <= 128 else { return false }
        let word: (UInt8) -> Bool = { byte in
            isLowerAlnum(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte) || byte == UInt8(ascii: "_")
        }
        return word(first)
            && bytes.dropFirst().allSatisfy { word($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "-") }
    }

    /// Whether `digest` is a SHA-256 digest, `sha256:` and 64 lower-case hex characters (the only algorithm Day2
    /// verifies).
    public static func isDigest(_ digest: String) -> Bool {
        guard digest.hasPrefix("sha256:") else { return false }
        let hex = digest.utf8.dropFirst(7)
        return hex.count == 64 && hex.allSatisfy { (48...57).contains($0) || (97...102).contains($0) }
    }

    /// `sha256:` and the hex SHA-256 of `bytes`.
    public static func digest(of bytes: some Sequence<UInt8>) -> String {
        "sha256:" + hex(SHA256.hash(data: Array(bytes)))
    }

    /// Lower-case hex of a digest.
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
