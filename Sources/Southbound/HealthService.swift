import GRPCCore
import SouthboundContract
import Synchronization

/// `grpc.health.v1.Health`: SERVING for the server as a whole and for the Maintenance Manager service while the
/// server runs, NOT_SERVING once it is shutting down.
public final class HealthService: Grpc_Health_V1_Health.ServiceProtocol {
    private let serving = Mutex(true)

    /// The services this server reports on, besides the empty name (the whole server).
    public static let services: Set<String> = ["", "maintmgr.v1.MaintmgrService"]

    /// Creates the service, serving.
    public init() {}

    /// Reports NOT_SERVING from now on (called when shutdown begins).
    public func markNotServing() {
        serving.withLock { $0 = false }
    }

    private func status(for service: String) throws -> Grpc_Health_V1_HealthCheckResponse {
        guard Self.services.contains(service) else {
            throw RPCError(code: .notFound, message: "unknown service \(service)")
        }
        var response = Grpc_Health_V1_HealthCheckResponse()
        response.status = serving.withLock { $0 } ? .serving : .notServing
        return response
    }

    public func check(
        request: ServerRequest<Grpc_Health_V1_HealthCheckRequest>,
        context: ServerContext
    ) async throws -> ServerResponse<Grpc_Health_V1_HealthCheckResponse> {
        ServerResponse(message: try status(for: request.message.service))
    }

    public func watch(
        request: ServerRequest<Grpc_Health_V1_HealthCheckRequest>,
        context: ServerContext
    ) async throws -> StreamingServerResponse<Grpc_Health_V1_HealthCheckResponse> {
        let service = request.message.service
        return StreamingServerResponse { writer in
            var last: Grpc_Health_V1_HealthCheckResponse.ServingStatus?
            while !Task.isCancelled {
                var response = Grpc_Health_V1_HealthCheckResponse()
                if HealthService.services.contains(service) {
                    response.status = self.serving.withLock { $0 } ? .serving : .notServing
                } else {
                    response.status = .serviceUnknown
                }
                if response.status != last {
                    try await writer.write(response)
                    last = response.status
                }
                try await Task.sleep(for: .seconds(1))
            }
            return [:]
        }
    }
}
