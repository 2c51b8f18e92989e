import AgentCore
import Foundation
import Synchronization

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
        if PackageDatabase.handles(command) {
            var db = try await database()
            let (result, changed) = db.run(command)
            if changed { try await save(db) }
            return result
        }
        if try await fileSystem.base.read("/fail-health-check", refuseSymlink: false) != nil {
            return CommandResult(exitCode: 1, standardError: "health check failed (simulated)")
        }
        return CommandResult(exitCode: 0)
    }

    private func append(_ command: Command) async throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var log = try await fileSystem.base.read(Self.logPath, refuseSymlink: false) ?? []
        log += Array(try encoder.encode(command)) + [0x0A]
        try await fileSystem.base.write(Self.logPath, log, mode: 0o644)
    }
}
