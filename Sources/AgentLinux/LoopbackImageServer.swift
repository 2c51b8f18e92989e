import AgentCore
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// A small HTTP/1.1 file server on 127.0.0.1 for benchmarks and end-to-end tests: serves files by URL path with
/// `sendfile`, honours `Range: bytes=<first>-`. Not a Release Service: it exists so the image pipeline can be
/// measured and exercised over a real socket.
public final class LoopbackImageServer: Sendable {
    private let channel: any Channel
    /// The port it listens on.
    public let port: Int

    private init(channel: any Channel, port: Int) {
        self.channel = channel
        self.port = port
    }

    /// Starts a server serving `files` (URL path → file path) on a free loopback port.
    public static func start(files: [String: String]) async throws -> LoopbackImageServer {
        let bootstrap = ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.backlog, value: 64)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(FileHandler(files: files))
                }
            }
        let channel = try await bootstrap.bind(host: "127.0.0.1", port: 0).get()
        return LoopbackImageServer(channel: channel, port: channel.localAddress?.port ?? 0)
    }

    /// `http://127.0.0.1:<port>`.
    public var baseURL: String { "http://127.0.0.1:\(port)" }

    /// Stops listening.
    public func stop() async throws {
        try await channel.close()
    }

    private final class FileHandler: ChannelInboundHandler {
        typealias InboundIn = HTTPServerRequestPart
        typealias OutboundOut = HTTPServerResponsePart

        let files: [String: String]
        var head: HTTPRequestHead?

        init(files: [String: String]) { self.files = files }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case .head(let request):
                head = request
            case .body:
                break
            case .end:
                guard let request = head else { return }
                respond(context: context, request: request)
            }
        }

        private func respond(context: ChannelHandlerContext, request: HTTPRequestHead) {
            let path = String(request.uri.split(separator: "?").first ?? "")
            guard let file = files[path], let handle = try? NIOFileHandle(_deprecatedPath: file) else {
                var headers = HTTPHeaders()
                headers.add(name: "Content-Length", value: "0")
                context.write(
                    wrapOutboundOut(
                        .head(HTTPResponseHead(version: request.version, status: .notFound, headers: headers))
                    ),
                    promise: nil
                )
                context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
                return
            }
            let size = (try? FileManager.default.attributesOfItem(atPath: file)[.size] as? Int) ?? 0
            var first = 0
            var status = HTTPResponseStatus.ok
            var headers = HTTPHeaders()
            if let range = request.headers.first(name: "Range"), range.hasPrefix("bytes="),
                let value = Int(range.dropFirst(6).split(separator: "-").first ?? "")
            {
                guard value < size else {
                    try? handle.close()
                    headers.add(name: "Content-Length", value: "0")
                    context.write(
                        wrapOutboundOut(
                            .head(
                                HTTPResponseHead(
                                    version: request.version,
                                    status: .rangeNotSatisfiable,
                                    headers: headers
                                )
                            )
                        ),
                        promise: nil
                    )
                    context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
                    return
                }
                first = value
                status = .partialContent
                headers.add(name: "Content-Range", value: "bytes \(first)-\(size - 1)/\(size)")
            }
            headers.add(name: "Content-Length", value: "\(size - first)")
            headers.add(name: "Content-Type", value: "application/octet-stream")
            context.write(
                wrapOutboundOut(.head(HTTPResponseHead(version: request.version, status: status, headers: headers))),
                promise: nil
            )
            let region = FileRegion(fileHandle: handle, readerIndex: first, endIndex: size)
            context.write(wrapOutboundOut(.body(.fileRegion(region))), promise: nil)
            context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in try? handle.close() }
        }
    }
}
