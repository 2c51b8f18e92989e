import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// The built-in Release Service's HTTP routes: the folder read-only at `/release/files/` (with Range requests and
/// the SHA-256 in `X-Checksum-Sha256` and `Repr-Digest`), and the OCI distribution read API at `/v2/` over the
/// layouts in the folder's `oci/`. Nothing here needs a token: like the upstream Release Service, it serves public
/// content.
public struct ReleaseServiceRoutes: Sendable {
    /// The folder served.
    public let folder: ReleaseFolder
    let files: FileIO
    let digests: FileDigestCache

    /// Serves `folder`.
    public init(folder: ReleaseFolder) {
        self.folder = folder
        self.files = FileIO()
        self.digests = FileDigestCache()
    }

    /// The path prefix of the file server.
    public static let filesPrefix = "/release/files/"

    /// Adds the routes to `router`.
    public func register<Context: RequestContext>(on router: Router<Context>) {
        router.get("/release/files/**") { request, context in await fileResponse(request, context: context, head: false)
        }
        router.head("/release/files/**") { request, context in await fileResponse(request, context: context, head: true)
        }
        router.get("/v2/") { _, _ in Self.apiRoot() }
        router.head("/v2/") { _, _ in Self.apiRoot() }
        router.get("/v2/**") { request, context in await registryResponse(request, context: context, head: false) }
        router.head("/v2/**") { request, context in await registryResponse(request, context: context, head: true) }
    }

    // MARK: Files

    private func fileResponse<Context: RequestContext>(
        _ request: Request,
        context: Context,
        head: Bool
    ) async
        -> Response
    {
        let raw = String(request.uri.path.dropFirst(Self.filesPrefix.count))
        guard let relative = raw.removingPercentEncoding else {
            return Self.text(.badRequest, "the path is not valid percent-encoding")
        }
        let path: String
        do {
            path = try folder.file(at: relative)
        } catch let error as ReleaseServiceError {
            return Self.text(error.code == .badPath ? .badRequest : .notFound, error.message)
        } catch {
            return Self.text(.notFound, "not found")
        }
        return await serve(
            path: path,
            request: request,
            context: context,
            head: head,
            contentType: "application/octet-stream",
            extra: [:]
        )
    }

    /// A file, whole or the one range asked for, with its length, SHA-256 and validators.
    private func serve<Context: RequestContext>(
        path: String,
        request: Request,
        context: Context,
        head: Bool,
        contentType: String,
        extra: HTTPFields
    ) async -> Response {
        let hex: String
        let size: Int
        do {
            (hex, size) = try await digests.digest(of: path)
        } catch {
            return Self.text(.notFound, "not found")
        }
        var headers = extra
        headers[.contentType] = contentType
        headers[.acceptRanges] = "bytes"
        headers[.eTag] = "\"\(hex)\""
        headers[Self.checksumHeader] = hex
        headers[Self.reprDigestHeader] = "sha-256=:\(Self.base64(ofHex: hex)):"
        var range: ClosedRange<Int>?
        if let value = request.headers[.range] {
            let ifRange = request.headers[.ifRange]
            if ifRange == nil || ifRange == "\"\(hex)\"" {
                switch Self.byteRange(value, size: size) {
                case .whole: break
                case .range(let parsed): range = parsed
                case .unsatisfiable:
                    headers[.contentRange] = "bytes */\(size)"
                    return Response(status: .rangeNotSatisfiable, headers: headers, body: ResponseBody())
                }
            }
        }
        let status: HTTPResponse.Status = range == nil ? .ok : .partialContent
        if let range { headers[.contentRange] = "bytes \(range.lowerBound)-\(range.upperBound)/\(size)" }
        headers[.contentLength] = String(range.map { $0.count } ?? size)
        if head || size == 0 { return Response(status: status, headers: headers, body: ResponseBody()) }
        do {
            let body = try await files.loadFile(path: path, range: range ?? 0...(size - 1), context: context)
            return Response(status: status, headers: headers, body: body)
        } catch {
            return Self.text(.notFound, "not found")
        }
    }

    enum RangeAnswer: Equatable {
        case whole
        case range(ClosedRange<Int>)
        case unsatisfiable
    }

    /// One `bytes=` range of a file of `size` bytes; several ranges or a malformed header mean the whole file.
    static func byteRange(_ header: String, size: Int) -> RangeAnswer {
        guard header.hasPrefix("bytes="), !header.contains(",") else { return .whole }
        let spec = header.dropFirst(6).trimmingCharacters(in: .whitespaces)
        guard let dash = spec.firstIndex(of: "-") else { return .whole }
        let first = spec[..<dash]
        let last = spec[spec.index(after: dash)...]
        if first.isEmpty {
            guard let suffix = Int(last), suffix > 0 else { return last.isEmpty ? .whole : .unsatisfiable }
            guard size > 0 else { return .unsatisfiable }
            return .range(max(0, size - suffix)...(size - 1))
        }
        guard let start = Int(first), start >= 0 else { return .whole }
        let end: Int
        if last.isEmpty {
            end = size - 1
        } else {
            guard let parsed = Int(last), parsed >= start else { return .whole }
            end = min(parsed, size - 1)
        }
        guard start < size else { return .unsatisfiable }
        return .range(start...end)
    }

