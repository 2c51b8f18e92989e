import Day2CLI
import Foundation
import Testing

/// `day2ctl` against the server over HTTPS with a certificate from a private CA: refused without the CA,
/// accepted with `--ca-file` (kept by the login), or with `--insecure`.
@Suite(.timeLimit(.minutes(5)))
struct TLSTests {
    /// Makes a CA and a server certificate for 127.0.0.1 signed by it with `openssl`; returns (ca, cert, key).
    static func certificates(in folder: String) throws -> (ca: String, cert: String, key: String) {
        let steps: [[String]] = [
            [
                "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout",
                "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=Day2 test CA", "-addext",
                "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
            ],
            [
                "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout", "server.key",
                "-out", "server.csr", "-subj", "/CN=127.0.0.1",
            ],
            [
                "x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out",
                "server.pem", "-days", "2", "-extfile", "ext.cnf",
            ],
        ]
        try "subjectAltName=IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n"
            .write(toFile: folder + "/ext.cnf", atomically: true, encoding: .utf8)
        for arguments in steps {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
            process.arguments = arguments
            process.currentDirectoryURL = URL(fileURLWithPath: folder)
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            process.waitUntilExit()
            guard process.terminationStatus == 0 else { throw TestFailure("openssl \(arguments) failed") }
        }
        return (folder + "/ca.pem", folder + "/server.pem", folder + "/server.key")
    }

    @Test func privateCAIsTrustedOnlyWhenGiven() async throws {
        let folder = try LiveServer.temporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let files = try Self.certificates(in: folder)
        try await LiveServer.with(
            extraArguments: ["--http-tls-cert", files.cert, "--http-tls-key", files.key],
            https: true
        ) {
            server in
            #expect(server.url.hasPrefix("https://"))
            let cli = CLI(server: server)
            let untrusted = await cli.run(
                ["login", "--url", server.url, "--password-stdin"],
                stdin: [server.adminPassword]
            )
            #expect(untrusted.code == 1)
            #expect(untrusted.err.contains("error: cannot connect to \(server.url): TLS failed"), "\(untrusted)")
            #expect(untrusted.err.contains("pass --ca-file"))

            let trusted = await cli.run(
                ["login", "--url", server.url, "--ca-file", files.ca, "--password-stdin"],
                stdin: [server.adminPassword]
            )
            #expect(trusted.code == 0, "\(trusted)")
            // The login keeps the CA file for later commands.
            let region = await cli.run(["create", "region", "--name", "over-tls", "-q"])
            #expect(region.code == 0, "\(region)")
            #expect(region.out.hasPrefix("region-"))

            // Without the stored login (and its CA file) only --insecure gets through; the server then answers.
            #expect(await cli.run(["logout"]).code == 0)
            let refused = await cli.run(["list", "regions", "--url", server.url, "--token", "x"])
            #expect(refused.err.contains("TLS failed"), "\(refused)")
            let insecure = await cli.run(["list", "regions", "--url", server.url, "--insecure", "--token", "x"])
            #expect(insecure.code == 1)
            #expect(
                insecure.err.contains("(Unauthenticated, HTTP 401)"),
                "TLS skipped, the server answered: \(insecure)"
            )
        }
    }
}
