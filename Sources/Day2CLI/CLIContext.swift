import Foundation

/// Everything a command takes from the world outside its arguments: environment, streams, clock, home folder.
///
/// The executable passes the real process's; tests pass their own, so commands never read process-wide state
/// and several can run side by side.
public struct CLIContext: Sendable {
    /// The environment variables (`DAY2_URL`, `DAY2_TOKEN`, `DAY2_PROJECT`, `DAY2CTL_CONFIG`, `TZ`, `HOME`).
    public var environment: [String: String]
    /// Results (tables, JSON, YAML).
    public var output: any TextSink
    /// Errors, warnings and notes.
    public var errors: any TextSink
    /// Lines of standard input.
    public var input: any LineSource
    /// Asks for a secret on the terminal without echoing it; nil when there is no terminal.
    public var promptSecret: @Sendable (String) -> String?
    /// The current time.
    public var now: @Sendable () -> Date

    /// Creates a context.
    public init(
        environment: [String: String],
        output: any TextSink,
        errors: any TextSink,
        input: any LineSource,
        promptSecret: @escaping @Sendable (String) -> String? = { _ in nil },
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.environment = environment
        self.output = output
        self.errors = errors
        self.input = input
        self.promptSecret = promptSecret
        self.now = now
    }

    /// The running process's environment, standard streams, terminal and clock.
    public static func process() -> CLIContext {
        CLIContext(
            environment: ProcessInfo.processInfo.environment,
            output: StandardStream.output,
            errors: StandardStream.error,
            input: StandardInput(),
            promptSecret: { TerminalPrompt.readSecret(prompt: $0) }
        )
    }

    /// The value of environment variable `name`, nil when unset or empty.
    func variable(_ name: String) -> String? {
        guard let value = environment[name], !value.isEmpty else { return nil }
        return value
    }

    /// Where the login is kept: `DAY2CTL_CONFIG`, else `$HOME/.config/day2/day2ctl.json`.
    var configPath: String {
        if let path = variable("DAY2CTL_CONFIG") { return path }
        let home = variable("HOME") ?? NSHomeDirectory()
        return home + "/.config/day2/day2ctl.json"
    }

    /// The zone times are shown in when no `--timezone` is given: `TZ` when it names a zone, else the system's.
    var defaultTimeZone: TimeZone {
        if let name = variable("TZ"),
            let zone = TimeZone(identifier: name.hasPrefix(":") ? String(name.dropFirst()) : name)
        {
            return zone
        }
        return TimeZone.current
    }

    /// Seconds since 1970 now.
    var nowSeconds: Int64 { Int64(now().timeIntervalSince1970.rounded(.down)) }
}
