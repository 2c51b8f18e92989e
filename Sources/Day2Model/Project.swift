/// A project (tenant): every other resource belongs to exactly one, and no call ever crosses projects.
public struct Project: Sendable, Hashable, Codable {
    /// The project's UUID, used as the tenant ID of all its resources.
    public var id: String
    /// The project's unique name, used in REST paths (`/v1/projects/{name}/…`).
    public var name: String

    /// Creates a project value.
    public init(id: String, name: String) {
        self.id = id
        self.name = name
    }

    /// Project names: 1-63 characters of lower-case letters, digits and `-`, starting with a letter.
    public static func validate(name: String) throws(ValidationError) {
        let bytes = Array(name.utf8)
        guard (1...63).contains(bytes.count) else {
            throw ValidationError(field: "name", rule: "must be 1 to 63 characters")
        }
        let ok = bytes.enumerated().allSatisfy { index, byte in
            let lower = byte >= 97 && byte <= 122
            if index == 0 { return lower }
            return lower || (byte >= 48 && byte <= 57) || byte == UInt8(ascii: "-")
        }
        guard ok else {
            throw ValidationError(field: "name", rule: "must match ^[a-z][a-z0-9-]*$")
        }
    }
}
