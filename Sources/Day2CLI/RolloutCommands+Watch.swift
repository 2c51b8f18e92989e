import ArgumentParser
import Day2Model
import Foundation

extension CLIError.Code {
    /// A watched rollout ended FAILED or CANCELLED (exit code 1).
    static let rolloutEnded = CLIError.Code(name: "rolloutEnded")
}

extension RolloutCommands {
    /// `day2ctl rollouts watch <id|name> [--interval 2s]`.
    struct Watch: CLICommand {
        static let configuration = CommandConfiguration(
            abstract: "Follow a rollout wave by wave until it succeeds, fails or is cancelled.",
            discussion: """
                Draws a progress bar per wave (# updated, - skipped, ! failed, > updating, . pending) and redraws it \
                every --interval; when standard output is not a terminal, prints one line per change instead (with \
                -o json, the rollout as one JSON line per change). A paused rollout is watched on, with its reason.

                Exit status: 0 when the rollout SUCCEEDED; 1 when it FAILED or was CANCELLED (the reason on standard \
                error), or when the server could not be asked.
                """
        )

        @Argument(help: "Rollout ID (rollout-…) or name.")
        var rollout: String

        @Option(help: ArgumentHelp("How often to look: 1s to 1h.", valueName: "duration"))
        var interval = "2s"

        @OptionGroup var connection: ConnectionOptions
        @OptionGroup var output: OutputOptions

        /// Connection failures in a row a watch rides out before it gives up.
        static let connectionRetries = 5

        func run(in context: CLIContext) async throws(CLIError) {
            let zone = try output.zone(context)
            let seconds = try RolloutRequest.duration(interval, option: "--interval", range: 1...3600)
            let (rollout, format, quiet) = (rollout, output.output, output.quiet)
            let terminal = RolloutTerminal.isTerminal(context.output)
            let last = try await connection.withClient(context) { client throws(CLIError) in
                let path = itemPath(try await resolve(rollout, client))
                var previous: JSONValue?
                var drawn: [String] = []
                var failures = 0
                while true {
                    let current: JSONValue
                    do throws(CLIError) {
                        current = try await client.get(path)
                        failures = 0
                    } catch {
                        guard error.code == .connection, failures < Self.connectionRetries else { throw error }
                        failures += 1
                        context.errors.line("note: \(error.message); trying again in \(TimeText.duration(seconds))")
                        try? await Task.sleep(for: .seconds(seconds))
                        continue
                    }
                    if !quiet, current != previous {
                        switch format {
                        case .json: context.output.line(current.compact)
                        case .yaml: context.output.line("---\n" + current.yaml)
                        case .table where terminal:
                            let frame = RolloutProgress.frame(current, zone: zone)
                            context.output.write(
                                RolloutProgress.redraw(over: drawn.count) + frame.joined(separator: "\n") + "\n"
                            )
                            drawn = frame
                        case .table:
                            let stamp = TimeText.display(context.nowSeconds, in: zone)
                            for line in RolloutProgress.changes(from: previous, to: current, zone: zone) {
                                context.output.line(stamp + "  " + line)
                            }
                        }
                    }
                    previous = current
                    if RolloutProgress.outcome(current["state"].text) != .watching || Task.isCancelled {
                        return current
                    }
                    try? await Task.sleep(for: .seconds(seconds))
                }
            }
            try Self.finish(last)
        }

        /// Ends the watch as the rollout ended: nothing for SUCCEEDED, an error naming the outcome and the reason
        /// for FAILED or CANCELLED.
        static func finish(_ rollout: JSONValue) throws(CLIError) {
            let id = rollout["resourceId"].text
            let reason = rollout["stateReason"].text
            switch RolloutProgress.outcome(rollout["state"].text) {
            case .succeeded, .watching:
                return
            case .failed:
                throw CLIError(.rolloutEnded, "rollout \(id) failed" + (reason.isEmpty ? "" : ": " + reason))
            case .cancelled:
                throw CLIError(.rolloutEnded, "rollout \(id) was cancelled" + (reason.isEmpty ? "" : ": " + reason))
            }
        }
    }
}
