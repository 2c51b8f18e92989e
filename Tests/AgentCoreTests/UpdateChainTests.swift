import AgentCore
import Testing

@Suite("Update chains as a pure state machine")
struct UpdateChainTests {
    static func job(_ kind: UpdateJob.Kind) -> UpdateJob {
        UpdateJob(
            kind: kind,
            windowStart: 0,
            windowEnd: nil,
            updateSource: UpdateSourceRecord(),
            packages: "",
            image: kind == .immutable ? ImageSource(osImageURL: "a", osImageID: "1", osImageSHA: "s") : nil,
            previousSlot: kind == .immutable ? .a : nil
        )
    }

    /// Feeds `events` one by one, returning the steps visited and the last transition.
    static func walk(
        _ job: UpdateJob,
        _ events: [UpdateChain.Event]
    ) -> (steps: [UpdateJob.Step], last: UpdateChain.Transition?) {
        var current = job
        var steps = [job.step]
        var last: UpdateChain.Transition?
        for event in events {
            last = UpdateChain.transition(current, event)
            switch last {
            case .next(let next)?, .reboot(let next)?:
                current = next
                steps.append(next.step)
            default:
                return (steps, last)
            }
        }
        return (steps, last)
    }

    @Test("mutable: sources → self-update → kernel → packages → upgrade → reboot → verification → UPDATED")
    func mutable() {
        let (steps, last) = Self.walk(Self.job(.mutable), Array(repeating: .done, count: 8))
        #expect(
            steps == [
                .repositories, .selfUpdate, .kernelCommandLine, .downloadPackages, .installPackages, .fullUpgrade,
                .reboot, .verifyPackages,
            ]
        )
        #expect(last == .succeeded)
        var atReboot = Self.job(.mutable)
        atReboot.step = .reboot
        guard case .reboot(let next) = UpdateChain.transition(atReboot, .done) else {
            Issue.record("the reboot step must ask for a reboot")
            return
        }
        #expect(next.step == .verifyPackages)
    }

    @Test("immutable: download → one-time boot → reboot → new slot → checks → commit → UPDATED")
    func immutable() {
        let events: [UpdateChain.Event] = [
            .done, .done, .done, .booted(.b), .healthCheckPassed, .healthCheckPassed, .done, .done,
        ]
        let (steps, last) = Self.walk(Self.job(.immutable), events)
        #expect(
            steps == [
                .downloadImage, .activateSlot, .rebootIntoSlot, .inspectBoot, .healthChecks, .healthChecks,
                .healthChecks, .commitSlot,
            ]
        )
        #expect(last == .succeeded)
    }

    @Test("came back on the old slot: FAILED, rolled back, bootloader")
    func fallback() {
        var job = Self.job(.immutable)
        job.step = .inspectBoot
        guard case .failed(let failure) = UpdateChain.transition(job, .booted(.a)) else {
            Issue.record("expected a failure")
            return
        }
        #expect(failure.reason == .bootloader && failure.rolledBack)
    }

    @Test("a failing health check rolls back, and FAILED (oscommit) is reported once the old slot runs")
    func healthCheckRollsBack() {
        var job = Self.job(.immutable)
        job.step = .healthChecks
        let events: [UpdateChain.Event] = [
            .healthCheckFailed(index: 0, command: "check", exitCode: 3), .done, .booted(.b), .done, .booted(.a),
        ]
        let (steps, last) = Self.walk(job, events)
        #expect(steps == [.healthChecks, .rollBack, .inspectRollback, .rollBack, .inspectRollback])
        guard case .failed(let failure)? = last else {
            Issue.record("expected a failure, got \(String(describing: last))")
            return
        }
        #expect(failure.reason == .osCommit && failure.rolledBack && failure.message.contains("health check 0"))
    }

    @Test("a failed commit rolls back; a power cut that already booted the new slot skips to its inspection")
    func commitAndPowerCut() {
        var job = Self.job(.immutable)
        job.step = .commitSlot
        guard case .next(let rolling) = UpdateChain.transition(job, .commitFailed("EFI variable is read-only")) else {
            Issue.record("expected the roll-back step")
            return
        }
        #expect(rolling.step == .rollBack && rolling.pendingFailure?.reason == .osCommit)
        job.step = .rebootIntoSlot
        guard case .next(let inspecting) = UpdateChain.transition(job, .booted(.b)) else {
            Issue.record("expected the inspection step")
            return
        }
        #expect(inspecting.step == .inspectBoot)
    }

    @Test("a step failure ends the job with that failure; an event a step cannot produce is a failure too")
    func failures() {
        let failure = UpdateFailure(step: .fullUpgrade, reason: .updateTool, message: "apt-get exited with 100")
        var job = Self.job(.mutable)
        job.step = .fullUpgrade
        #expect(UpdateChain.transition(job, .failed(failure)) == .failed(failure))
        guard case .failed(let unexpected) = UpdateChain.transition(job, .booted(.a)) else {
            Issue.record("expected a failure")
            return
        }
        #expect(unexpected.message.contains("unexpected"))
    }
}
