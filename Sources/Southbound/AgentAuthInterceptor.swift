import Authentication
import GRPCCore

/// Authenticates agents: verifies the bearer token (signature and expiry) and derives the project from its
/// `<projectUUID>_en-agent-rw` role, then hands the verified project to the service in request metadata.
///
/// Any `day2-verified-project` value the client sent is removed first, so only this interceptor can set it.
public struct AgentAuthInterceptor: ServerInterceptor {
    /// The metadata key carrying the verified project to the service.
    public static let projectKey = "day2-verified-project"

    let verifier: TokenVerifier

    /// Creates the interceptor.
    public init(verifier: TokenVerifier) {
        self.verifier = verifier
    }

    public func intercept<Input: Sendable, Output: Sendable>(
        request: StreamingServerRequest<Input>,
        context: ServerContext,
        next: @Sendable (StreamingServerRequest<Input>, ServerContext) async throws -> StreamingServerResponse<Output>
    ) async throws -> StreamingServerResponse<Output> {
        var request = request
        request.metadata.removeAllValues(forKey: Self.projectKey)
        let authorization = request.metadata[stringValues: "authorization"].first(where: { _ in true })
        do {
            let claims = try await verifier.verify(authorization: authorization)
            let project = try Roles.agentProject(in: claims.roles)
            request.metadata.addString(project, forKey: Self.projectKey)
        } catch {
            throw RPCError(
                code: error.code == .permissionDenied ? .permissionDenied : .unauthenticated,
                message: error.message
            )
        }
        return try await next(request, context)
    }
}
