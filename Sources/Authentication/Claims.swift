import Foundation
import JWTKit

/// The claims Day2 reads from a bearer token: subject, expiry and Keycloak-style realm roles.
public struct Claims: JWTPayload, Equatable {
    /// Keycloak's `realm_access` object.
    public struct RealmAccess: Codable, Sendable, Equatable {
        /// Role names, e.g. `<projectUUID>_im-rw` or `<projectUUID>_en-agent-rw`.
        public var roles: [String]

        /// Creates the object.
        public init(roles: [String]) { self.roles = roles }
    }

    /// Who the token is for.
    public var sub: SubjectClaim
    /// When it expires (required: a token without expiry is refused).
    public var exp: ExpirationClaim
    /// When it was issued.
    public var iat: IssuedAtClaim?
    /// Who issued it.
    public var iss: IssuerClaim?
    /// The user name, when the issuer includes it.
    public var preferred_username: String?
    /// Realm roles.
    public var realm_access: RealmAccess?

    /// Creates claims.
    public init(subject: String, expires: Date, issued: Date? = nil, issuer: String? = nil, roles: [String]) {
        sub = SubjectClaim(value: subject)
        exp = ExpirationClaim(value: expires)
        iat = issued.map { IssuedAtClaim(value: $0) }
        iss = issuer.map { IssuerClaim(value: $0) }
        preferred_username = subject
        realm_access = RealmAccess(roles: roles)
    }

    /// The realm roles (empty when the token has none).
    public var roles: [String] { realm_access?.roles ?? [] }

    public func verify(using algorithm: some JWTAlgorithm) async throws {
        try exp.verifyNotExpired()
    }
}
