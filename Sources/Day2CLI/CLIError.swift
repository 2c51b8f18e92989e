/// Every failure `day2ctl` reports: what went wrong, in words an operator can act on, plus an optional hint.
///
/// `description` is what is printed (`error: …` and `hint: …` lines); the underlying cause, when there is one,
/// is kept for `debugDescription` only.
public struct CLIError: Error, Sendable, CustomStringConvertible, CustomDebugStringConvertible {
    /// The kind of failure; it decides the exit code.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        /// The code's name.
        public let name: String

        /// Bad flags or arguments, found before anything was sent (exit code 64, as for usage errors).
        public static let usage = Code(name: "usage")
        /// The server answered with an error (`{"code","message"}`).
        public static let api = Code(name: "api")
        /// The server could not be reached, or answered something that is not the API.
        public static let connection = Code(name: "connection")
        /// No usable token: not logged in, or the stored token expired.
        public static let notLoggedIn = Code(name: "notLoggedIn")
        /// The local configuration file or an input file could not be read or written.
        public static let localFile = Code(name: "localFile")

        public var description: String { name }
    }

    /// The kind of failure.
    public var code: Code
    /// The message, without the `error: ` prefix.
    public var message: String
    /// What to do about it, when there is an obvious next step.
    public var hint: String?
    /// The HTTP status, for errors the server answered.
    public var httpStatus: Int?
    /// The server's error code name (`InvalidArgument`, `NotFound`, …), for errors the server answered.
    public var apiCode: String?
    /// The underlying error, for `debugDescription`.
    public var cause: String?

    /// Creates an error.
    public init(
        _ code: Code,
        _ message: String,
        hint: String? = nil,
        httpStatus: Int? = nil,
        apiCode: String? = nil,
        cause: String? = nil
    ) {
        self.code = code
        self.message = message
        self.hint = hint
        self.httpStatus = httpStatus
        self.apiCode = apiCode
        self.cause = cause
    }

    /// A usage error for `option` (spelled as on the command line) breaking `rule`.
    static func option(_ option: String, _ rule: String) -> CLIError {
        CLIError(.usage, "\(option): \(rule)")
    }

    /// The process exit code: 64 for usage errors, 1 for everything else.
    public var exitCode: Int32 { code == .usage ? 64 : 1 }

    /// `error: <message>` and, when there is one, `hint: <hint>` on the next line.
    public var description: String {
        var text = "error: " + message
        if let hint { text += "\nhint: " + hint }
        return text
    }

    public var debugDescription: String {
        description + (cause.map { "\ncause: " + $0 } ?? "")
    }
}
