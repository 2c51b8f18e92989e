import Authentication
import Hummingbird

/// The request context of every HTTP route: Hummingbird's core storage plus the verified token's claims.
public struct APIContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The claims of the caller's verified bearer token (set by ``BearerAuthMiddleware``).
    public var claims: Claims?

    public init(source: Source) {
        coreContext = .init(source: source)
        claims = nil
    }

    /// Request bodies larger than this are refused with 413 (upstream's limit is 100 KB; an OS resource with its
    /// CVE lists can be larger, so Day2 allows 1 MiB).
    public var maxUploadSize: Int { 1024 * 1024 }
}
