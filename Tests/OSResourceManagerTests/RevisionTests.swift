import Testing

@testable import OSResourceManager

@Suite("Profile revisions")
struct RevisionTests {
    @Test("an exact revision selects that tag only")
    func exact() throws {
        let revision = try ProfileRevision("0.11.5")
        #expect(revision == .exact("0.11.5"))
        #expect(!revision.needsTagList)
        #expect(revision.select(from: ["0.11.4", "0.11.5", "main"]) == ["0.11.5"])
        #expect(revision.select(from: ["0.11.4"]).isEmpty)
        #expect(try ProfileRevision("main").select(from: ["0.11.5", "main"]) == ["main"])
    }

    @Test("~X.Y.Z selects the same major and minor with patch at least Z, oldest first, no pre-releases")
    func patchRange() throws {
        let revision = try ProfileRevision("~0.11.5")
        #expect(revision == .patchRange(major: 0, minor: 11, patch: 5))
        #expect(revision.needsTagList)
        let tags = ["0.11.10", "0.11.4", "0.11.5", "0.12.0", "1.11.6", "0.11.6-rc1", "v0.11.7", "main", "0.11.6"]
        #expect(revision.select(from: tags) == ["0.11.5", "0.11.6", "v0.11.7", "0.11.10"])
        #expect(try ProfileRevision("~0.11").select(from: ["0.11.0", "0.11.3", "0.10.9"]) == ["0.11.0", "0.11.3"])
    }

    @Test("lenient versions read missing and non-numeric parts as 0")
    func lenient() throws {
        let version = try #require(LenientVersion("1.2"))
        #expect(version.major == 1 && version.minor == 2 && version.patch == 0)
        let text = try #require(LenientVersion("main"))
        #expect(text.major == 0 && text.minor == 0 && text.patch == 0)
        #expect(LenientVersion("1.2.3.4") == nil)
        #expect(try #require(LenientVersion("2.0.1+build5")).patch == 1)
    }

    @Test("a bad revision is refused", arguments: ["", "~", "~1.x.3", "~1.2.3.4", "bad tag", "-leading"])
    func bad(_ text: String) {
        #expect(throws: OSResourceManagerError.self) { try ProfileRevision(text) }
    }
}
