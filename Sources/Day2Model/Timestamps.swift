/// When a resource was created and last changed, in Unix milliseconds.
public struct Timestamps: Sendable, Hashable, Codable {
    /// Creation time, Unix milliseconds.
    public var createdAt: Int64
    /// Last change, Unix milliseconds.
    public var updatedAt: Int64

    /// Creates timestamps.
    public init(createdAt: Int64 = 0, updatedAt: Int64 = 0) {
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}

/// A key/value pair of resource metadata (`[{"key":…,"value":…}]`).
public struct MetadataItem: Sendable, Hashable, Codable {
    /// The key.
    public var key: String
    /// The value.
    public var value: String

    /// Creates a pair.
    public init(key: String, value: String) {
        self.key = key
        self.value = value
    }
}
