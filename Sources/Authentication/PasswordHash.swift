import Crypto
import Foundation

/// A stored password: PBKDF2-HMAC-SHA256 with a random salt, written as `pbkdf2-sha256$<iterations>$<salt>$<hash>`
/// (hex), so a leaked configuration or data folder does not reveal the password itself.
public struct PasswordHash: Sendable, Hashable, CustomStringConvertible {
    /// Iterations for new hashes.
    public static let defaultIterations = 60_000

    let iterations: Int
    let salt: [UInt8]
    let hash: [UInt8]

    /// Hashes `password` with a fresh random salt.
    public init(password: String, iterations: Int = PasswordHash.defaultIterations) {
        var generator = SystemRandomNumberGenerator()
        let salt = (0..<16).map { _ in UInt8.random(in: 0...255, using: &generator) }
        self.iterations = iterations
        self.salt = salt
        self.hash = Self.derive(password, salt: salt, iterations: iterations)
    }

    /// Parses the stored form; nil when it is not one.
    public init?(encoded: String) {
        let parts = encoded.split(separator: "$")
        guard parts.count == 4, parts[0] == "pbkdf2-sha256", let iterations = Int(parts[1]), iterations > 0,
            let salt = Self.bytes(hex: parts[2]), let hash = Self.bytes(hex: parts[3]), hash.count == 32
        else { return nil }
        self.iterations = iterations
        self.salt = salt
        self.hash = hash
    }

    /// The stored form.
    public var description: String {
        "pbkdf2-sha256$\(iterations)$\(Self.hex(salt))$\(Self.hex(hash))"
    }

    /// Whether `password` is the one hashed (compared in constant time).
    public func matches(_ password: String) -> Bool {
        let candidate = Self.derive(password, salt: salt, iterations: iterations)
        var difference: UInt8 = 0
        for (a, b) in zip(candidate, hash) { difference |= a ^ b }
        return difference == 0 && candidate.count == hash.count
    }

    /// PBKDF2 (RFC 8018) with HMAC-SHA256, one 32-byte block.
    static func derive(_ password: String, salt: [UInt8], iterations: Int) -> [UInt8] {
        let key = SymmetricKey(data: Array(password.utf8))
        var block = Array(HMAC<SHA256>.authenticationCode(for: salt + [0, 0, 0, 1], using: key))
        var result = block
        for _ in 1..<max(iterations, 1) {
            block = Array(HMAC<SHA256>.authenticationCode(for: block, using: key))
            for index in result.indices { result[index] ^= block[index] }
        }
        return result
    }

    private static func hex(_ bytes: [UInt8]) -> String {
        bytes.map { String(format: "%02x", $0) }.joined()
    }

    private static func bytes(hex: Substring) -> [UInt8]? {
        guard hex.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            guard let byte = UInt8(hex[index..<next], radix: 16) else { return nil }
            bytes.append(byte)
            index = next
        }
        return bytes
    }
}
