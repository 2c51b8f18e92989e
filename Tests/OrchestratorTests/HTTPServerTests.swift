import Day2Testing
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Inventory
import Logging
import Orchestrator
import Prometheus
import Testing

@Suite("Orchestrator HTTP endpoints")
struct HTTPServerTests {
    @Test("healthz reports the database and schema; metrics counts requests")
    func healthAndMetrics() async throws {
        let store = try await SQLInventoryStore.sqlite(path: nil, logger: Logger(label: "test"))
        let registry = PrometheusCollectorRegistry()
        let router = HTTPServer.makeRouter(store: store, registry: registry, logger: Logger(label: "test"))
        let app = Application(router: router)
        try await app.test(.router) { client in
            try await client.execute(uri: "/healthz", method: .get) { response in
                #expect(response.status == .ok)
                let body =
                    try JSONSerialization.jsonObject(with: Data(String(buffer: response.body).utf8)) as? [String: Any]
                #expect(body?["status"] as? String == "ok")
                #expect(body?["schemaVersion"] as? Int == InventorySchema.latestVersion)
            }
            try await client.execute(uri: "/metrics", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType]?.hasPrefix("text/plain") == true)
                let text = String(buffer: response.body)
                #expect(text.contains(#"day2_http_requests_total{method="GET",status="200"} 1"#))
            }
            try await client.execute(uri: "/no-such-path", method: .get) { response in
                #expect(response.status == .notFound)
            }
        }
    }
}
