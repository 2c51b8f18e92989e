import Foundation
import Synchronization

/// Where a command writes text: standard output or standard error of the process, or a buffer in tests.
public protocol TextSink: Sendable {
    /// Writes `text` as it is (callers add the newline).
    func write(_ text: String)
}

extension TextSink {
    /// Writes `text` and a newline.
    public func line(_ text: String = "") { write(text + "\n") }
}

/// Standard output or standard error of this process.
public struct StandardStream: TextSink {
    private let handle: FileHandle

    /// The process's standard output.
    public static let output = StandardStream(handle: .standardOutput)
    /// The process's standard error.
    public static let error = StandardStream(handle: .standardError)

    public func write(_ text: String) {
        handle.write(Data(text.utf8))
    }
}

/// Text kept in memory, for tests that run the command tree as a library call.
public final class CapturedText: TextSink {
    private let buffer = Mutex("")

    /// An empty buffer.
    public init() {}

    public func write(_ text: String) {
        buffer.withLock { $0 += text }
    }

    /// Everything written so far.
    public var text: String { buffer.withLock { $0 } }
}
