import AgentCore
import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOSSL

/// Downloads images over HTTP(S) with async-http-client, resuming with `Range: bytes=<offset>-`. A server that
/// answers a ranged request with the whole file (200) is handled by skipping the bytes already written.
public struct HTTPImageFetcher: ImageFetcher {
    /// The HTTP client (its owner shuts it down).
    public let client: HTTPClient
    /// Longest time without progress before the download is abandoned (it resumes on the next attempt).
    public var idleTimeout: TimeAmount

    /// Creates a fetcher on `client`.
    public init(client: HTTPClient, idleTimeout: TimeAmount = .seconds(60)) {
        self.client = client
        self.idleTimeout = idleTimeout
    }

    /// An HTTP client trusting `caFile` (PEM) in addition to nothing else, or the system store when empty.
    public static func makeClient(caFile: String) throws -> HTTPClient {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.minimumTLSVersion = .tlsv12
        if !caFile.isEmpty {
            tls.trustRoots = .file(caFile)
        }
        var configuration = HTTPClient.Configuration(tlsConfiguration: tls)
        configuration.decompression = .disabled
        configuration.timeout = .init(connect: .seconds(10), read: .seconds(60))
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    public func fetch(
        _ url: String,
        from offset: Int64,
        _ body: (UnsafeRawBufferPointer) throws -> Void,
        afterChunk: () async throws -> Void
    ) async throws -> Int64? {
        var request = HTTPClientRequest(url: url)
        request.method = .GET
        if offset > 0 { request.headers.add(name: "Range", value: "bytes=\(offset)-") }
        let response: HTTPClientResponse
        do {
            response = try await client.execute(request, timeout: .hours(24))
        } catch {
            throw AgentError(.download, "\(url): \(error)")
        }
        var skip: Int64 = 0
        var total: Int64?
        switch response.status.code {
        case 200:
            skip = offset
            total = response.headers.first(name: "Content-Length").flatMap { Int64($0) }
        case 206:
            // Content-Range: bytes <first>-<last>/<total>
            guard let range = response.headers.first(name: "Content-Range"), range.hasPrefix("bytes \(offset)-") else {
                throw AgentError(.download, "\(url): the server answered the wrong range")
            }
            total = range.split(separator: "/").last.flatMap { Int64($0) }
        case 416 where offset > 0:
            throw AgentError(.download, "\(url): 416 Range Not Satisfiable at \(offset); the download restarts")
        default:
            throw AgentError(.download, "\(url): HTTP \(response.status.code) \(response.status.reasonPhrase)")
        }
        do {
            for try await buffer in response.body {
                var chunk = buffer
                if skip > 0 {
                    let drop = Int(min(Int64(chunk.readableBytes), skip))
                    chunk.moveReaderIndex(forwardBy: drop)
                    skip -= Int64(drop)
                    if chunk.readableBytes == 0 { continue }
                }
                try chunk.withUnsafeReadableBytes { try body($0) }
                try await afterChunk()
            }
        } catch let error as AgentError {
            throw error
        } catch {
            throw AgentError(.download, "\(url): \(error)")
        }
        return total
    }
}
