import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What the rollout commands need to know about the terminal: whether results go to one (a watch redraws, else it
/// prints a line per change), and a yes/no question before a rollout is created.
enum RolloutTerminal {
    /// Whether `sink` is this process's standard output and that is a terminal (a test's buffer never is).
    static func isTerminal(_ sink: any TextSink) -> Bool {
        sink is StandardStream && isatty(STDOUT_FILENO) == 1
    }

    /// Asks `question` on standard error and reads the answer from the context's input: true for `y` or `yes`,
    /// false for anything else, nil when nobody can answer (standard input is not a terminal, or ends).
    ///
    /// A test's scripted input stands for the person at the terminal.
    static func confirm(_ question: String, context: CLIContext) -> Bool? {
        if context.input is StandardInput, isatty(STDIN_FILENO) != 1 { return nil }
        context.errors.write(question + " ")
        guard let answer = context.input.readLine() else {
            context.errors.line()
            return nil
        }
        return ["y", "yes"].contains(answer.trimmingCharacters(in: .whitespaces).lowercased())
    }
}
