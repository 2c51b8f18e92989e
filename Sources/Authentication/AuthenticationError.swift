/// Why a caller was refused; the edges map `code` to 401/403 (REST) or UNAUTHENTICATED/PERMISSION_DENIED (gRPC).
public struct AuthenticationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The kind of refusal.
    public enum Code: Sendable, Equatable {
        /// No usable credential: missing, malformed, forged, expired (401 / UNAUTHENTICATED).
        case unauthenticated
        /// A valid credential without the role the call needs (403 / PERMISSION_DENIED).
        case permissionDenied
    }

    /// The kind of refusal.
    public var code: Code
    /// A message safe to return to the caller (never the token).
    public var message: String

    /// Creates an error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// The message.
    public var description: String { message }
}
