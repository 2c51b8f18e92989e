import Authentication
import Day2Model
import Foundation
import HTTPTypes
import Hummingbird
import Inventory
import Logging
import NIOCore

/// An error answered by the REST API as `{"code": "<gRPC code name>", "message": "…"}`, with the HTTP status of
/// grpc-gateway's mapping (so clients written for upstream read it unchanged).
public struct APIError: Error, Sendable, CustomStringConvertible {
    /// The HTTP status.
    public var status: HTTPResponse.Status
    /// The gRPC-style code name: `InvalidArgument`, `NotFound`, `PermissionDenied`, ….
    public var code: String
    /// A message safe for the caller.
    public var message: String

    /// Creates an error.
    public init(_ status: HTTPResponse.Status, _ code: String, _ message: String) {
        self.status = status
        self.code = code
        self.message = message
    }

    public var description: String { "\(code): \(message)" }

    static func invalid(_ field: String, _ rule: String) -> APIError {
        APIError(.badRequest, "InvalidArgument", "\(field): \(rule)")
    }

    static func forbidden(_ message: String) -> APIError { APIError(.forbidden, "PermissionDenied", message) }

    /// Maps any error from the layers below onto the API's error shape.
    static func from(_ error: any Error) -> APIError? {
        switch error {
        case let error as APIError:
            return error
        case let error as ValidationError:
            return APIError(.badRequest, "InvalidArgument", error.description)
        case let error as InventoryError:
            let status: HTTPResponse.Status =
                switch error.code {
                case .notFound: .notFound
                case .invalidArgument, .failedPrecondition: .badRequest
                case .conflict: .conflict
                case .unavailable: .serviceUnavailable
                default: .internalServerError
                }
            return APIError(status, error.code.description, error.message)
        case is NIOTooManyBytesError:
            return APIError(.contentTooLarge, "ResourceExhausted", "body: must be at most 1 MiB")
        case let error as AuthenticationError:
            return APIError(.unauthorized, "Unauthenticated", error.message)
        case let error as HTTPError:
            let code =
                switch error.status {
                case .notFound: "NotFound"
                case .contentTooLarge: "ResourceExhausted"
                case .methodNotAllowed: "Unimplemented"
                case .badRequest: "InvalidArgument"
                default: "Unknown"
                }
            return APIError(error.status, code, error.body ?? error.status.reasonPhrase)
        default:
            return nil
        }
    }

    /// The JSON response.
    var response: Response {
        JSONResponse.make(status, .object([("code", .string(code)), ("message", .string(message))]))
    }
}

/// Turns every error thrown below into the API's JSON error body; unexpected errors are logged and answered 500
/// without details.
public struct APIErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    let logger: Logger

    /// Creates the middleware; unexpected errors are logged to `logger`.
    public init(logger: Logger) { self.logger = logger }

    public func handle(
        _ request: Request,
        context: Context,
        next: (Request, Context) async throws -> Response
    ) async throws
        -> Response
    {
        do {
            return try await next(request, context)
        } catch {
            if let mapped = APIError.from(error) { return mapped.response }
            logger.error(
                "request failed",
                metadata: ["http.path": "\(request.uri.path)", "error": "\(String(reflecting: error))"]
            )
            return APIError(.internalServerError, "Internal", "internal error").response
        }
    }
}

/// JSON responses.
enum JSONResponse {
    static func make(_ status: HTTPResponse.Status = .ok, _ json: JSON) -> Response {
        Response(
            status: status,
            headers: [.contentType: "application/json"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: json.bytes))
        )
    }
}
