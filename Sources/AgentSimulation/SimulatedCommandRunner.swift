import AgentCore
import Foundation
import Synchronization

/// The package database of a simulated node (`packages.json`): what is installed and what the repositories offer.
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
}

/// Records every command (`commands.log`, one JSON object per line) and plays apt, dpkg and update-grub against
/// the package database. Any other command (a health check) succeeds unless `fail-health-check` exists; a command
/// fails whenever `fail-command-<program>` exists.
public struct SimulatedCommandRunner: CommandRunner {
    /// Node path of the package database.
    public static let databasePath = "/packages.json"
    /// Node path of the command log.
    public static let logPath = "/commands.log"

    /// The node's files.
    public let fileSystem: SimulatedFileSystem

    /// A runner over the node's files.
    public init(fileSystem: SimulatedFileSystem) {
        self.fileSystem = fileSystem
    }

    /// The database (empty when missing).
    public func database() async throws -> PackageDatabase {
        guard let bytes = try await fileSystem.base.read(Self.databasePath, refuseSymlink: false) else {
            return PackageDatabase()
        }
        return try JSONDecoder().decode(PackageDatabase.self, from: Data(bytes))
    }

    /// Replaces the database atomically.
    public func save(_ database: PackageDatabase) async throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try await fileSystem.writeAtomically(Self.databasePath, Array(try encoder.encode(database)), mode: 0o644)
    }

    /// The commands recorded so far.
    public func recorded() async throws -> [Command] {
        guard let bytes = try await fileSystem.base.read(Self.logPath, refuseSymlink: false) else { return [] }
        return try String(decoding: bytes, as: UTF8.self).split(separator: "\n").map {
            try JSONDecoder().decode(Command.self, from: Data($0.utf8))
        }
    }

    public func run(_ command: Command) async throws -> CommandResult {
        try fileSystem.power.check("run \(command.program)")
        try await append(command)
        if try await fileSystem.base.read("/fail-command-\(command.program)", refuseSymlink: false) != nil {
            return CommandResult(exitCode: 100, standardError: "E: \(command.program) failed (simulated)")
        }
        let args = command.arguments.filter { !$0.hasPrefix("-") && !$0.contains("::") }
        switch command.program {
        case "apt-get":
            return try await aptGet(
                args,
                downloadOnly: command.arguments.contains("--download-only"),
                onlyUpgrade: command.arguments.contains("--only-upgrade")
            )
        case "apt":
            let db = try await database()
            var lines = ["Listing..."]
            for (name, version) in db.available.sorted(by: { $0.key < $1.key }) {
                if let current = db.installed[name], current != version {
                    lines.append("\(name)/stable \(version) amd64 [upgradable from: \(current)]")
                }
            }
            return CommandResult(exitCode: 0, standardOutput: lines.joined(separator: "\n") + "\n")
        case "dpkg":
            let db = try await database()
            var lines = ["Desired=Unknown/Install/Remove/Purge/Hold", "||/ Name Version Architecture Description"]
            var missing = false
            for name in args where name != "-l" {
                if let version = db.installed[name] {
                    lines.append("ii  \(name) \(version) amd64 simulated package")
                } else {
                    missing = true
                }
            }
            return CommandResult(exitCode: missing ? 1 : 0, standardOutput: lines.joined(separator: "\n") + "\n")
        case "update-grub":
            return CommandResult(exitCode: 0, standardError: "Generating grub configuration file ...\ndone\n")
        default:
            if try await fileSystem.base.read("/fail-health-check", refuseSymlink: false) != nil {
                return CommandResult(exitCode: 1, standardError: "health check failed (simulated)")
            }
            return CommandResult(exitCode: 0)
        }
    }

    private func aptGet(_ args: [String], downloadOnly: Bool, onlyUpgrade: Bool) async throws -> CommandResult {
        var db = try await database()
        guard let verb = args.first else { return CommandResult(exitCode: 100, standardError: "E: no operation") }
        switch verb {
        case "update":
            return CommandResult(exitCode: 0, standardOutput: "Reading package lists... Done\n")
        case "install":
            var names = Array(args.dropFirst())
            if onlyUpgrade {
                // apt skips packages that are not installed when only upgrades are requested.
                names = names.filter { db.installed[$0] != nil }
            }
            for name in names where db.available[name] == nil && db.installed[name] == nil {
                return CommandResult(exitCode: 100, standardError: "E: Unable to locate package \(name)")
            }
            if downloadOnly {
                db.downloaded = Array(Set(db.downloaded + names)).sorted()
            } else {
                for name in names { db.installed[name] = db.available[name] ?? db.installed[name] ?? "1.0" }
                db.downloaded.removeAll { names.contains($0) }
            }
            try await save(db)
            return CommandResult(exitCode: 0, standardOutput: "\(names.count) newly installed\n")
        case "upgrade":
            var count = 0
            for (name, version) in db.installed {
                if let available = db.available[name], available != version {
                    db.installed[name] = available
                    count += 1
                }
            }
            try await save(db)
            return CommandResult(exitCode: 0, standardOutput: "\(count) upgraded, 0 newly installed\n")
        default:
            return CommandResult(exitCode: 100, standardError: "E: Invalid operation \(verb)")
        }
    }

    private func append(_ command: Command) async throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var log = try await fileSystem.base.read(Self.logPath, refuseSymlink: false) ?? []
        log += Array(try encoder.encode(command)) + [0x0A]
        try await fileSystem.base.write(Self.logPath, log, mode: 0o644)
    }
}
