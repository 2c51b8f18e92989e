import AgentCore
import Synchronization

/// The boot loader of a simulated node in memory: `BootControl` for the agent, `boot()` for the simulated firmware.
/// The twin of `SimulatedBootloader` (same rules) without a state file.
///
/// The firmware boots the one-time slot (once) when it holds a bootable image and no boot failure is armed;
/// otherwise that boot fails and it falls back to the default slot (an armed failure is consumed).
public final class InMemoryBootloader: BootControl {
    struct State {
        var loader = BootloaderState()
        var failNextBoot = false
    }

    private let state: Mutex<State>
    /// The slots (to check a slot is bootable).
    public let slots: InMemorySlotStore

    /// A boot loader running slot A; `failNextBoot` makes the next one-time boot fail.
    public init(slots: InMemorySlotStore, failNextBoot: Bool = false) {
        self.slots = slots
        state = Mutex(State(failNextBoot: failNextBoot))
    }

    /// The current state.
    public var current: BootloaderState { state.withLock { $0.loader } }

    /// Makes the next one-time boot fail (or not).
    public func setFailNextBoot(_ fail: Bool) { state.withLock { $0.failNextBoot = fail } }

    public func bootedSlot() async throws -> Slot { state.withLock { $0.loader.bootedSlot } }
    public func defaultSlot() async throws -> Slot { state.withLock { $0.loader.defaultSlot } }
    public func setOneTimeBoot(_ slot: Slot) async throws { state.withLock { $0.loader.oneTimeSlot = slot } }
    public func clearOneTimeBoot() async throws { state.withLock { $0.loader.oneTimeSlot = nil } }
    public func setDefault(_ slot: Slot) async throws { state.withLock { $0.loader.defaultSlot = slot } }

    /// The simulated firmware: picks the slot to run after a (re)boot and records it.
    @discardableResult
    public func boot() -> Slot {
        let bootableA = slots.isBootable(.a)
        let bootableB = slots.isBootable(.b)
        func bootable(_ slot: Slot) -> Bool { slot == .a ? bootableA : bootableB }
        return state.withLock { state in
            var booted = state.loader.defaultSlot
            if let oneTime = state.loader.oneTimeSlot {
                state.loader.oneTimeSlot = nil
                if state.failNextBoot {
                    state.failNextBoot = false
                } else if bootable(oneTime) {
                    booted = oneTime
                }
            }
            if !bootable(booted), bootable(booted.other) { booted = booted.other }
            state.loader.bootedSlot = booted
            state.loader.boots += 1
            return booted
        }
    }
}
