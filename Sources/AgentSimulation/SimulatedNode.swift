import AgentCore
import Foundation
import Logging

/// A simulated edge node rooted in a folder: its files (metadata, APT sources, GRUB drop-in, os-release), two slot
/// files, a boot loader state file, a package database, a recording command runner, and a power switch.
///
/// Nothing here starts a thread: many nodes can run in one process (a fleet simulator), each agent in its own task.
public struct SimulatedNode: Sendable {
    /// The folder (host path).
    public let root: String
    /// The node's power.
    public let power: PowerSwitch
    /// Files.
    public let fileSystem: SimulatedFileSystem
    /// Slots.
    public let slots: SimulatedSlotStore
    /// Boot loader and firmware.
    public let bootloader: SimulatedBootloader
    /// Commands.
    public let commands: SimulatedCommandRunner
    /// Reboots.
    public let rebooter: SimulatedRebooter

    /// A node in `root` (created when missing).
    public init(root: String, power: PowerSwitch = PowerSwitch()) {
        self.root = root
        self.power = power
        fileSystem = SimulatedFileSystem(root: root, power: power)
        slots = SimulatedSlotStore(root: root, power: power)
        bootloader = SimulatedBootloader(fileSystem: fileSystem, slots: slots)
        commands = SimulatedCommandRunner(fileSystem: fileSystem)
        rebooter = SimulatedRebooter(power: power)
    }

    /// Creates what a fresh node has, keeping whatever already exists: os-release for `os`, slot A holding
    /// `initialImage` (a bootable simulated image when nil), an empty slot B, a boot loader running A, and the
    /// package database.
    public func prepare(
        os: NodeOS,
        initialImage: [UInt8]? = nil,
        packages: PackageDatabase = PackageDatabase()
    ) async throws {
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        let base = fileSystem.base
        try await base.createDirectory("/etc")
        if try await base.read("/etc/os-release", refuseSymlink: false) == nil {
            let text: String
            switch os {
            case .ubuntu: text = "NAME=\"Ubuntu\"\nID=ubuntu\nVERSION_ID=\"22.04\"\n"
            case .debian: text = "NAME=\"Debian GNU/Linux\"\nID=debian\nVERSION_ID=\"12\"\n"
            case .emt: text = "NAME=\"Edge Microvisor Toolkit\"\nID=emt\nVERSION_ID=\"3.0\"\n"
            }
            try await base.write("/etc/os-release", Array(text.utf8), mode: 0o644)
        }
        if !FileManager.default.fileExists(atPath: slots.path(.a)) {
            let image = initialImage ?? Self.makeImage(label: "initial", size: 4096)
            _ = FileManager.default.createFile(atPath: slots.path(.a), contents: Data(image))
            _ = FileManager.default.createFile(atPath: slots.path(.b), contents: Data())
        }
        if try await base.read(SimulatedBootloader.statePath, refuseSymlink: false) == nil {
            let data = try JSONEncoder().encode(BootloaderState())
            try await base.write(SimulatedBootloader.statePath, Array(data), mode: 0o644)
        }
        if try await base.read(SimulatedCommandRunner.databasePath, refuseSymlink: false) == nil {
            try await base.write(
                SimulatedCommandRunner.databasePath,
                Array(try JSONEncoder().encode(packages)),
                mode: 0o644
            )
        }
        try await base.createDirectory("/etc/apt/sources.list.d")
    }

    /// A bootable simulated image of `size` bytes whose content depends on `label`.
    public static func makeImage(label: String, size: Int) -> [UInt8] {
        var bytes = SimulatedBootloader.imageMagic + Array("\(label)\n".utf8)
        var state: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in label.utf8 { state = (state ^ UInt64(byte)) &* 0x100_0000_01b3 }
        while bytes.count < size {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            bytes.append(UInt8(truncatingIfNeeded: state >> 33))
        }
        return Array(bytes.prefix(max(size, bytes.count)))
    }

    /// The label of a synthetic image (`makeImage`) from its first bytes; nil when they are not such a header.
    public static func imageLabel(_ head: [UInt8]) -> String? {
        let magic = SimulatedBootloader.imageMagic
        guard head.starts(with: magic) else { return nil }
        let rest = head.dropFirst(magic.count)
        guard let newline = rest.firstIndex(of: 0x0A) else { return nil }
        return String(decoding: rest[..<newline], as: UTF8.self)
    }

    /// The environment for an agent on this node, with the given network side and clock.
    public func environment(
        client: any MaintenanceClient,
        fetcher: any ImageFetcher,
        clock: any WallClock,
        random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }
    ) -> AgentEnvironment {
        AgentEnvironment(
            fileSystem: fileSystem,
            commands: commands,
            bootControl: bootloader,
            slots: slots,
            fetcher: fetcher,
            digests: CryptoDigestFactory(),
            rebooter: rebooter,
            client: client,
            clock: clock,
            random: random
        )
    }

    /// Power on after a cut and boot the firmware (what a power cycle or a reboot does).
    @discardableResult
    public func powerCycle() async throws -> Slot {
        power.powerOn()
        return try await bootloader.boot()
    }

    /// Runs agents on this node until cancelled: each reboot request boots the simulated firmware and starts a
    /// fresh agent from the node's files, as a real reboot would.
    public func runAgents(
        configuration: AgentConfiguration,
        environment: AgentEnvironment,
        logger: Logger,
        forcedOS: NodeOS? = nil
    ) async throws {
        while !Task.isCancelled {
            let agent = UpdateAgent(
                configuration: configuration,
                environment: environment,
                logger: logger,
                forcedOS: forcedOS
            )
            switch try await agent.run() {
            case .rebootRequested:
                let slot = try await powerCycle()
                logger.info("simulated reboot", metadata: ["boot.slot": "\(slot.rawValue)"])
            case .cancelled:
                return
            }
        }
    }
}
