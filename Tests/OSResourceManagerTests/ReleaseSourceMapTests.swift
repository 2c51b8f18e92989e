import Testing

@testable import OSResourceManager

@Suite("Release Service settings")
struct ReleaseSourceMapTests {
    let prefix = "edge-orch/en/files/os-profile/"

    @Test("one URL is every project's source; PROJECT=URL and PROJECT=off override it")
    func overrides() throws {
        let map = try ReleaseSourceMap.parse(
            "http://127.0.0.1:5000, acme=https://robot:s3cret@rs.acme.test:8443?ca=/etc/acme-ca.pem&repo=acme/os/&revision=~2.1.0&profile=acme-os&profile=acme-rt&files=https://files.acme.test/base lab=off",
            repositoryPrefix: prefix,
            revision: "0.11.5",
            profiles: ["microvisor-nonrt"]
        )
        let base = try #require(map.defaultSource)
        #expect(base.endpoint.baseURL == "http://127.0.0.1:5000")
        #expect(base.filesBaseURL == "http://127.0.0.1:5000/release/files/")
        #expect(base.repository(for: "microvisor-nonrt") == "edge-orch/en/files/os-profile/microvisor-nonrt")
        #expect(base.revision == .exact("0.11.5"))
        #expect(map.source(forProject: "default") == base)
        let acme = try #require(map.source(forProject: "acme"))
        #expect(acme.endpoint.baseURL == "https://rs.acme.test:8443")
        #expect(acme.endpoint.username == "robot" && acme.endpoint.password == "s3cret")
        #expect(acme.endpoint.caFile == "/etc/acme-ca.pem")
        #expect(acme.repositoryPrefix == "acme/os/")
        #expect(acme.revision == .patchRange(major: 2, minor: 1, patch: 0))
        #expect(acme.profiles == ["acme-os", "acme-rt"])
        #expect(acme.filesBaseURL == "https://files.acme.test/base/")
        #expect(acme.fileURL("/pkg/a.json") == "https://files.acme.test/base/pkg/a.json")
        #expect(acme.fileURL("http://elsewhere.test/x") == "http://elsewhere.test/x")
        #expect(map.source(forProject: "lab") == nil)
        #expect(!"\(acme)".contains("s3cret"))
    }

    @Test("the built-in Release Service is the default when no URL is given")
    func builtIn() throws {
        let endpoint = try RegistryEndpoint(baseURL: "http://127.0.0.1:8080", verifiesCertificate: false)
        let map = try ReleaseSourceMap.parse(
            "acme=off",
            repositoryPrefix: prefix,
            revision: "~0.11.0",
            profiles: ["microvisor-nonrt"],
            builtIn: endpoint
        )
        #expect(map.defaultSource?.endpoint == endpoint)
        #expect(map.defaultSource?.filesBaseURL == "http://127.0.0.1:8080/release/files/")
        #expect(map.source(forProject: "acme") == nil)
        #expect(try ReleaseSourceMap.parse("", repositoryPrefix: prefix, revision: "1", profiles: ["a"]).isEmpty)
    }

    @Test(
        "bad settings are refused naming the setting",
        arguments: [
            ("ftp://host", "0.11.5", ["a"], "releaseServiceUrl"),
            ("http://host?bogus=1", "0.11.5", ["a"], "releaseServiceUrl"),
            ("http://host/some/path", "0.11.5", ["a"], "releaseServiceUrl"),
            ("http://a http://b", "0.11.5", ["a"], "releaseServiceUrl"),
            ("http://host", "", ["a"], "osProfileRevision"),
            ("http://host", "~x", ["a"], "osProfileRevision"),
            ("http://host", "0.11.5", [], "enabledProfiles"),
            ("http://host", "0.11.5", ["Bad/Name"], "enabledProfiles"),
            ("acme=http://a acme=off", "0.11.5", ["a"], "releaseServiceUrl"),
        ]
    )
    func bad(_ text: String, _ revision: String, _ profiles: [String], _ key: String) {
        let error = #expect(throws: OSResourceManagerError.self) {
            try ReleaseSourceMap.parse(text, repositoryPrefix: prefix, revision: revision, profiles: profiles)
        }
        #expect(error?.message.hasPrefix(key) == true, "\(String(describing: error))")
    }

    @Test("a bad repository prefix is refused")
    func badPrefix() {
        #expect(throws: OSResourceManagerError.self) {
            try ReleaseSourceMap.parse("http://h", repositoryPrefix: "No/Slash", revision: "1", profiles: ["a"])
        }
    }

    @Test("retries back off exponentially up to the maximum")
    func backoff() {
        let policy = RetryPolicy(attempts: 8, initialDelay: .seconds(1), maximumDelay: .seconds(60))
        #expect((1...8).map { policy.delay(after: $0) } == [1, 2, 4, 8, 16, 32, 60, 60].map { Duration.seconds($0) })
    }
}
