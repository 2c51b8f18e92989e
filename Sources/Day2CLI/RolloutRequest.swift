import Day2Model
import Foundation

/// The body of `POST rollouts` and `POST rollouts/preview` as `day2ctl rollouts create` builds it from its flags:
/// only what was given is sent, so the server's defaults apply to the rest.
struct RolloutRequest: Equatable {
    /// The rollout's name.
    var name: String
    /// The OS update policy's ID.
    var policyId: String
    /// The target set, with IDs.
    var target: RolloutTarget
    /// The waves in order; empty: the server's one wave of 100 %.
    var waves: [WaveSize] = []
    /// `--success-threshold`, percent.
    var successThreshold: Int?
    /// `--failure-threshold`, percent.
    var failureThreshold: Int?
    /// `--soak`, seconds.
    var soakSeconds: Int64?
    /// `--commit-deadline`, seconds.
    var commitDeadlineSeconds: Int64?
    /// `--start`, Unix seconds.
    var startSeconds: Int64?
    /// false with `--ignore-windows`.
    var respectMaintenanceWindows = true
    /// `--window`, seconds (only with `--ignore-windows`).
    var windowSeconds: Int64?

    /// The JSON body, in the contract's names.
    var body: JSONValue {
        var members: [(String, JSONValue)] = [("name", .string(name)), ("osUpdatePolicyId", .string(policyId))]
        switch target {
        case .region(let id): members.append(("regionId", .string(id)))
        case .site(let id): members.append(("siteId", .string(id)))
        case .hosts(let ids): members.append(("hostIds", .array(ids.map(JSONValue.string))))
        case .filter(let text): members.append(("filter", .string(text)))
        }
        if !waves.isEmpty { members.append(("waves", .array(waves.map(Self.waveJSON)))) }
        if let successThreshold { members.append(("successThreshold", .int(Int64(successThreshold)))) }
        if let failureThreshold { members.append(("failureThreshold", .int(Int64(failureThreshold)))) }
        if let soakSeconds { members.append(("soakSeconds", .int(soakSeconds))) }
        if let commitDeadlineSeconds { members.append(("commitDeadlineSeconds", .int(commitDeadlineSeconds))) }
        if let startSeconds { members.append(("startSeconds", .int(startSeconds))) }
        if !respectMaintenanceWindows {
            members.append(("respectMaintenanceWindows", .bool(false)))
            if let windowSeconds { members.append(("windowSeconds", .int(windowSeconds))) }
        }
        return .object(members)
    }

    /// `{"hosts": N}` or `{"percent": P}`.
    static func waveJSON(_ size: WaveSize) -> JSONValue {
        switch size {
        case .hosts(let count): .object([("hosts", .int(Int64(count)))])
        case .percent(let percent): .object([("percent", .int(Int64(percent)))])
        }
    }

    // MARK: Reading the flags

    /// The waves of the `--wave` options in order: each `N` hosts, `P%` of the set, or `rest` (the last wave,
    /// whatever is left, sent as 100 %); one option may hold several, separated by commas (`5,25%,rest`).
    ///
    /// Refused, naming `--wave`: anything else, sizes out of range, `rest` or `100%` before the last wave, more than
    /// ``Rollout/maximumWaves`` waves, and percentages that leave the waves after them nothing.
    static func waves(_ options: [String]) throws(CLIError) -> [WaveSize] {
        let texts = options.flatMap { $0.split(separator: ",", omittingEmptySubsequences: false) }
            .map { $0.trimmingCharacters(in: .whitespaces) }
        var sizes: [WaveSize] = []
        for (index, text) in texts.enumerated() {
            let last = index == texts.count - 1
            let lowered = text.lowercased()
            if lowered == "rest" || lowered == "100%" {
                guard last else {
                    throw CLIError.option(
                        "--wave",
                        "\"\(text)\" takes every host left, so it can only be the last wave (wave \(index + 1) of "
                            + "\(texts.count))"
                    )
                }
                sizes.append(.percent(100))
            } else if lowered.hasSuffix("%") {
                guard let percent = Int(lowered.dropLast()), (1...99).contains(percent) else {
                    throw CLIError.option(
                        "--wave",
                        "\"\(text)\" is not a percentage of 1% to 100% (wave \(index + 1))"
                    )
                }
                sizes.append(.percent(percent))
            } else if let count = Int(lowered) {
                guard (1...100_000).contains(count) else {
                    throw CLIError.option(
                        "--wave",
                        "\"\(text)\" hosts: a wave takes 1 to 100000 hosts (wave \(index + 1))"
                    )
                }
                sizes.append(.hosts(count))
            } else {
                throw CLIError.option(
                    "--wave",
                    "\"\(text)\" is not a wave size: give a number of hosts (5), a percentage (25%) or rest"
                )
            }
        }
        guard sizes.count <= Rollout.maximumWaves else {
            throw CLIError.option("--wave", "\(sizes.count) waves given; a rollout has at most \(Rollout.maximumWaves)")
        }
        var percentSoFar = 0
        for (index, size) in sizes.enumerated() {
            guard case .percent(let percent) = size, index < sizes.count - 1 else { continue }
            percentSoFar += percent
            if percentSoFar >= 100 {
                throw CLIError.option(
                    "--wave",
                    "waves 1 to \(index + 1) take \(percentSoFar)% of the hosts, so the waves after them would be empty"
                )
            }
        }
        return sizes
    }

    /// A percentage option (`80` or `80%`), 0 to 100.
    static func percent(_ text: String, option: String) throws(CLIError) -> Int {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let digits = trimmed.hasSuffix("%") ? String(trimmed.dropLast()) : trimmed
        guard let value = Int(digits), (0...100).contains(value) else {
            throw CLIError.option(option, "\"\(text)\" is not a percentage from 0 to 100")
        }
        return value
    }

    /// A duration option (`90`, `30s`, `10m`, `2h`, `1h30m`) within `range` seconds.
    static func duration(_ text: String, option: String, range: ClosedRange<Int64>) throws(CLIError) -> Int64 {
        guard let seconds = TimeText.parseDuration(text) else {
            throw CLIError.option(option, "\"\(text)\" is not a duration such as 90, 30s, 10m, 2h or 1h30m")
        }
        guard range.contains(seconds) else {
            throw CLIError.option(
                option,
                "\(TimeText.duration(seconds)) is out of range: give \(Self.spoken(range.lowerBound)) to "
                    + "\(Self.spoken(range.upperBound))"
            )
        }
        return seconds
    }

    /// `0s`, `1m`, `24h`, `30d`: a bound of a duration range in the largest whole unit (hours up to a day).
    static func spoken(_ seconds: Int64) -> String {
        if seconds > 86400, seconds % 86400 == 0 { return "\(seconds / 86400)d" }
        if seconds != 0, seconds % 3600 == 0 { return "\(seconds / 3600)h" }
        if seconds != 0, seconds % 60 == 0 { return "\(seconds / 60)m" }
        return "\(seconds)s"
    }

    /// The host IDs or names of `--hosts` options: commas or spaces separate them.
    static func hostList(_ options: [String]) -> [String] {
        options.flatMap { $0.split(whereSeparator: { $0 == "," || $0 == " " }).map(String.init) }
    }
}
