import NIOCore

/// One file of the Web UI, ready to send: its bytes, content type and strong validator.
struct WebUIAsset: Sendable {
    /// Path below the assets folder, e.g. `views/hosts.js`.
    let path: String
    /// The file's bytes.
    let bytes: ByteBuffer
    /// The `Content-Type` header.
    let contentType: String
    /// The `ETag` header: a quoted digest of the bytes.
    let etag: String
}
