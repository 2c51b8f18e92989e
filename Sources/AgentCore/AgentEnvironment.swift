/// Everything the agent touches outside itself, as ports. The composition root picks real adapters (a node) or
/// simulated ones (`--simulate`, tests, fleets of simulated nodes); existentials, because that choice is made at
/// run time.
public struct AgentEnvironment: Sendable {
    /// Files of the node (metadata, APT sources, GRUB drop-in, os-release).
    public var fileSystem: any FileSystem
    /// apt, dpkg, update-grub, health checks.
    public var commands: any CommandRunner
    /// The A/B boot loader (immutable nodes).
    public var bootControl: (any BootControl)?
    /// The A/B slots (immutable nodes).
    public var slots: (any SlotStore)?
    /// Image downloads.
    public var fetcher: any ImageFetcher
    /// SHA-256.
    public var digests: any DigestFactory
    /// Reboots.
    public var rebooter: any Rebooter
    /// The Maintenance Manager.
    public var client: any MaintenanceClient
    /// Time.
    public var clock: any WallClock
    /// Uniform random numbers in [0, 1) (download jitter, retry jitter).
    public var random: @Sendable () -> Double

    /// Creates an environment.
    public init(
        fileSystem: any FileSystem,
        commands: any CommandRunner,
        bootControl: (any BootControl)?,
        slots: (any SlotStore)?,
        fetcher: any ImageFetcher,
        digests: any DigestFactory,
        rebooter: any Rebooter,
        client: any MaintenanceClient,
        clock: any WallClock,
        random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }
    ) {
        self.fileSystem = fileSystem
        self.commands = commands
        self.bootControl = bootControl
        self.slots = slots
        self.fetcher = fetcher
        self.digests = digests
        self.rebooter = rebooter
        self.client = client
        self.clock = clock
        self.random = random
    }
}
