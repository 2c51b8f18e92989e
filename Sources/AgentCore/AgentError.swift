/// The agent's one error type: a kind (`code`), a message safe to log and report, and the underlying cause.
public struct AgentError: Error, Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    /// The kind of failure.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }

        /// A configuration key is missing or breaks its rule.
        public static let configuration = Code("configuration")
        /// The metadata file cannot be read or written.
        public static let metadata = Code("metadata")
        /// A file-system operation failed.
        public static let fileSystem = Code("fileSystem")
        /// A command exited with an error or could not be started.
        public static let command = Code("command")
        /// Fetching the image failed.
        public static let download = Code("download")
        /// The image does not match its SHA-256.
        public static let verification = Code("verification")
        /// Writing a slot failed.
        public static let slot = Code("slot")
        /// The boot loader refused an operation.
        public static let boot = Code("boot")
        /// The Maintenance Manager could not be reached or refused the call.
        public static let rpc = Code("rpc")
        /// What the Maintenance Manager asked for breaks a safety rule.
        public static let badInput = Code("badInput")
        /// The (simulated) machine lost power: nothing more can be done until it boots again.
        public static let powerLost = Code("powerLost")

        /// The code's name.
        public var description: String { name }
    }

    /// The kind of failure.
    public var code: Code
    /// What went wrong, naming the field, file or step concerned.
    public var message: String
    /// The error underneath, if any (only in `debugDescription`).
    public var cause: (any Error & Sendable)?

    /// Creates an error.
    public init(_ code: Code, _ message: String, cause: (any Error & Sendable)? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
    }

    /// `code: message`.
    public var description: String { "\(code): \(message)" }

    /// The description plus the cause.
    public var debugDescription: String {
        guard let cause else { return description }
        return "\(description) (cause: \(String(reflecting: cause)))"
    }
}
