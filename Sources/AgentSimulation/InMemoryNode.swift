import AgentCore
import Logging

/// A simulated edge node held entirely in memory: files, two compact slots, a boot loader and a package database.
/// The small-footprint twin of `SimulatedNode` for fleets of simulated nodes (`day2-fleetsim`): nothing on disk,
/// no thread, no file descriptor, nothing shared with other nodes.
///
/// What is simulated and what is not is said on each part (`InMemoryFileSystem`, `InMemorySlotStore`,
/// `InMemoryBootloader`, `InMemoryCommandRunner`); the agent that runs on it is the real `UpdateAgent`.
public struct InMemoryNode: Sendable {
    /// Files.
    public let fileSystem: InMemoryFileSystem
    /// Slots.
    public let slots: InMemorySlotStore
    /// Boot loader and firmware.
    public let bootloader: InMemoryBootloader
    /// Commands.
    public let commands: InMemoryCommandRunner

    /// A node of `os` running the synthetic image `initialImage` (label, length) from slot A; `failNextBoot` makes
    /// the next one-time boot of a new slot fail (the agent then rolls back and reports FAILED).
    public init(
        os: NodeOS,
        initialImage: (label: String, length: Int64) = ("initial", 4096),
        packages: PackageDatabase = PackageDatabase(),
        failNextBoot: Bool = false
    ) {
        fileSystem = InMemoryFileSystem(files: ["/etc/os-release": Array(Self.osRelease(os).utf8)])
        slots = InMemorySlotStore(initialLabel: initialImage.label, initialLength: initialImage.length)
        bootloader = InMemoryBootloader(slots: slots, failNextBoot: failNextBoot)
        commands = InMemoryCommandRunner(database: packages)
    }

    /// The `/etc/os-release` of `os`.
    public static func osRelease(_ os: NodeOS) -> String {
        switch os {
        case .ubuntu: "NAME=\"Ubuntu\"\nID=ubuntu\nVERSION_ID=\"22.04\"\n"
        case .debian: "NAME=\"Debian GNU/Linux\"\nID=debian\nVERSION_ID=\"12\"\n"
        case .emt: "NAME=\"Edge Microvisor Toolkit\"\nID=emt\nVERSION_ID=\"3.0\"\n"
        }
    }

    /// The environment for an agent on this node, with the given network side, clock and digests (shared by a
    /// whole fleet: they hold no per-node state).
    public func environment(
        client: any MaintenanceClient,
        fetcher: any ImageFetcher,
        clock: any WallClock,
        digests: any DigestFactory = CryptoDigestFactory(),
        random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }
    ) -> AgentEnvironment {
        AgentEnvironment(
            fileSystem: fileSystem,
            commands: commands,
            bootControl: bootloader,
            slots: slots,
            fetcher: fetcher,
            digests: digests,
            rebooter: InMemoryRebooter(),
            client: client,
            clock: clock,
            random: random
        )
    }

    /// Runs agents on this node until cancelled: after each reboot request, `rebootDelay` is awaited (the time a
    /// reboot takes), the simulated firmware boots, and a fresh agent starts from the node's files, as a real
    /// reboot would. `onBoot` is told the slot booted.
    public func runAgents(
        configuration: AgentConfiguration,
        environment: AgentEnvironment,
        logger: Logger,
        forcedOS: NodeOS? = nil,
        rebootDelay: @Sendable () async throws -> Void = {},
        onBoot: @Sendable (Slot) -> Void = { _ in }
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
                do {
                    try await rebootDelay()
                } catch {
                    return
                }
                let slot = bootloader.boot()
                onBoot(slot)
                logger.debug("simulated reboot", metadata: ["boot.slot": "\(slot.rawValue)"])
            case .cancelled:
                return
            }
        }
    }
}
