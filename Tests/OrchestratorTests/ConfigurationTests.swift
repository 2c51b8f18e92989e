import Foundation
import Logging
import Orchestrator
import Testing

@Suite("Orchestrator configuration")
struct ConfigurationTests {
    @Test("defaults")
    func defaults() throws {
        let configuration = try OrchestratorConfiguration.resolve(flags: [:], environment: [:])
        #expect(configuration == OrchestratorConfiguration())
        #expect(configuration.httpPort == 8080)
        #expect(configuration.grpcPort == 50002)
        #expect(configuration.sqlitePath == "./.day2/day2.sqlite")
        #expect(configuration.usesPostgres == false)
    }

    @Test("flags beat environment, environment beats the file, the file beats defaults")
    func precedence() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("day2-config-\(UUID()).json")
        try Data(#"{"httpPort": 7001, "grpcPort": 7002, "dataDir": "/from/file", "logLevel": "debug"}"#.utf8)
            .write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let configuration = try OrchestratorConfiguration.resolve(
            flags: ["--http-port": "9001"],
            environment: ["DAY2_HTTP_PORT": "8001", "DAY2_GRPC_PORT": "8002", "DAY2_CONFIG": file.path]
        )
        #expect(configuration.httpPort == 9001)
        #expect(configuration.grpcPort == 8002)
        #expect(configuration.dataDirectory == "/from/file")
        #expect(configuration.logLevel == .debug)
        #expect(configuration.database == "sqlite")
    }

    @Test(
        "bad values name the key",
        arguments: [
            (["--http-port": "80000"], "httpPort"),
            (["--grpc-port": "x"], "grpcPort"),
            (["--database": "mysql://x"], "database"),
            (["--log-level": "loud"], "logLevel"),
        ]
    )
    func badValues(flags: [String: String], key: String) {
        #expect {
            _ = try OrchestratorConfiguration.resolve(flags: flags, environment: [:])
        } throws: { error in
            (error as? ConfigurationError)?.key == key
        }
    }

    @Test("unknown keys in the file are refused")
    func unknownFileKey() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("day2-config-\(UUID()).json")
        try Data(#"{"httpPrt": 1}"#.utf8).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        #expect {
            _ = try OrchestratorConfiguration.resolve(flags: [:], environment: [:], configFile: file.path)
        } throws: { error in
            (error as? ConfigurationError)?.key == "httpPrt"
        }
    }

    @Test("PostgreSQL URLs select the PostgreSQL store")
    func postgresSelection() throws {
        let configuration = try OrchestratorConfiguration.resolve(
            flags: ["--database": "postgres://day2@db:5432/day2"],
            environment: [:]
        )
        #expect(configuration.usesPostgres)
        #expect(configuration.sqlitePath == nil)
    }
}
