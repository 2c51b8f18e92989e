import AgentCore
import AgentSimulation
import AsyncHTTPClient
import Foundation
import Subprocess

/// `day2-agent bench pipeline`: the image pipeline (download → SHA-256 → slot file, one pass) against
/// `curl | tee >(sha256sum) > file` on the same loopback file in the same run.
public struct PipelineBenchmark: Sendable {
    /// Image size in MiB.
    public var megabytes = 512
    /// Runs of each (the median is reported).
    public var runs = 3
    /// Folder for the image and the slot files.
    public var folder = FileManager.default.temporaryDirectory.path

    /// Creates the benchmark with defaults.
    public init() {}

    /// Runs it, printing through `report`.
    public func run(report: @Sendable (String) -> Void) async throws {
        let work = folder + "/day2-bench-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: work) }
        let image = work + "/image.raw"
        let expected = try Self.writeImage(path: image, megabytes: megabytes)
        let server = try await LoopbackImageServer.start(files: ["/image.raw": image])
        let url = server.baseURL + "/image.raw"
        let http = try HTTPImageFetcher.makeClient(caFile: "")
        var ours: [Double] = []
        var curl: [Double] = []
        for _ in 0..<runs {
            curl.append(try await Self.curl(url: url, output: work + "/curl.img", expected: expected))
            ours.append(
                try await Self.pipeline(
                    fetcher: HTTPImageFetcher(client: http),
                    url: url,
                    slot: work + "/slot.img",
                    expected: expected
                )
            )
        }
        try await http.shutdown()
        try await server.stop()
        let mib = Double(megabytes)
        func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }
        report("image: \(megabytes) MiB over loopback HTTP, \(runs) runs each, median")
        report(
            String(
                format: "curl | tee >(sha256sum) > file   %7.3f s   %7.1f MiB/s   (runs: %@)",
                median(curl),
                mib / median(curl),
                curl.map { String(format: "%.2f", $0) }.joined(separator: " ")
            )
        )
        report(
            String(
                format: "day2-agent image pipeline        %7.3f s   %7.1f MiB/s   (runs: %@)",
                median(ours),
                mib / median(ours),
                ours.map { String(format: "%.2f", $0) }.joined(separator: " ")
            )
        )
        report(String(format: "pipeline / curl throughput ratio: %.2f", median(curl) / median(ours)))
    }

    /// Writes a pseudo-random file and returns its SHA-256.
    static func writeImage(path: String, megabytes: Int) throws -> String {
        _ = FileManager.default.createFile(atPath: path, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        var digest = CryptoDigestFactory().makeSHA256()
        var state: UInt64 = 0x9e37_79b9_7f4a_7c15
        var block = [UInt8](repeating: 0, count: 1 << 20)
        for _ in 0..<megabytes {
            block.withUnsafeMutableBytes { raw in
                let words = raw.bindMemory(to: UInt64.self)
                for index in words.indices {
                    state ^= state << 13
                    state ^= state >> 7
                    state ^= state << 17
                    words[index] = state
                }
            }
            block.withUnsafeBytes { digest.update($0) }
            try handle.write(contentsOf: block)
        }
        return digest.finalizeHex()
    }

    static func pipeline(fetcher: HTTPImageFetcher, url: String, slot: String, expected: String) async throws -> Double
    {
        try? FileManager.default.removeItem(atPath: slot)
        let store = DeviceSlotStore(devices: [slot, slot])
        let pipeline = ImagePipeline(fetcher: fetcher, slots: store, digests: CryptoDigestFactory())
        let start = ContinuousClock.now
        let done = try await pipeline.run(DownloadRecord(url: url, sha256: expected, slot: .a)) { _ in }
        let elapsed = ContinuousClock.now - start
        guard done.verified else { throw AgentError(.verification, "pipeline did not verify") }
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }

    static func curl(url: String, output: String, expected: String) async throws -> Double {
        try? FileManager.default.removeItem(atPath: output)
        let script =
            "set -o pipefail; curl -sS '\(url)' | tee >(sha256sum > '\(output).sha') > '\(output)'; sync '\(output)'; wait"
        let start = ContinuousClock.now
        let result = try await Subprocess.run(
            .name("bash"),
            arguments: ["-c", script],
            output: .discarded,
            error: .string(limit: 4096)
        )
        let elapsed = ContinuousClock.now - start
        guard result.terminationStatus.isSuccess else {
            throw AgentError(.command, "curl pipeline failed: \(result.standardError)")
        }
        // tee's process substitution may finish a moment after tee itself.
        for _ in 0..<50
        where (try? String(contentsOfFile: output + ".sha", encoding: .utf8))?.hasPrefix(expected) != true {
            try await Task.sleep(for: .milliseconds(20))
        }
        guard (try? String(contentsOfFile: output + ".sha", encoding: .utf8))?.hasPrefix(expected) == true else {
            throw AgentError(.verification, "curl pipeline produced another sha256")
        }
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }
}
