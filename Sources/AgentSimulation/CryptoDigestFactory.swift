import AgentCore
import Crypto

/// SHA-256 from swift-crypto (BoringSSL on Linux).
public struct CryptoDigestFactory: DigestFactory {
    /// Creates the factory.
    public init() {}

    public func makeSHA256() -> any RunningDigest { Running() }

    struct Running: RunningDigest {
        var hasher = SHA256()
        mutating func update(_ bytes: UnsafeRawBufferPointer) { hasher.update(bufferPointer: bytes) }
        func finalizeHex() -> String {
            hasher.finalize().map { byte in
                let hex = String(byte, radix: 16)
                return byte < 16 ? "0" + hex : hex
            }.joined()
        }
    }

    /// The hex SHA-256 of `bytes`.
    public static func hex(_ bytes: [UInt8]) -> String {
        var running = Running()
        bytes.withUnsafeBytes { running.update($0) }
        return running.finalizeHex()
    }
}
