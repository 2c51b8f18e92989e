import Synchronization

/// Where a command reads lines of input (the password for `login --password-stdin`).
public protocol LineSource: Sendable {
    /// The next line without its newline, or nil at the end of the input.
    func readLine() -> String?
}

/// The process's standard input.
public struct StandardInput: LineSource {
    /// Reads from standard input.
    public init() {}

    public func readLine() -> String? { Swift.readLine(strippingNewline: true) }
}

/// Fixed lines, for tests.
public final class ScriptedInput: LineSource {
    private let lines: Mutex<[String]>

    /// Input that yields `lines` in order, then the end.
    public init(_ lines: [String]) { self.lines = Mutex(lines) }

    public func readLine() -> String? {
        lines.withLock { $0.isEmpty ? nil : $0.removeFirst() }
    }
}
