import Foundation
import Logging

/// The HS256 secret of this installation: configured, or kept in the data folder so tokens survive restarts.
enum JWTSecret {
    /// The configured secret; else the one in `<data-dir>/jwt-secret`, created (0600, 32 random bytes) if missing;
    /// nil when only an external issuer (JWKS) is configured.
    static func resolve(configuration: OrchestratorConfiguration, logger: Logger) throws -> String? {
        if !configuration.jwtSecret.isEmpty { return configuration.jwtSecret }
        if !configuration.jwtJWKSURL.isEmpty { return nil }
        let folder = configuration.dataDirectory
        let path = (folder as NSString).appendingPathComponent("jwt-secret")
        if let existing = FileManager.default.contents(atPath: path), !existing.isEmpty {
            return String(decoding: existing, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        try StoreOpener.makePrivateFolder(folder)
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let secret = Data(bytes).base64EncodedString()
        guard
            FileManager.default.createFile(
                atPath: path,
                contents: Data(secret.utf8),
                attributes: [.posixPermissions: 0o600]
            )
        else {
            throw ConfigurationError(key: "jwtSecret", rule: "cannot write \(path)")
        }
        if configuration.usesPostgres {
            logger.warning(
                "generated a token secret for this replica only; replicas sharing a database need the same --jwt-secret"
            )
        }
        logger.info("created token secret", metadata: ["file": "\(path)"])
        return secret
    }
}
