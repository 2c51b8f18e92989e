import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Where the simulator's lines go: progress (replaced in place on a terminal) and everything else.
public struct FleetConsole: Sendable {
    /// Writes one line (no newline at its end).
    public let line: @Sendable (String) -> Void
    /// Writes a progress line; on a terminal the next one replaces it.
    public let progress: @Sendable (String) -> Void

    /// A console over two closures.
    public init(line: @escaping @Sendable (String) -> Void, progress: @escaping @Sendable (String) -> Void) {
        self.line = line
        self.progress = progress
    }

    /// Standard output: progress lines overwrite each other on a terminal, and are plain lines otherwise.
    public static func standardOutput() -> FleetConsole {
        let terminal = isatty(STDOUT_FILENO) == 1
        return FleetConsole(
            line: { text in
                FileHandle.standardOutput.write(Data(((terminal ? "\r\u{1B}[K" : "") + text + "\n").utf8))
            },
            progress: { text in
                FileHandle.standardOutput.write(Data((terminal ? "\r\u{1B}[K" + text : text + "\n").utf8))
            }
        )
    }

    /// Discards everything.
    public static let silent = FleetConsole(line: { _ in }, progress: { _ in })
}
