import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Where the demo writes what a person reads: text as is, and whether a live line may be redrawn in place.
public struct DemoTerminal: Sendable {
    /// Writes text (newlines included by the caller).
    public var write: @Sendable (String) -> Void
    /// Whether the output is a terminal (the progress line is then redrawn in place; otherwise a new line is
    /// written whenever the counts change).
    public var isInteractive: Bool
    /// The terminal's width in columns now, nil when unknown (a line redrawn in place must not wrap).
    public var width: @Sendable () -> Int?

    /// A terminal writing to `write`.
    public init(
        isInteractive: Bool,
        width: @escaping @Sendable () -> Int? = { nil },
        write: @escaping @Sendable (String) -> Void
    ) {
        self.isInteractive = isInteractive
        self.width = width
        self.write = write
    }

    /// Standard output, unbuffered (so a reader of a pipe sees each line at once).
    public static var standardOutput: DemoTerminal {
        DemoTerminal(isInteractive: isatty(STDOUT_FILENO) == 1, width: standardOutputWidth) { text in
            FileHandle.standardOutput.write(Data(text.utf8))
        }
    }

    /// The width of the terminal on standard output, nil when it is not a terminal or does not say.
    @Sendable static func standardOutputWidth() -> Int? {
        var size = winsize()
        guard ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else { return nil }
        return Int(size.ws_col)
    }

    /// Writes `text` and a newline.
    public func line(_ text: String = "") { write(text + "\n") }
}
