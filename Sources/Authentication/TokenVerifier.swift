import Foundation
import JWTKit
import Synchronization

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Verifies bearer tokens: signature (HS256 shared secret and/or RS256/ES256 keys from a JWKS URL) and expiry.
///
/// Unlike the Edge Infrastructure Manager, nothing is ever taken from a token whose signature was not checked.
public final class TokenVerifier: Sendable {
    private let keys: JWTKeyCollection
    private let jwksURL: URL?
    private let lastJWKSFetch = Mutex<Date?>(nil)
    /// Recently verified tokens → their claims and until when the result may be reused.
    private let verified = Mutex<[String: (claims: Claims, until: Date)]>([:])
    private static let cacheLimit = 200_000
    private static let cacheSeconds: TimeInterval = 300
    private let canIssue: Bool

    /// The shortest HS256 secret accepted.
    public static let minimumSecretBytes = 32

    /// Creates a verifier; at least one of `hmacSecret` and `jwksURL` must be given.
    public init(hmacSecret: String?, jwksURL: URL?) async throws {
        guard hmacSecret?.isEmpty == false || jwksURL != nil else {
            throw AuthenticationError(.unauthenticated, "no token verification key configured (jwt secret or JWKS URL)")
        }
        if let hmacSecret, !hmacSecret.isEmpty, hmacSecret.utf8.count < Self.minimumSecretBytes {
            throw AuthenticationError(
                .unauthenticated,
                "jwtSecret: must be at least \(Self.minimumSecretBytes) bytes (HS256 needs a key as long as its hash)"
            )
        }
        keys = JWTKeyCollection()
        if let hmacSecret, !hmacSecret.isEmpty {
            await keys.add(hmac: HMACKey(from: hmacSecret), digestAlgorithm: .sha256)
        }
        canIssue = hmacSecret?.isEmpty == false
        self.jwksURL = jwksURL
        if jwksURL != nil { try await refreshJWKS(force: true) }
    }

    /// The claims of a verified `Authorization` header value (`Bearer <token>`).
    public func verify(authorization: String?) async throws(AuthenticationError) -> Claims {
        guard let authorization, !authorization.isEmpty else {
            throw AuthenticationError(.unauthenticated, "Request unauthenticated with Bearer")
        }
        let parts = authorization.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else {
            throw AuthenticationError(.unauthenticated, "Request unauthenticated with Bearer")
        }
        let token = parts[1].trimmingCharacters(in: .whitespaces)
        guard !token.isEmpty else { throw AuthenticationError(.unauthenticated, "Request unauthenticated with Bearer") }
        let now = Date()
        if let hit = verified.withLock({ $0[token] }), hit.until > now, hit.claims.exp.value > now {
            return hit.claims
        }
        do {
            let claims = try await keys.verify(token, as: Claims.self)
            remember(token, claims, now: now)
            return claims
        } catch {
            // A key rotated at the issuer: fetch the JWKS again (at most every 30 s) and retry once.
            if jwksURL != nil, (try? await refreshJWKS(force: false)) == true,
                let claims = try? await keys.verify(token, as: Claims.self)
            {
                return claims
            }
            if case let error as JWTError = error, error.errorType == .claimVerificationFailure {
                throw AuthenticationError(.unauthenticated, "token expired")
            }
            throw AuthenticationError(.unauthenticated, "invalid token")
        }
    }

    /// Keeps a verified token's claims for reuse until it expires (at most `cacheSeconds`).
    private func remember(_ token: String, _ claims: Claims, now: Date) {
        let until = min(claims.exp.value, now.addingTimeInterval(Self.cacheSeconds))
        verified.withLock { cache in
            if cache.count >= Self.cacheLimit { cache.removeAll(keepingCapacity: true) }
            cache[token] = (claims, until)
        }
    }

    /// Signs `claims` with the shared secret (the embedded token issuer); fails without a secret.
    public func issue(_ claims: Claims) async throws -> String {
        guard canIssue else {
            throw AuthenticationError(.unauthenticated, "this server verifies tokens from an external issuer only")
        }
        return try await keys.sign(claims)
    }

    /// Reloads the JWKS; returns whether it fetched (false when the last fetch was less than 30 s ago).
    @discardableResult
    private func refreshJWKS(force: Bool) async throws -> Bool {
        guard let jwksURL else { return false }
        let now = Date()
        let due = lastJWKSFetch.withLock { last -> Bool in
            if !force, let last, now.timeIntervalSince(last) < 30 { return false }
            last = now
            return true
        }
        guard due else { return false }
        let (data, response) = try await URLSession.shared.data(from: jwksURL)
        guard let status = (response as? HTTPURLResponse)?.statusCode, status == 200 else {
            throw AuthenticationError(.unauthenticated, "JWKS at \(jwksURL) could not be fetched")
        }
        try await keys.add(jwksJSON: String(decoding: data, as: UTF8.self))
        return true
    }
}
