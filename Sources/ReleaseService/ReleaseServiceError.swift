/// The built-in Release Service's one error type: what is wrong, naming the path, repository, tag or digest.
public struct ReleaseServiceError: Error, Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    /// The kind of failure.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }

        /// A path leaves the release folder, or names something that is not a plain file.
        public static let badPath = Code("badPath")
        /// A repository, tag or digest breaks the OCI grammar.
        public static let badName = Code("badName")
        /// The repository, tag, manifest, blob or file does not exist.
        public static let notFound = Code("notFound")
        /// Content does not match the digest it should have.
        public static let digestMismatch = Code("digestMismatch")
        /// The release folder holds something that is not a valid OCI image layout.
        public static let corruptLayout = Code("corruptLayout")
        /// Reading or writing the folder failed.
        public static let io = Code("io")

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

    /// `code: message`.
    public var description: String { "\(code): \(message)" }

    /// The description and the cause.
    public var debugDescription: String {
        guard let cause else { return description }
        return "\(description) (cause: \(String(reflecting: cause)))"
    }
}
