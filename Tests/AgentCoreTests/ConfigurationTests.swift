import AgentCore
import Testing

@Suite("Agent configuration")
struct ConfigurationTests {
    static func valid() -> RawAgentConfiguration {
        var raw = RawAgentConfiguration()
        raw.GUID = "4c4c4544-0042-3510-8052-b4c04f4e4d32"
        raw.updateServiceURL = "mm.example.com:443"
        raw.metadataPath = "/var/edge-node/pua/metadata.json"
        raw.jwt = .init(accessTokenPath: "/etc/intel_edge_node/tokens/platform-update-agent/access_token")
        raw.releaseServiceFQDN = "https://files-rs.example.com"
        return raw
    }

    @Test("upstream keys with defaults; https and bare host:port mean TLS, http:// means plaintext")
    func defaultsAndTransport() throws {
        var raw = Self.valid()
        var config = try AgentConfiguration(raw: raw)
        #expect(config.transport == .tls)
        #expect(config.serviceHost == "mm.example.com")
        #expect(config.servicePort == 443)
        #expect(config.tickerInterval == 20)
        #expect(config.immediateDownloadWindow == 600)
        #expect(config.downloadWindow == 21600)
        raw.updateServiceURL = "http://127.0.0.1:50002"
        raw.tickerInterval = "1m30s"
        raw.downloadWindow = "2h"
        config = try AgentConfiguration(raw: raw)
        #expect(config.transport == .plaintext)
        #expect(config.servicePort == 50002)
        #expect(config.tickerInterval == 90)
        #expect(config.downloadWindow == 7200)
        raw.updateServiceURL = "https://[::1]:8443/"
        config = try AgentConfiguration(raw: raw)
        #expect(config.serviceHost == "::1")
        #expect(config.transport == .tls)
    }

    @Test(
        "every error names the key and the rule",
        arguments: [
            ("GUID", { @Sendable (raw: inout RawAgentConfiguration) in raw.GUID = nil }),
            ("GUID", { @Sendable (raw: inout RawAgentConfiguration) in raw.GUID = "not-a-uuid" }),
            (
                "updateServiceURL",
                { @Sendable (raw: inout RawAgentConfiguration) in raw.updateServiceURL = "mm.example.com" }
            ),
            (
                "updateServiceURL",
                { @Sendable (raw: inout RawAgentConfiguration) in raw.updateServiceURL = "host:99999" }
            ),
            ("metadataPath", { @Sendable (raw: inout RawAgentConfiguration) in raw.metadataPath = "relative.json" }),
            ("jwt.accessTokenPath", { @Sendable (raw: inout RawAgentConfiguration) in raw.jwt = nil }),
            ("tickerInterval", { @Sendable (raw: inout RawAgentConfiguration) in raw.tickerInterval = "soon" }),
            ("downloadWindow", { @Sendable (raw: inout RawAgentConfiguration) in raw.downloadWindow = "-1h" }),
            (
                "releaseServiceFQDN",
                { @Sendable (raw: inout RawAgentConfiguration) in raw.releaseServiceFQDN = "ftp://x" }
            ),
            ("slots", { @Sendable (raw: inout RawAgentConfiguration) in raw.slots = ["/dev/sda2"] }),
            ("bootBackend", { @Sendable (raw: inout RawAgentConfiguration) in raw.bootBackend = "lilo" }),
            (
                "bootEntries",
                { @Sendable (raw: inout RawAgentConfiguration) in raw.slots = ["/dev/sda2", "/dev/sda3"] }
            ),
            ("healthChecks[1]", { @Sendable (raw: inout RawAgentConfiguration) in raw.healthChecks = [["true"], []] }),
        ] as [(String, @Sendable (inout RawAgentConfiguration) -> Void)]
    )
    func errors(key: String, breakIt: @Sendable (inout RawAgentConfiguration) -> Void) {
        var raw = Self.valid()
        breakIt(&raw)
        do {
            _ = try AgentConfiguration(raw: raw)
            Issue.record("accepted a configuration with a bad \(key)")
        } catch {
            #expect(error.code == .configuration)
            #expect(error.message.hasPrefix("\(key): "), "\(error.message)")
            #expect(error.message.count > key.count + 8)
        }
    }

    @Test("durations: Go spellings and plain seconds")
    func durations() {
        #expect(DurationText.seconds("20s") == 20)
        #expect(DurationText.seconds("10m") == 600)
        #expect(DurationText.seconds("1h30m") == 5400)
        #expect(DurationText.seconds("500ms") == 0.5)
        #expect(DurationText.seconds("45") == 45)
        #expect(DurationText.seconds("1x") == nil)
        #expect(DurationText.seconds("") == nil)
    }
}
