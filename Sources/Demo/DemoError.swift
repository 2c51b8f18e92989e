/// The demo's one error type: what is wrong, naming the flag, folder or step.
public struct DemoError: Error, Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    /// The kind of failure.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }

        /// A flag (or the key behind it) has a value the demo cannot use; the message starts with the flag.
        public static let badFlag = Code("badFlag")
        /// The state folder cannot be used (not the demo's own, or not writable).
        public static let folder = Code("folder")
        /// Setting up the release, the inventory or the nodes failed.
        public static let setup = Code("setup")

        /// The code's name.
        public var description: String { name }
    }

    /// The kind of failure.
    public var code: Code
    /// What is wrong.
    public var message: String
    /// The underlying error, for `debugDescription`.
    public var cause: (any Error)?

    /// Creates an error.
    public init(_ code: Code, _ message: String, cause: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.cause = cause
    }

    /// The message alone (it names the flag or folder already).
    public var description: String { message }

    /// The code, the message and the cause.
    public var debugDescription: String {
        guard let cause else { return "\(code): \(message)" }
        return "\(code): \(message) (cause: \(String(reflecting: cause)))"
    }
}
