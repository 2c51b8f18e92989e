import Day2CLI
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A real `day2-orchestrator serve` process on loopback with a throw-away data folder, for the CLI to talk to.
struct LiveServer {
    /// `http://127.0.0.1:<port>`.
    let url: String
    /// The admin user's password.
    let adminPassword: String
    /// A folder for this test's files (the server's data, the CLI's login file).
    let folder: String
    /// The southbound (agent) gRPC port.
    let grpcPort: Int
    /// The secret that signs tokens (agents' included).
    let jwtSecret: String

    /// The folder holding the built executables: `DAY2_BIN_DIR`, else beside the test bundle, else `.build/debug`.
    static func binaryFolder() throws -> String {
        var candidates: [String] = []
        if let folder = ProcessInfo.processInfo.environment["DAY2_BIN_DIR"] { candidates.append(folder) }
        let runner = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        candidates.append(runner.deletingLastPathComponent().path)
        candidates.append(runner.deletingLastPathComponent().deletingLastPathComponent().path)
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        candidates.append(root.appendingPathComponent(".build/debug").path)
        guard
            let found = candidates.first(where: {
                FileManager.default.isExecutableFile(atPath: $0 + "/day2-orchestrator")
            })
        else {
            throw TestFailure("day2-orchestrator is not built (looked in \(candidates)); run swift build --build-tests")
        }
        return found
    }

    /// A TCP port on 127.0.0.1 that was free a moment ago.
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestFailure("socket() failed") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0 else { throw TestFailure("bind() failed") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// A fresh temporary folder.
    static func temporaryFolder() throws -> String {
        let path = NSTemporaryDirectory() + "day2ctl-test-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// Starts a server, runs `body` against it, and stops the server (SIGTERM) whatever happens.
    static func with<T>(_ body: (LiveServer) async throws -> T) async throws -> T {
        try await with(extraArguments: [], https: false, body)
    }

    /// Starts a server with `extraArguments` added to `serve` (serving HTTPS when `https`), runs `body`, and stops
    /// the server.
    static func with<T>(
        extraArguments: [String],
        https: Bool,
        _ body: (LiveServer) async throws -> T
    ) async throws -> T {
        let folder = try temporaryFolder()
        let bin = try binaryFolder()
        let httpPort = try freePort()
        let grpcPort = try freePort()
        let password = "admin-" + UUID().uuidString.prefix(8)
        let secret = "cli-test-secret-" + UUID().uuidString
        let process = Process()
        process.executableURL = URL(fileURLWithPath: bin + "/day2-orchestrator")
        process.arguments =
            [
                "serve", "--data-dir", folder + "/data", "--http-host", "127.0.0.1", "--http-port", String(httpPort),
                "--grpc-host", "127.0.0.1", "--grpc-port", String(grpcPort), "--admin-password", password,
                "--log-level", "warning", "--jwt-secret", secret,
            ] + extraArguments
        process.environment = ["PATH": "/usr/bin:/bin", "HOME": folder]
        let log = folder + "/server.log"
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        let logHandle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        process.standardOutput = logHandle
        process.standardError = logHandle
        try process.run()
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let server = LiveServer(
            url: (https ? "https" : "http") + "://127.0.0.1:\(httpPort)",
            adminPassword: password,
            folder: folder,
            grpcPort: grpcPort,
            jwtSecret: secret
        )
        do {
            try await server.waitUntilHealthy(process: process, log: log)
            let result = try await body(server)
            stop(process)
            return result
        } catch {
            stop(process)
            throw error
        }
    }

    private static func stop(_ process: Process) {
        guard process.isRunning else { return }
        process.terminate()
        for _ in 0..<100 where process.isRunning { usleep(50_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    /// Waits until the server accepts connections on its HTTP port (at most 60 s); fails with the server's log if
    /// it exits.
    private func waitUntilHealthy(process: Process, log: String) async throws {
        let port = Int(url.split(separator: ":").last.map(String.init) ?? "") ?? 0
        for _ in 0..<600 {
            guard process.isRunning else {
                let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
                throw TestFailure("day2-orchestrator exited: \(text)")
            }
            if Self.accepts(port: port) { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw TestFailure("day2-orchestrator did not listen at \(url) within 60 s")
    }

    /// Whether something accepts TCP connections on 127.0.0.1:`port`.
    static func accepts(port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        return result == 0
    }
}

/// A failure of the test fixture itself, with a message.
struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
