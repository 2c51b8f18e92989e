import Day2Model

/// The one error type of the Inventory: a code the edges map to HTTP/gRPC statuses, and a safe message.
public struct InventoryError: Error, Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    /// What went wrong, in the terms of the API (extensible: new codes may be added).
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }

        /// The resource does not exist in this project.
        public static let notFound = Code("NotFound")
        /// The request itself is wrong (a field breaks a rule).
        public static let invalidArgument = Code("InvalidArgument")
        /// The request is well-formed but the current state forbids it (still referenced, duplicate name…).
        public static let failedPrecondition = Code("FailedPrecondition")
        /// The request conflicts with the resource's current state or with another resource (HTTP 409): a rollout
        /// overlapping an unfinished one, an action its state does not allow. grpc-gateway's code for 409.
        public static let conflict = Code("Aborted")
        /// The database could not be reached or was busy for too long.
        public static let unavailable = Code("Unavailable")
        /// Anything else: a bug or an unexpected database answer.
        public static let `internal` = Code("Internal")

        /// The gRPC-style code name (`NotFound`, `InvalidArgument`, …) used in REST error bodies.
        public var description: String { name }
    }

    /// The kind of failure.
    public var code: Code
    /// A message safe to show to the caller; names the field and rule for invalid input.
    public var message: String
    /// The field at fault, for invalid input.
    public var field: String?
    /// The underlying error, for logs only.
    public var underlying: (any Error)?

    /// Creates an error.
    public init(_ code: Code, _ message: String, field: String? = nil, underlying: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.field = field
        self.underlying = underlying
    }

    /// A resource of `kind` with `id` does not exist (in this project).
    static func notFound(_ kind: String, _ id: String) -> InventoryError {
        InventoryError(.notFound, "\(kind) \(id) not found")
    }

    /// Wraps a validation failure.
    public static func invalid(_ error: ValidationError) -> InventoryError {
        InventoryError(.invalidArgument, error.description, field: error.field, underlying: error)
    }

    /// `Code: message`, safe for any caller.
    public var description: String { "\(code): \(message)" }

    /// The description plus the underlying cause, for logs.
    public var debugDescription: String {
        guard let underlying else { return description }
        return "\(description) (cause: \(String(reflecting: underlying)))"
    }
}
