/// The OS Resource Manager's one error type: what failed, naming the profile, repository, tag, digest, file or field.
///
/// `description` is safe to log (no credentials); the underlying cause, when there is one, is kept for
/// `debugDescription`.
public struct OSResourceManagerError: Error, Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    /// The kind of failure.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        private let name: String
        private init(_ name: String) { self.name = name }

        /// The registry could not be reached, or the connection broke (worth a retry).
        public static let unreachable = Code("unreachable")
        /// The registry answered with an unexpected HTTP status (5xx and 429 are worth a retry).
        public static let httpStatus = Code("httpStatus")
        /// The registry refused the credentials, or the token endpoint failed.
        public static let unauthorized = Code("unauthorized")
        /// The repository, tag, manifest or blob does not exist.
        public static let notFound = Code("notFound")
        /// Downloaded content does not have the digest it was asked for.
        public static let digestMismatch = Code("digestMismatch")
        /// A manifest breaks the Release Service layout (no layers, no title annotation, bad JSON).
        public static let badManifest = Code("badManifest")
        /// A profile YAML, package manifest or CVE file breaks its rules.
        public static let invalidProfile = Code("invalidProfile")
        /// A configuration value (release service URL, revision, CA file) is wrong.
        public static let configuration = Code("configuration")
        /// Content is larger than the limit for its kind.
        public static let tooLarge = Code("tooLarge")

        /// The code's name.
        public var description: String { name }
    }

    /// The kind of failure.
    public var code: Code
    /// What failed, naming the repository/tag/digest or file/field involved.
    public var message: String
    /// The HTTP status, when the failure is an HTTP answer.
    public var status: Int?
    /// The underlying error, for `debugDescription`.
    public var cause: (any Error)?

    /// Creates an error.
    public init(_ code: Code, _ message: String, status: Int? = nil, cause: (any Error)? = nil) {
        self.code = code
        self.message = message
        self.status = status
        self.cause = cause
    }

    /// Whether trying again later may succeed: network failures, 5xx and 429 answers.
    public var isTransient: Bool {
        switch code {
        case .unreachable: true
        case .httpStatus: status.map { $0 >= 500 || $0 == 429 || $0 == 408 } ?? true
        default: false
        }
    }

    /// `code: message`.
    public var description: String { "\(code): \(message)" }

    /// The description and the cause.
    public var debugDescription: String {
        guard let cause else { return description }
        return "\(description) (cause: \(String(reflecting: cause)))"
    }
}
