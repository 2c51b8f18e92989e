import AgentCore
import Foundation

/// The boot loader's state in the simulator (`bootloader.json` in the node's folder).
public struct BootloaderState: Sendable, Hashable, Codable {
    /// The slot booted when no one-time boot is set.
    public var defaultSlot: Slot
    /// The slot to boot next time only.
    public var oneTimeSlot: Slot?
    /// The slot the running system came from.
    public var bootedSlot: Slot
    /// Boots so far.
    public var boots: Int

    /// A node that boots and runs slot A.
    public init(defaultSlot: Slot = .a, oneTimeSlot: Slot? = nil, bootedSlot: Slot = .a, boots: Int = 0) {
        self.defaultSlot = defaultSlot
        self.oneTimeSlot = oneTimeSlot
        self.bootedSlot = bootedSlot
        self.boots = boots
    }
}

/// A file-backed boot loader: `BootControl` for the agent, `boot()` for the simulated firmware.
///
/// The firmware boots the one-time slot (once) when it holds a bootable image and `fail-next-boot` does not exist;
/// otherwise that boot fails and it falls back to the default slot (`fail-next-boot` is consumed).
public struct SimulatedBootloader: BootControl {
    /// Node path of the state file.
    public static let statePath = "/bootloader.json"
    /// Node path of the file that makes the next one-time boot fail.
    public static let failNextBootPath = "/fail-next-boot"
    /// The first bytes of an image the simulated firmware can boot.
    public static let imageMagic = Array("DAY2-SIMULATED-IMAGE\n".utf8)

    /// The node's files.
    public let fileSystem: SimulatedFileSystem
    /// The slots (to check a slot is bootable).
    public let slots: SimulatedSlotStore

    /// A boot loader over the node's files.
    public init(fileSystem: SimulatedFileSystem, slots: SimulatedSlotStore) {
        self.fileSystem = fileSystem
        self.slots = slots
    }

    /// The current state (a fresh one when the file does not exist yet).
    public func state() async throws -> BootloaderState {
        guard let bytes = try await fileSystem.read(Self.statePath, refuseSymlink: true) else {
            return BootloaderState()
        }
        do {
            return try JSONDecoder().decode(BootloaderState.self, from: Data(bytes))
        } catch {
            throw AgentError(.boot, "\(Self.statePath): unreadable boot loader state", cause: error)
        }
    }

    /// Writes the state atomically.
    public func save(_ state: BootloaderState) async throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try await fileSystem.writeAtomically(Self.statePath, Array(try encoder.encode(state)), mode: 0o644)
    }

    public func bootedSlot() async throws -> Slot { try await state().bootedSlot }
    public func defaultSlot() async throws -> Slot { try await state().defaultSlot }

    public func setOneTimeBoot(_ slot: Slot) async throws {
        var current = try await state()
        current.oneTimeSlot = slot
        try await save(current)
    }

    public func clearOneTimeBoot() async throws {
        var current = try await state()
        guard current.oneTimeSlot != nil else { return }
        current.oneTimeSlot = nil
        try await save(current)
    }

    public func setDefault(_ slot: Slot) async throws {
        var current = try await state()
        guard current.defaultSlot != slot else { return }
        current.defaultSlot = slot
        try await save(current)
    }

    /// The simulated firmware: picks the slot to run after a (re)boot or a power cycle and records it.
    @discardableResult
    public func boot() async throws -> Slot {
        var current = try await state()
        var booted = current.defaultSlot
        if let oneTime = current.oneTimeSlot {
            current.oneTimeSlot = nil
            let failing = try await fileSystem.base.read(Self.failNextBootPath, refuseSymlink: false) != nil
            if failing {
                try await fileSystem.base.remove(Self.failNextBootPath)
            } else if try await slots.isBootable(oneTime) {
                booted = oneTime
            }
        }
        if try await !slots.isBootable(booted), try await slots.isBootable(booted.other) {
            booted = booted.other
        }
        current.bootedSlot = booted
        current.boots += 1
        try await save(current)
        return booted
    }
}
