import AgentCore

/// The package database of a simulated node: what is installed and what the repositories offer, and how apt,
/// dpkg and update-grub act on it (shared by the on-disk and the in-memory command runners).
public struct PackageDatabase: Sendable, Hashable, Codable {
    /// Installed packages → version.
    public var installed: [String: String]
    /// Packages the repositories offer → version.
    public var available: [String: String]
    /// Packages downloaded but not installed.
    public var downloaded: [String]

    /// A database.
    public init(installed: [String: String] = [:], available: [String: String] = [:], downloaded: [String] = []) {
        self.installed = installed
        self.available = available
        self.downloaded = downloaded
    }

    /// The programs the database plays: `apt-get`, `apt`, `dpkg`, `update-grub`.
    public static func handles(_ command: Command) -> Bool {
        ["apt-get", "apt", "dpkg", "update-grub"].contains(command.program)
    }

    /// Plays `command` (one of `handles`) against the database; `changed` says whether it must be saved.
    public mutating func run(_ command: Command) -> (result: CommandResult, changed: Bool) {
        let args = command.arguments.filter { !$0.hasPrefix("-") && !$0.contains("::") }
        switch command.program {
        case "apt-get":
            return aptGet(
                args,
                downloadOnly: command.arguments.contains("--download-only"),
                onlyUpgrade: command.arguments.contains("--only-upgrade")
            )
        case "apt":
            var lines = ["Listing..."]
            for (name, version) in available.sorted(by: { $0.key < $1.key }) {
                if let current = installed[name], current != version {
                    lines.append("\(name)/stable \(version) amd64 [upgradable from: \(current)]")
                }
            }
            return (CommandResult(exitCode: 0, standardOutput: lines.joined(separator: "\n") + "\n"), false)
        case "dpkg":
            var lines = ["Desired=Unknown/Install/Remove/Purge/Hold", "||/ Name Version Architecture Description"]
            var missing = false
            for name in args where name != "-l" {
                if let version = installed[name] {
                    lines.append("ii  \(name) \(version) amd64 simulated package")
                } else {
                    missing = true
                }
            }
            return (
                CommandResult(exitCode: missing ? 1 : 0, standardOutput: lines.joined(separator: "\n") + "\n"), false
            )
        case "update-grub":
            return (CommandResult(exitCode: 0, standardError: "Generating grub configuration file ...\ndone\n"), false)
        default:
            return (CommandResult(exitCode: 127, standardError: "\(command.program): not a package command"), false)
        }
    }

    private mutating func aptGet(
        _ args: [String],
        downloadOnly: Bool,
        onlyUpgrade: Bool
    ) -> (result: CommandResult, changed: Bool) {
        guard let verb = args.first else {
            return (CommandResult(exitCode: 100, standardError: "E: no operation"), false)
        }
        switch verb {
        case "update":
            return (CommandResult(exitCode: 0, standardOutput: "Reading package lists... Done\n"), false)
        case "install":
            var names = Array(args.dropFirst())
            if onlyUpgrade {
                // apt skips packages that are not installed when only upgrades are requested.
                names = names.filter { installed[$0] != nil }
            }
            for name in names where available[name] == nil && installed[name] == nil {
                return (CommandResult(exitCode: 100, standardError: "E: Unable to locate package \(name)"), false)
            }
            if downloadOnly {
                downloaded = Array(Set(downloaded + names)).sorted()
            } else {
                for name in names { installed[name] = available[name] ?? installed[name] ?? "1.0" }
                downloaded.removeAll { names.contains($0) }
            }
            return (CommandResult(exitCode: 0, standardOutput: "\(names.count) newly installed\n"), true)
        case "upgrade":
            var count = 0
            for (name, version) in installed {
                if let newer = available[name], newer != version {
                    installed[name] = newer
                    count += 1
                }
            }
            return (CommandResult(exitCode: 0, standardOutput: "\(count) upgraded, 0 newly installed\n"), true)
        default:
            return (CommandResult(exitCode: 100, standardError: "E: Invalid operation \(verb)"), false)
        }
    }
}
