import Inventory

/// The Maintenance Manager's one error type; the gRPC edge maps `code` to a status code.
public struct MaintenanceManagerError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The kind of failure, named after the gRPC status it becomes.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }

        /// The request is malformed.
        public static let invalidArgument = Code("InvalidArgument")
        /// The host (or its instance) does not exist in the caller's project.
        public static let notFound = Code("NotFound")
        /// The instance is not in a state to be updated (not provisioned).
        public static let failedPrecondition = Code("FailedPrecondition")
        /// The caller or its host is not trusted.
        public static let unauthenticated = Code("Unauthenticated")
        /// The caller may not do this.
        public static let permissionDenied = Code("PermissionDenied")
        /// The store is unavailable.
        public static let unavailable = Code("Unavailable")
        /// A bug or inconsistent data.
        public static let `internal` = Code("Internal")

        /// The code's name.
        public var description: String { name }
    }

    /// The kind of failure.
    public var code: Code
    /// A message safe to send to the agent.
    public var message: String

    /// Creates an error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// The error an Inventory failure becomes.
    init(_ error: InventoryError) {
        switch error.code {
        case .notFound: self.init(.notFound, error.message)
        case .invalidArgument: self.init(.invalidArgument, error.message)
        case .failedPrecondition: self.init(.failedPrecondition, error.message)
        case .unavailable: self.init(.unavailable, error.message)
        default: self.init(.internal, error.message)
        }
    }

    /// `Code: message`.
    public var description: String { "\(code): \(message)" }
}
