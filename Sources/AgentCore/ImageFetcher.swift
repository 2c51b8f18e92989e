/// Fetches an image over the network, from a byte offset (HTTP Range), handing the bytes over as they arrive.
public protocol ImageFetcher: Sendable {
    /// Streams `url` from `offset`: each chunk goes to `body`, then `afterChunk` is awaited (where the caller may
    /// persist progress). Returns the total size of the image when the server says it. Throws when the server
    /// does not honour a non-zero `offset`.
    func fetch(
        _ url: String,
        from offset: Int64,
        _ body: (UnsafeRawBufferPointer) throws -> Void,
        afterChunk: () async throws -> Void
    ) async throws -> Int64?
}

/// Makes SHA-256 computations (the implementation lives outside the core: swift-crypto).
public protocol DigestFactory: Sendable {
    /// A fresh SHA-256 computation.
    func makeSHA256() -> any RunningDigest
}

/// A digest being computed.
public protocol RunningDigest {
    /// Adds bytes.
    mutating func update(_ bytes: UnsafeRawBufferPointer)
    /// The digest as lower-case hex.
    func finalizeHex() -> String
}
