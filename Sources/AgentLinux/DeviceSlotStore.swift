import AgentCore
import AgentSimulation

/// The A/B slots as block devices (or files): written sequentially with `fsync`, read back to resume.
public struct DeviceSlotStore: SlotStore {
    /// Slot devices `[A, B]`.
    public let devices: [String]

    /// Slots on `devices`.
    public init(devices: [String]) { self.devices = devices }

    public func writer(for slot: Slot, at offset: Int64) async throws -> any SlotWriter {
        try FileSlotWriter(path: devices[slot.index], offset: offset, truncate: true)
    }

    public func read(_ slot: Slot, length: Int64, _ body: (UnsafeRawBufferPointer) throws -> Void) async throws {
        try FileSlotWriter.readPrefix(path: devices[slot.index], length: length, body)
    }
}

/// Reboots with `systemctl reboot`.
public struct SystemdRebooter: Rebooter {
    /// Runs systemctl.
    public let commands: any CommandRunner

    /// Creates the rebooter.
    public init(commands: any CommandRunner) { self.commands = commands }

    public func reboot() async throws {
        let result = try await commands.run(Command("systemctl", ["reboot"]))
        guard result.succeeded else { throw AgentError(.command, "systemctl reboot exited with \(result.exitCode)") }
    }
}
