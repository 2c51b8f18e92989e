import Foundation
import OSResourceManager
import Orchestrator
import Testing

@Suite("Orchestrator configuration of the OS Resource Manager and the Release Service")
struct ReleaseConfigurationTests {
    @Test("defaults: no Release Service, OS Resource Manager off, 12 h period, manual mode")
    func defaults() throws {
        let configuration = try OrchestratorConfiguration.resolve(flags: [:], environment: [:])
        #expect(!configuration.runsOSResourceManager)
        #expect(configuration.osProfileRepo == "edge-orch/en/files/os-profile/")
        #expect(configuration.osrmPeriodSeconds == 43200)
        #expect(!configuration.osrmAutoLink)
        #expect(try configuration.releaseSources(builtInPort: 8080) == nil)
        let flags = OrchestratorConfiguration.allKeys.map(\.flag)
        for flag in [
            "--release-service-url", "--os-profile-repo", "--os-profile-revision", "--enabled-profiles",
            "--osrm-period", "--osrm-auto-link", "--release-dir",
        ] {
            #expect(flags.contains(flag))
        }
    }

    @Test("flags over environment; the built-in Release Service is the default source with --release-dir")
    func builtIn() throws {
        let configuration = try OrchestratorConfiguration.resolve(
            flags: ["--release-dir": "/srv/day2-release", "--osrm-period": "1h30m", "--osrm-auto-link": "true"],
            environment: [
                "DAY2_OS_PROFILE_REVISION": "~0.11.5",
                "DAY2_ENABLED_PROFILES": "microvisor-nonrt, ubuntu-22.04-lts-generic",
                "DAY2_OSRM_PERIOD": "5m", "DAY2_HTTP_HOST": "0.0.0.0",
            ]
        )
        #expect(configuration.osrmPeriodSeconds == 5400)
        #expect(configuration.osrmAutoLink)
        #expect(configuration.enabledProfiles == ["microvisor-nonrt", "ubuntu-22.04-lts-generic"])
        #expect(configuration.runsOSResourceManager)
        let sources = try #require(try configuration.releaseSources(builtInPort: 18080))
        let source = try #require(sources.defaultSource)
        #expect(source.endpoint.baseURL == "http://127.0.0.1:18080")
        #expect(source.filesBaseURL == "http://127.0.0.1:18080/release/files/")
        #expect(source.revision == .patchRange(major: 0, minor: 11, patch: 5))
    }

    @Test("an explicit URL wins over the built-in one; a release folder without revision only serves files")
    func explicitURL() throws {
        let configuration = try OrchestratorConfiguration.resolve(
            flags: [
                "--release-dir": "/srv/r", "--release-service-url": "https://rs.example.test:5000?ca=/etc/ca.pem",
                "--os-profile-revision": "0.11.5", "--enabled-profiles": "microvisor-nonrt",
            ],
            environment: [:]
        )
        let source = try #require(try configuration.releaseSources(builtInPort: 1)?.defaultSource)
        #expect(source.endpoint.baseURL == "https://rs.example.test:5000")
        #expect(source.endpoint.caFile == "/etc/ca.pem")
        let filesOnly = try OrchestratorConfiguration.resolve(flags: ["--release-dir": "/srv/r"], environment: [:])
        #expect(!filesOnly.runsOSResourceManager)
    }

    @Test(
        "bad values are refused naming the key",
        arguments: [
            (["--osrm-period": "soon"], "osrmPeriod"),
            (["--osrm-period": "0"], "osrmPeriod"),
            (["--osrm-auto-link": "maybe"], "osrmAutoLink"),
            (["--release-service-url": "http://rs.test"], "osProfileRevision"),
            (["--release-service-url": "http://rs.test", "--os-profile-revision": "1.0"], "enabledProfiles"),
            (
                ["--release-service-url": "rs.test", "--os-profile-revision": "1.0", "--enabled-profiles": "a"],
                "releaseServiceUrl"
            ),
            (["--release-dir": "/r", "--os-profile-revision": "~x", "--enabled-profiles": "a"], "osProfileRevision"),
            (
                [
                    "--release-dir": "/r", "--os-profile-revision": "1", "--enabled-profiles": "a",
                    "--os-profile-repo": "Bad",
                ], "osProfileRepo"
            ),
        ]
    )
    func bad(_ flags: [String: String], _ key: String) {
        let error = #expect(throws: ConfigurationError.self) {
            try OrchestratorConfiguration.resolve(flags: flags, environment: [:])
        }
        #expect(error?.key == key, "\(String(describing: error))")
    }
}
