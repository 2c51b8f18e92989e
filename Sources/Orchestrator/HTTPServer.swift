import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Inventory
import Logging
import Metrics
import NIOCore
import NIOSSL
import Northbound
import Prometheus
import ReleaseService
import WebUI

/// The HTTP side of the orchestrator: health, metrics, and (in later layers) the REST API and Web UI.
public enum HTTPServer {
    /// The router every HTTP listener serves; tests use exactly this. Without `api` only health and metrics are
    /// served; with `release` the built-in Release Service is served too (`/release/files/`, `/v2/`).
    public static func makeRouter<Store: InventoryStore>(
        store: Store,
        registry: PrometheusCollectorRegistry,
        api: NorthboundAPI<Store>? = nil,
        release: ReleaseServiceRoutes? = nil,
        logger: Logger
    ) -> Router<APIContext> {
        let router = Router(context: APIContext.self)
        router.add(middleware: RequestMetricsMiddleware(factory: PrometheusMetricsFactory(registry: registry)))
        router.add(middleware: APIErrorMiddleware(logger: logger))
        router.get("/healthz") { _, _ -> Response in
            do {
                try await store.ping()
                let version = try await store.schemaVersion()
                return json(.ok, ["status": "ok", "database": "ok", "schemaVersion": version])
            } catch {
                logger.warning("health check failed", metadata: ["error": "\(error)"])
                return json(.serviceUnavailable, ["status": "unavailable", "database": "\(error)"])
            }
        }
        // Liveness without touching the database: the process answers (probes; the REST benchmark's baseline).
        router.get("/livez") { _, _ -> Response in json(.ok, ["status": "ok"]) }
        router.get("/metrics") { _, _ -> Response in
            Response(
                status: .ok,
                headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: registry.emitToString()))
            )
        }
        api?.register(on: router)
        if api != nil { WebUI(logger: logger).register(on: router) }
        router.get("/") { _, _ -> Response in Response(status: .found, headers: [.location: "/ui/"]) }
        release?.register(on: router)
        return router
    }

    /// A JSON response from a dictionary.
    static func json(_ status: HTTPResponse.Status, _ object: [String: any Sendable]) -> Response {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data("{}".utf8)
        return Response(
            status: status,
            headers: [.contentType: "application/json"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: data))
        )
    }
}

/// Counts requests by method and status class and times them, through an injected metrics factory.
struct RequestMetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    let factory: any MetricsFactory

    func handle(
        _ request: Request,
        context: Context,
        next: (Request, Context) async throws -> Response
    ) async throws
        -> Response
    {
        let start = ContinuousClock.now
        let method = request.method.rawValue
        do {
            let response = try await next(request, context)
            record(method: method, status: response.status.code, since: start)
            return response
        } catch {
            let status = (error as? any HTTPResponseError)?.status.code ?? 500
            record(method: method, status: status, since: start)
            throw error
        }
    }

    private func record(method: String, status: Int, since start: ContinuousClock.Instant) {
        let dimensions = [("method", method), ("status", "\(status)")]
        Counter(label: "day2_http_requests_total", dimensions: dimensions, factory: factory).increment()
        Timer(label: "day2_http_request_duration_seconds", dimensions: [("method", method)], factory: factory)
            .record(duration: ContinuousClock.now - start)
    }
}

extension HTTPServer {
    /// HTTP/1.1, or HTTPS when a certificate and key are configured.
    static func serverBuilder(configuration: OrchestratorConfiguration) throws -> HTTPServerBuilder {
        guard !configuration.httpTLSCert.isEmpty else { return .http1() }
        do {
            let chain = try NIOSSLCertificate.fromPEMFile(configuration.httpTLSCert).map {
                NIOSSLCertificateSource.certificate($0)
            }
            let key = try NIOSSLPrivateKey(file: configuration.httpTLSKey, format: .pem)
            let tls = TLSConfiguration.makeServerConfiguration(certificateChain: chain, privateKey: .privateKey(key))
            return try .tls(.http1(), tlsConfiguration: tls)
        } catch {
            throw ConfigurationError(key: "httpTlsCert", rule: "cannot load the certificate or key: \(error)")
        }
    }
}
