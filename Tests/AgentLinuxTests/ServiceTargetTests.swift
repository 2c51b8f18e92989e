import AgentCore
import GRPCNIOTransportHTTP2
import Testing

@testable import AgentLinux

@Suite("Agent gRPC target")
struct ServiceTargetTests {
    static func configuration(_ url: String) throws -> AgentConfiguration {
        var raw = RawAgentConfiguration()
        raw.GUID = "4c4c4544-0042-3510-8052-b4c04f4e4d32"
        raw.updateServiceURL = url
        raw.metadataPath = "/var/lib/day2-agent/metadata.json"
        raw.jwt = .init(accessTokenPath: "/etc/day2-agent/access_token")
        return try AgentConfiguration(raw: raw)
    }

    @Test("IP literals are dialled as addresses (no TLS server name), names through DNS")
    func targets() throws {
        let v4 = AgentService.target(try Self.configuration("127.0.0.1:50002"))
        #expect((v4 as? ResolvableTargets.IPv4)?.addresses.first?.host == "127.0.0.1")
        #expect((v4 as? ResolvableTargets.IPv4)?.addresses.first?.port == 50002)
        let v6 = AgentService.target(try Self.configuration("https://[::1]:50002"))
        #expect((v6 as? ResolvableTargets.IPv6)?.addresses.first?.host == "::1")
        let name = AgentService.target(try Self.configuration("day2.example.com:50002"))
        #expect((name as? ResolvableTargets.DNS)?.host == "day2.example.com")
        #expect((name as? ResolvableTargets.DNS)?.port == 50002)
    }
}
