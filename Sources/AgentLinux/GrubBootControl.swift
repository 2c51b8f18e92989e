import AgentCore
import Foundation

/// GRUB as the A/B boot loader: `grub-reboot <entry>` for the one-time boot, `grub-set-default <entry>` to commit,
/// `grub-editenv` to read and clear. The running slot is the slot device that holds `/` (or `root=` on the
/// kernel command line). GRUB's `fallback` must point at the default entry so that a failing one-time boot comes
/// back on it (see docs/agent.md).
public struct GrubBootControl: BootControl {
    /// Slot devices `[A, B]`.
    public let slotDevices: [String]
    /// GRUB menu entries (titles or ids) booting slot A and slot B.
    public let entries: [String]
    /// Runs the GRUB tools.
    public let commands: any CommandRunner

    /// Creates the backend.
    public init(slotDevices: [String], entries: [String], commands: any CommandRunner) {
        self.slotDevices = slotDevices
        self.entries = entries
        self.commands = commands
    }

    public func bootedSlot() async throws -> Slot {
        try BootedSlot.detect(slotDevices: slotDevices)
    }

    public func defaultSlot() async throws -> Slot {
        let result = try await commands.run(Command("grub-editenv", ["list"]))
        guard result.succeeded else { throw AgentError(.boot, "grub-editenv list exited with \(result.exitCode)") }
        for line in result.standardOutput.split(whereSeparator: \.isNewline) where line.hasPrefix("saved_entry=") {
            let entry = String(line.dropFirst("saved_entry=".count))
            if let index = entries.firstIndex(of: entry) { return index == 0 ? .a : .b }
        }
        return .a
    }

    public func setOneTimeBoot(_ slot: Slot) async throws {
        try await check(Command("grub-reboot", [entries[slot.index]]))
    }

    public func clearOneTimeBoot() async throws {
        try await check(Command("grub-editenv", ["-", "unset", "next_entry"]))
    }

    public func setDefault(_ slot: Slot) async throws {
        try await check(Command("grub-set-default", [entries[slot.index]]))
    }

    private func check(_ command: Command) async throws {
        let result = try await commands.run(command)
        guard result.succeeded else {
            throw AgentError(.boot, "\(command) exited with \(result.exitCode): \(result.standardError.suffix(500))")
        }
    }
}

/// systemd-boot as the A/B boot loader: `bootctl set-oneshot`, `bootctl set-default`, `bootctl list --json=short`.
/// Boot counting (`+3` in the entry file name) makes a failing one-time boot come back on the default entry.
public struct SystemdBootControl: BootControl {
    /// Slot devices `[A, B]`.
    public let slotDevices: [String]
    /// Loader entry ids booting slot A and slot B.
    public let entries: [String]
    /// Runs bootctl.
    public let commands: any CommandRunner

    /// Creates the backend.
    public init(slotDevices: [String], entries: [String], commands: any CommandRunner) {
        self.slotDevices = slotDevices
        self.entries = entries
        self.commands = commands
    }

    public func bootedSlot() async throws -> Slot {
        try BootedSlot.detect(slotDevices: slotDevices)
    }

    public func defaultSlot() async throws -> Slot {
        let result = try await commands.run(Command("bootctl", ["list", "--json=short", "--no-pager"]))
        guard result.succeeded,
            let list = try? JSONSerialization.jsonObject(with: Data(result.standardOutput.utf8)) as? [[String: Any]]
        else {
            throw AgentError(.boot, "bootctl list exited with \(result.exitCode)")
        }
        for entry in list where (entry["isDefault"] as? Bool) == true {
            if let id = entry["id"] as? String, let index = entries.firstIndex(of: id) { return index == 0 ? .a : .b }
        }
        return .a
    }

    public func setOneTimeBoot(_ slot: Slot) async throws {
        try await check(Command("bootctl", ["set-oneshot", entries[slot.index]]))
    }

    public func clearOneTimeBoot() async throws {
        try await check(Command("bootctl", ["set-oneshot", ""]))
    }

    public func setDefault(_ slot: Slot) async throws {
        try await check(Command("bootctl", ["set-default", entries[slot.index]]))
    }

    private func check(_ command: Command) async throws {
        let result = try await commands.run(command)
        guard result.succeeded else {
            throw AgentError(.boot, "\(command) exited with \(result.exitCode): \(result.standardError.suffix(500))")
        }
    }
}

/// Which slot device holds the running root file system.
enum BootedSlot {
    static func detect(slotDevices: [String], cmdline: String? = nil) throws -> Slot {
        guard slotDevices.count == 2 else { throw AgentError(.boot, "slots: two slot devices are needed") }
        var root = stat()
        if stat("/", &root) == 0 {
            for (index, device) in slotDevices.enumerated() {
                var info = stat()
                if stat(device, &info) == 0, (info.st_mode & S_IFMT) == S_IFBLK, info.st_rdev == root.st_dev {
                    return index == 0 ? .a : .b
                }
            }
        }
        let text = cmdline ?? (try? String(contentsOfFile: "/proc/cmdline", encoding: .utf8)) ?? ""
        for parameter in text.split(separator: " ") where parameter.hasPrefix("root=") {
            let value = String(parameter.dropFirst(5))
            if let index = slotDevices.firstIndex(of: value) { return index == 0 ? .a : .b }
        }
        throw AgentError(.boot, "slots: neither \(slotDevices[0]) nor \(slotDevices[1]) holds the running system")
    }
}
