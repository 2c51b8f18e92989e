/// The two update chains as a pure state machine: from a job and what its current step found (an `Event`), the
/// next state of the job and what its owner must do (`Transition`). No I/O and no clock: `UpdateAgent` performs
/// each step, feeds the outcome in, persists the resulting job and reboots when told to.
public enum UpdateChain {
    /// What performing the job's current step found.
    public enum Event: Sendable, Hashable {
        /// The step's work is done.
        case done
        /// The step's work failed.
        case failed(UpdateFailure)
        /// The slot the node runs (the boot-related steps report it before doing anything else).
        case booted(Slot)
        /// One health check passed (the next one comes after the job is persisted).
        case healthCheckPassed
        /// A health check exited with an error.
        case healthCheckFailed(index: Int, command: String, exitCode: Int32)
        /// Making the new slot the default failed.
        case commitFailed(String)
    }

    /// What the owner does next.
    public enum Transition: Sendable, Hashable {
        /// Persist the job and perform its (new) step.
        case next(UpdateJob)
        /// Persist the job, then reboot; its step runs after the boot.
        case reboot(UpdateJob)
        /// The update is complete: report UPDATED.
        case succeeded
        /// The update failed: report FAILED.
        case failed(UpdateFailure)
    }

    /// The transition for `event` at `job`'s current step.
    public static func transition(_ job: UpdateJob, _ event: Event) -> Transition {
        var next = job
        switch (job.step, event) {
        case (_, .failed(let failure)):
            return .failed(failure)

        // Mutable chain: a straight line with one reboot before the verification.
        case (.repositories, .done): next.step = .selfUpdate
        case (.selfUpdate, .done): next.step = .kernelCommandLine
        case (.kernelCommandLine, .done): next.step = .downloadPackages
        case (.downloadPackages, .done): next.step = .installPackages
        case (.installPackages, .done): next.step = .fullUpgrade
        case (.fullUpgrade, .done): next.step = .reboot
        case (.reboot, .done):
            next.step = .verifyPackages
            return .reboot(next)
        case (.verifyPackages, .done):
            return .succeeded

        // Immutable chain.
        case (.downloadImage, .done): next.step = .activateSlot
        case (.activateSlot, .done): next.step = .rebootIntoSlot
        case (.rebootIntoSlot, .done):
            next.step = .inspectBoot
            return .reboot(next)
        case (.activateSlot, .booted(let slot)), (.rebootIntoSlot, .booted(let slot)):
            // A power cut after the one-time boot was set already booted the new slot: inspect it.
            guard slot == job.targetSlot else { return .failed(unexpected(job, event)) }
            next.step = .inspectBoot
        case (.inspectBoot, .booted(let slot)), (.healthChecks, .booted(let slot)), (.commitSlot, .booted(let slot)):
            guard slot == job.targetSlot else {
                return .failed(
                    UpdateFailure(
                        step: job.step,
                        reason: .bootloader,
                        rolledBack: true,
                        message: "the node runs slot \(slot.rawValue) after the one-time boot of slot "
                            + "\(job.targetSlot?.rawValue ?? "?"): the new image did not boot (or lost power before its commit)"
                    )
                )
            }
            guard job.step == .inspectBoot else { return .next(job) }
            next.step = .healthChecks
        case (.healthChecks, .healthCheckPassed):
            next.healthCheckIndex += 1
        case (.healthChecks, .done):
            next.step = .commitSlot
        case (.healthChecks, .healthCheckFailed(let index, let command, let exitCode)):
            next.pendingFailure = UpdateFailure(
                step: .healthChecks,
                reason: .osCommit,
                rolledBack: true,
                message: "health check \(index) (\(command)) exited with \(exitCode); rolled back to slot "
                    + (job.previousSlot?.rawValue ?? "?")
            )
            next.step = .rollBack
        case (.commitSlot, .done):
            return .succeeded
        case (.commitSlot, .commitFailed(let message)):
            next.pendingFailure = UpdateFailure(
                step: .commitSlot,
                reason: .osCommit,
                rolledBack: true,
                message: "commit of slot \(job.targetSlot?.rawValue ?? "?") failed: \(message); rolled back"
            )
            next.step = .rollBack
        case (.rollBack, .done):
            next.step = .inspectRollback
            return .reboot(next)
        case (.inspectRollback, .booted(let slot)):
            guard slot == job.previousSlot else {
                // Still not on the old slot: roll back again.
                next.step = .rollBack
                return .next(next)
            }
            return .failed(
                job.pendingFailure
                    ?? UpdateFailure(step: .rollBack, reason: .osCommit, rolledBack: true, message: "rolled back")
            )
        default:
            return .failed(unexpected(job, event))
        }
        return .next(next)
    }

    private static func unexpected(_ job: UpdateJob, _ event: Event) -> UpdateFailure {
        UpdateFailure(
            step: job.step,
            reason: .unspecified,
            message: "unexpected \(event) at step \(job.step.rawValue)"
        )
    }
}
