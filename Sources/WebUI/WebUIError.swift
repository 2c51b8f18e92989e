/// The Web UI's assets could not be loaded.
public struct WebUIError: Error, Sendable, CustomStringConvertible {
    /// What went wrong.
    public var message: String
    public var description: String { "web UI: \(message)" }
}
