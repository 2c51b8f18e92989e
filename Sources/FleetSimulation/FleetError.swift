/// The fleet simulator's one error type: a kind, a message that names the option, resource or address concerned,
/// and the cause underneath (only in `debugDescription`).
public struct FleetError: Error, Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    /// The kind of failure.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }

        /// An option or environment variable breaks its rule (the message starts with its name).
        public static let option = Code("option")
        /// The REST API refused or failed a call (sign-in, registration, the window).
        public static let api = Code("api")
        /// The orchestrator could not be reached.
        public static let connection = Code("connection")
        /// A local file (token, secret, password, summary) could not be read or written.
        public static let localFile = Code("localFile")

        /// The code's name.
        public var description: String { name }
    }

    /// The kind of failure.
    public var code: Code
    /// What went wrong.
    public var message: String
    /// The error underneath, if any.
    public var cause: (any Error & Sendable)?

    /// Creates an error.
    public init(_ code: Code, _ message: String, cause: (any Error & Sendable)? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
    }

    /// An option (flag or environment variable, as `label` spells it) breaking `rule`.
    static func option(_ label: String, _ rule: String) -> FleetError { FleetError(.option, "\(label): \(rule)") }

    public var description: String { message }
    public var debugDescription: String { message + (cause.map { " (cause: \(String(reflecting: $0)))" } ?? "") }
}
