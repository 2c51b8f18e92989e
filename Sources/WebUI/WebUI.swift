import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// The Web UI: static files served under `/ui` by the orchestrator itself (no other host is ever contacted).
///
/// `GET /ui` and `/ui/` answer the page (revalidated on every load); everything else lives under
/// `/ui/v/<version>/` and may be cached for a year. Every answer carries a Content-Security-Policy that allows
/// this origin only.
public struct WebUI: Sendable {
    /// The policy sent with every UI answer: scripts, styles, images and requests from this origin only.
    public static let contentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
        + "connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

    private let assets: Result<WebUIAssets, WebUIError>
    private let logger: Logger

    /// Loads the assets from `folder`, or from the resource bundle next to the executable when nil.
    public init(folder: URL? = nil, logger: Logger) {
        self.logger = logger
        guard let folder = folder ?? WebUIAssets.locate() else {
            assets = .failure(WebUIError(message: "day2_WebUI.resources is not next to the executable"))
            return
        }
        do {
            assets = .success(try WebUIAssets.load(from: folder))
        } catch let error as WebUIError {
            assets = .failure(error)
        } catch {
            assets = .failure(WebUIError(message: "cannot read \(folder.path): \(error)"))
        }
    }

    /// The version segment of the asset addresses, or nil when the assets could not be loaded.
    public var version: String? { try? assets.get().version }

    /// Adds `GET /ui` (and `/ui/`) and one route per asset to `router`.
    public func register<Context: RequestContext>(on router: Router<Context>) {
        let assets: WebUIAssets
        switch self.assets {
        case .success(let loaded):
            assets = loaded
        case .failure(let error):
            logger.warning("web UI not served", metadata: ["error": "\(error)"])
            let message = "The Web UI is not available: \(error.message).\n"
            router.get("/ui") { _, _ -> Response in
                Self.response(.serviceUnavailable, contentType: "text/plain; charset=utf-8", message)
            }
            return
        }
        // The router ignores a trailing slash: this answers `/ui` and `/ui/`.
        router.get("/ui") { request, _ -> Response in
            Self.serve(assets.index, request, cacheControl: "no-cache")
        }
        for asset in assets.files.values {
            router.get(RouterPath("/ui/v/\(assets.version)/\(asset.path)")) { request, _ -> Response in
                Self.serve(asset, request, cacheControl: "public, max-age=31536000, immutable")
            }
        }
        logger.debug(
            "web UI served",
            metadata: ["ui.version": "\(assets.version)", "ui.files": "\(assets.files.count)"]
        )
    }

    /// The headers every UI answer carries.
    static func securityHeaders() -> HTTPFields {
        var headers = HTTPFields()
        headers[.contentSecurityPolicy] = contentSecurityPolicy
        headers[.xContentTypeOptions] = "nosniff"
        headers[HTTPField.Name("Referrer-Policy")!] = "no-referrer"
        return headers
    }

    private static func serve(_ asset: WebUIAsset, _ request: Request, cacheControl: String) -> Response {
        var headers = securityHeaders()
        headers[.cacheControl] = cacheControl
        headers[.eTag] = asset.etag
        if let tags = request.headers[.ifNoneMatch],
            tags.split(separator: ",").contains(where: { $0.trimmingCharacters(in: .whitespaces) == asset.etag })
        {
            return Response(status: .notModified, headers: headers)
        }
        headers[.contentType] = asset.contentType
        headers[.contentLength] = String(asset.bytes.readableBytes)
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: asset.bytes))
    }

    private static func response(_ status: HTTPResponse.Status, contentType: String, _ text: String) -> Response {
        var headers = securityHeaders()
        headers[.contentType] = contentType
        headers[.cacheControl] = "no-store"
        return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }
}
