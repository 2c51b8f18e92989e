/// The boot loader of an A/B node: which slot runs, which boots by default, and a one-time boot of the other.
///
/// Real: GRUB (`grub-reboot`, `grub-set-default`) or systemd-boot (`bootctl set-oneshot`, `bootctl set-default`);
/// tests and the simulator: a file-backed twin.
public protocol BootControl: Sendable {
    /// The slot the running system was booted from.
    func bootedSlot() async throws -> Slot
    /// The slot the firmware boots when no one-time boot is set.
    func defaultSlot() async throws -> Slot
    /// Boots `slot` on the next boot only; if that boot fails, the firmware falls back to the default slot.
    func setOneTimeBoot(_ slot: Slot) async throws
    /// Cancels a pending one-time boot (no error when none is set).
    func clearOneTimeBoot() async throws
    /// Makes `slot` the default (the commit of an update).
    func setDefault(_ slot: Slot) async throws
}
