import AgentCore
import Day2Model
import Testing

@Suite("OS detection, apt output, status details")
struct ParsingTests {
    @Test("os-release: ubuntu, debian and Edge Microvisor Toolkit; anything else is refused")
    func osRelease() throws {
        #expect(try NodeOS.detect(osRelease: "NAME=\"Ubuntu\"\nID=ubuntu\n") == .ubuntu)
        #expect(try NodeOS.detect(osRelease: "ID=\"debian\"\n") == .debian)
        #expect(try NodeOS.detect(osRelease: "NAME=\"Edge Microvisor Toolkit\"\nID=emt\n").osType == .immutable)
        #expect(try NodeOS.detect(osRelease: "NAME=\"Edge Microvisor Toolkit\"\nID=something\n") == .emt)
        #expect(throws: AgentError.self) { try NodeOS.detect(osRelease: "ID=fedora\n") }
    }

    @Test("apt list --upgradable becomes the os_update_available JSON")
    func upgradable() {
        let output = """
            Listing... Done
            openssl/jammy-updates 3.0.2-0ubuntu1.18 amd64 [upgradable from: 3.0.2-0ubuntu1.15]
            WARNING: apt does not have a stable CLI interface.
            libssl3/jammy-updates,jammy-security 3.0.2-0ubuntu1.18 amd64 [upgradable from: 3.0.2-0ubuntu1.15]
            """
        let packages = UpgradablePackages.parse(output)
        #expect(packages.map(\.name) == ["openssl", "libssl3"])
        let json = UpgradablePackages.json(packages)
        #expect(json.contains("\"available_version\":\"3.0.2-0ubuntu1.18\""))
        #expect(json.hasPrefix("[{"))
        #expect(UpgradablePackages.json([]) == "")
    }

    @Test("dpkg -l: only ii lines count as installed")
    func dpkg() {
        let output =
            "Desired=Unknown\n||/ Name Version\nii  htop:amd64  3.0.5-7  amd64  viewer\nrc  old  1.0  amd64  removed\n"
        #expect(AptChain.installedVersions(dpkgList: output) == ["htop": "3.0.5-7"])
    }

    @Test("APT source files: ours are named day2-agent-*, DEB822 stanzas one per file")
    func sourceFiles() {
        let files = AptChain.sourceFiles([
            "Types: deb\nURIs: x\nSuites: y\nComponents: z\nSigned-By: k", "deb [signed-by=/k] https://r jammy main",
        ])
        #expect(files.keys.sorted() == ["day2-agent-0.list", "day2-agent-0.sources"])
        #expect(files.keys.allSatisfy { $0.hasPrefix(AptChain.ownedPrefix) })
    }

    @Test("the GRUB drop-in appends to the distribution's defaults")
    func grub() {
        #expect(
            AptChain.grubDropInContent("intel_iommu=on").contains(
                "GRUB_CMDLINE_LINUX_DEFAULT=\"${GRUB_CMDLINE_LINUX_DEFAULT} intel_iommu=on\""
            )
        )
    }

    @Test("a failure detail names the step and the reason in the update_log schema")
    func failureDetail() {
        let detail = StatusDetail.failure(
            UpdateFailure(step: .downloadImage, reason: .signatureCheck, message: "sha256 mismatch"),
            kind: .immutable,
            image: ImageSource(osImageID: "3.1", profileName: "emt"),
            at: 0
        )
        #expect(detail.contains("\"failure_reason\":\"signaturecheck\""))
        #expect(detail.contains("step downloadImage: sha256 mismatch"))
        #expect(detail.contains("\"update_log\""))
        #expect(detail.contains("\"update_time\":\"1970-01-01T00:00:00Z\""))
    }
}
