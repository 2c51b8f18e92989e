import Foundation
import Inventory
import NIOCore
import NIOPosix
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The real executable, as an operator runs it: start, answer over a socket, stop on SIGTERM, keep its data.
@Suite("day2-orchestrator serve (real process)")
struct ServeProcessTests {
    private static var executable: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
            .appendingPathComponent("day2-orchestrator")
    }

    private static func freePort() -> Int { Int.random(in: 20_000...40_000) }

    private static func get(_ url: URL) async throws -> (Int, Data) {
        let (data, response) = try await URLSession.shared.data(from: url)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, data)
    }

    private static func waitForHealth(port: Int) async throws -> [String: Any] {
        let url = URL(string: "http://127.0.0.1:\(port)/healthz")!
        for _ in 0..<100 {
            if let (status, data) = try? await get(url), status == 200 {
                return (try JSONSerialization.jsonObject(with: data) as? [String: Any]) ?? [:]
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw CancellationError()
    }

    private static func start(dataDir: String, port: Int) throws -> Process {
        let process = Process()
        process.executableURL = executable
        process.arguments = ["serve", "--data-dir", dataDir, "--http-port", "\(port)", "--log-level", "warning"]
        process.environment = ["PATH": "/usr/bin:/bin"]
        try process.run()
        return process
    }

    @Test("serves health, stops on SIGTERM with exit 0, and a restart finds the same data")
    func lifecycle() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("day2-serve-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let port = Self.freePort()

        let first = try Self.start(dataDir: folder, port: port)
        let health = try await Self.waitForHealth(port: port)
        #expect(health["status"] as? String == "ok")
        first.terminate()  // SIGTERM
        first.waitUntilExit()
        #expect(first.terminationStatus == 0)
        #expect(FileManager.default.fileExists(atPath: folder + "/day2.sqlite"))
        let sizeAfterFirst = try FileManager.default.attributesOfItem(atPath: folder + "/day2.sqlite")[.size] as? Int

        let second = try Self.start(dataDir: folder, port: port)
        defer {
            if second.isRunning {
                second.terminate()
                second.waitUntilExit()
            }
        }
        let again = try await Self.waitForHealth(port: port)
        #expect(again["schemaVersion"] as? Int == InventorySchema.latestVersion)
        second.terminate()
        second.waitUntilExit()
        #expect(second.terminationStatus == 0)
        #expect(sizeAfterFirst ?? 0 > 0)
    }

    @Test("a bad flag value is refused with the key named and a non-zero exit")
    func badFlag() throws {
        let process = Process()
        let pipe = Pipe()
        process.executableURL = Self.executable
        process.arguments = ["serve", "--http-port", "99999"]
        process.standardError = pipe
        process.standardOutput = pipe
        try process.run()
        process.waitUntilExit()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(process.terminationStatus != 0)
        #expect(output.contains("httpPort"))
    }

    @Test("a port already in use stops the start at once, naming the key and the address")
    func busyPort() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("day2-busy-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        // Something else holds a port: a listening socket of this test.
        let holder = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .bind(host: "127.0.0.1", port: 0).get()
        let busy = try #require(holder.localAddress?.port)
        for (flag, key, other) in [
            ("--http-port", "httpPort", "--grpc-port"), ("--grpc-port", "grpcPort", "--http-port"),
        ] {
            let process = Process()
            let pipe = Pipe()
            process.executableURL = Self.executable
            process.arguments = [
                "serve", "--data-dir", folder.path, flag, "\(busy)", other, "0", "--admin-password", "busy-port-test",
            ]
            process.standardError = pipe
            process.standardOutput = pipe
            try process.run()
            let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            #expect(process.terminationStatus != 0, "\(flag): \(output)")
            #expect(output.contains(key) && output.contains("127.0.0.1:\(busy)"), "\(flag): \(output)")
        }
        try await holder.close()
    }
}
