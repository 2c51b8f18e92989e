import AgentCore
import Synchronization

/// The in-memory twin of the image server: serves byte arrays by URL in chunks, honouring offsets, each chunk an
/// operation of the power switch.
public final class InMemoryImageFetcher: ImageFetcher {
    private let images: Mutex<[String: [UInt8]]>
    private let power: PowerSwitch?
    /// Bytes per chunk.
    public let chunkSize: Int

    /// A server with `images` (URL → bytes).
    public init(images: [String: [UInt8]] = [:], chunkSize: Int = 64 << 10, power: PowerSwitch? = nil) {
        self.images = Mutex(images)
        self.chunkSize = chunkSize
        self.power = power
    }

    /// Adds or replaces an image.
    public func serve(_ url: String, _ bytes: [UInt8]) { images.withLock { $0[url] = bytes } }

    public func fetch(
        _ url: String,
        from offset: Int64,
        _ body: (UnsafeRawBufferPointer) throws -> Void,
        afterChunk: () async throws -> Void
    ) async throws -> Int64? {
        guard let bytes = images.withLock({ $0[url] }) else {
            throw AgentError(.download, "\(url): 404 Not Found")
        }
        guard offset <= bytes.count else { throw AgentError(.download, "\(url): 416 Range Not Satisfiable") }
        var position = Int(offset)
        while position < bytes.count {
            try power?.check("receive \(url) at \(position)")
            let end = min(position + chunkSize, bytes.count)
            try bytes[position..<end].withUnsafeBytes { try body($0) }
            position = end
            try await afterChunk()
        }
        return Int64(bytes.count)
    }
}
