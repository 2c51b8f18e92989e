import AgentCore
import Testing

@Suite("Bad input rules")
struct InputRulesTests {
    @Test("kernel commands: the safe character set only")
    func kernelCommand() throws {
        try UpdateInputRules.checkKernelCommand("quiet splash intel_iommu=on console=ttyS0,115200")
        for bad in ["quiet; reboot", "a\"b", "$(id)", "x'y", "a\nb", "a|b"] {
            #expect(throws: UpdateFailure.self, "\(bad)") { try UpdateInputRules.checkKernelCommand(bad) }
        }
    }

    @Test("repositories: DEB822 needs Signed-By; one-line entries need signed-by=")
    func repositories() throws {
        let signed =
            "Types: deb\nURIs: https://repo.example.com/apt\nSuites: jammy\nComponents: main\nSigned-By: /usr/share/keyrings/example.gpg"
        try UpdateInputRules.checkRepository(signed, index: 0)
        try UpdateInputRules.checkRepository("deb [signed-by=/k.gpg] https://r.example.com jammy main", index: 0)
        let unsigned = "Types: deb\nURIs: https://repo.example.com/apt\nSuites: jammy\nComponents: main"
        do {
            try UpdateInputRules.checkRepository(unsigned, index: 3)
            Issue.record("an unsigned stanza was accepted")
        } catch {
            #expect(error.reason == .signatureCheck)
            #expect(error.message.contains("custom_repos[3]"))
            #expect(error.message.contains("Signed-By"))
        }
        #expect(throws: UpdateFailure.self) {
            try UpdateInputRules.checkRepository("deb https://r.example.com jammy main", index: 0)
        }
        #expect(throws: UpdateFailure.self) {
            try UpdateInputRules.checkRepository("Types: deb\nSigned-By: /k.gpg", index: 0)
        }
    }

    @Test("image URLs stay inside the release service; the sha is 64 hex characters")
    func imageURL() throws {
        let sha = String(repeating: "ab", count: 32)
        let rs = "https://files-rs.example.com"
        let ok = try UpdateInputRules.imageURL(
            for: ImageSource(osImageURL: "repo/emt-3.0.raw.gz", osImageSHA: sha),
            releaseService: rs
        )
        #expect(ok == "https://files-rs.example.com/repo/emt-3.0.raw.gz")
        let absolute = try UpdateInputRules.imageURL(
            for: ImageSource(osImageURL: "https://files-rs.example.com/a/b.img", osImageSHA: sha),
            releaseService: rs
        )
        #expect(absolute == "https://files-rs.example.com/a/b.img")
        for bad in [
            "https://evil.example.com/a.img", "https://files-rs.example.com.evil.com/a.img", "../../etc/shadow",
            "a/../../b", "a/%2e%2e/b", "",
        ] {
            do {
                _ = try UpdateInputRules.imageURL(
                    for: ImageSource(osImageURL: bad, osImageSHA: sha),
                    releaseService: rs
                )
                Issue.record("accepted \(bad)")
            } catch {
                #expect(error.reason == .releaseServiceAuthentication, "\(bad)")
                #expect(error.message.contains("os_image_url"))
            }
        }
        #expect(throws: UpdateFailure.self) {
            try UpdateInputRules.imageURL(for: ImageSource(osImageURL: "a.img", osImageSHA: "abc"), releaseService: rs)
        }
    }

    @Test("package names that could be read as options are refused")
    func packages() throws {
        try UpdateInputRules.checkPackages(["htop", "libc6", "g++-12", "python3.11"])
        #expect(throws: UpdateFailure.self) { try UpdateInputRules.checkPackages(["-oAPT::Foo=1"]) }
        #expect(throws: UpdateFailure.self) { try UpdateInputRules.checkPackages(["Htop"]) }
    }
}