    // MARK: OCI distribution

    private static func apiRoot() -> Response {
        Response(
            status: .ok,
            headers: [.contentType: "application/json", apiVersionHeader: "registry/2.0"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: "{}"))
        )
    }

    private func registryResponse<Context: RequestContext>(
        _ request: Request,
        context: Context,
        head: Bool
    ) async
        -> Response
    {
        let path = String(request.uri.path.dropFirst("/v2/".count))
        if path.hasSuffix("/tags/list") {
            let name = String(path.dropLast("/tags/list".count))
            return tagList(name, request: request)
        }
        if let marker = path.range(of: "/manifests/", options: .backwards) {
            let name = String(path[..<marker.lowerBound])
            let reference = String(path[marker.upperBound...])
            do {
                let manifest = try folder.manifest(name, reference: reference)
                let headers: HTTPFields = [
                    .contentType: manifest.mediaType, Self.contentDigestHeader: manifest.digest,
                    .contentLength: String(manifest.bytes.count), .eTag: "\"\(manifest.digest)\"",
                    Self.apiVersionHeader: "registry/2.0",
                ]
                let body = head ? ResponseBody() : ResponseBody(byteBuffer: ByteBuffer(bytes: manifest.bytes))
                return Response(status: .ok, headers: headers, body: body)
            } catch {
                return Self.registryError(error, unknown: "MANIFEST_UNKNOWN")
            }
        }
        if let marker = path.range(of: "/blobs/", options: .backwards) {
            let name = String(path[..<marker.lowerBound])
            let digest = String(path[marker.upperBound...])
            do {
                let file = try folder.blob(name, digest: digest)
                return await serve(
                    path: file,
                    request: request,
                    context: context,
                    head: head,
                    contentType: "application/octet-stream",
                    extra: [Self.contentDigestHeader: digest, Self.apiVersionHeader: "registry/2.0"]
                )
            } catch {
                return Self.registryError(error, unknown: "BLOB_UNKNOWN")
            }
        }
        return Self.registryError(ReleaseServiceError(.notFound, "no such endpoint"), unknown: "NAME_UNKNOWN")
    }

    private func tagList(_ name: String, request: Request) -> Response {
        do {
            var tags = try folder.tags(name)
            let query = request.uri.queryParameters
            if let last = query.get("last") { tags = tags.filter { $0 > last } }
            var link: String?
            if let n = query.get("n", as: Int.self), n >= 0, tags.count > n {
                tags = Array(tags.prefix(n))
                if let end = tags.last {
                    link = "</v2/\(name)/tags/list?n=\(n)&last=\(end)>; rel=\"next\""
                }
            }
            let object: [String: Any] = ["name": name, "tags": tags]
            let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
            var headers: HTTPFields = [.contentType: "application/json", Self.apiVersionHeader: "registry/2.0"]
            if let link { headers[Self.linkHeader] = link }
            return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
        } catch {
            return Self.registryError(error, unknown: "NAME_UNKNOWN")
        }
    }

    /// The OCI error body: `{"errors":[{"code":…,"message":…}]}`.
    static func registryError(_ error: any Error, unknown: String) -> Response {
        let status: HTTPResponse.Status
        let code: String
        let message: String
        if let error = error as? ReleaseServiceError {
            message = error.message
            switch error.code {
            case .badName:
                status = .badRequest
                code = message.contains("digest") ? "DIGEST_INVALID" : "NAME_INVALID"
            case .notFound:
                status = .notFound
                code = message.hasPrefix("repository") ? "NAME_UNKNOWN" : unknown
            default:
                status = .internalServerError
                code = "UNKNOWN"
            }
        } else {
            status = .internalServerError
            code = "UNKNOWN"
            message = "internal error"
        }
        let object: [String: Any] = ["errors": [["code": code, "message": message]]]
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
        return Response(
            status: status,
            headers: [.contentType: "application/json", apiVersionHeader: "registry/2.0"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: data))
        )
    }

    // MARK: Helpers

    static let checksumHeader = HTTPField.Name("X-Checksum-Sha256")!
    static let reprDigestHeader = HTTPField.Name("Repr-Digest")!
    static let contentDigestHeader = HTTPField.Name("Docker-Content-Digest")!
    static let apiVersionHeader = HTTPField.Name("Docker-Distribution-API-Version")!
    static let linkHeader = HTTPField.Name("Link")!

    static func text(_ status: HTTPResponse.Status, _ message: String) -> Response {
        Response(
            status: status,
            headers: [.contentType: "text/plain; charset=utf-8"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: message + "\n"))
        )
    }

    static func base64(ofHex hex: String) -> String {
        var bytes: [UInt8] = []
        var iterator = hex.utf8.makeIterator()
        func nibble(_ byte: UInt8) -> UInt8 { byte <= 57 ? byte - 48 : byte - 87 }
        while let high = iterator.next(), let low = iterator.next() { bytes.append(nibble(high) << 4 | nibble(low)) }
        return Data(bytes).base64EncodedString()
    }
}
