import AgentCore
import AgentSimulation
import Synchronization

/// The image server of a simulated fleet: serves synthetic images (`SimulatedNode.makeImage`) without any network,
/// each taking `downloadTime` (jittered) to arrive, in a few chunks.
///
/// An image's content is a function of its label (the last path component of the URL without its extension) and
/// the fleet's image size, generated once per label and shared by every node. What is real: every node streams all
/// the bytes through its own SHA-256 and into its slot, and the digest is compared with the one the Maintenance
/// Manager sent (`--register` creates OS resources with exactly these digests). What is simulated: the transfer
/// (time passes, no bytes cross a socket).
final class SyntheticImageFetcher: ImageFetcher {
    let size: Int
    let downloadTime: Double
    let clock: JitteredClock
    let telemetry: FleetTelemetry
    let chunks = 4
    private let images = Mutex<[String: [UInt8]]>([:])

    init(size: Int, downloadTime: Double, clock: JitteredClock, telemetry: FleetTelemetry) {
        self.size = size
        self.downloadTime = downloadTime
        self.clock = clock
        self.telemetry = telemetry
    }

    /// The label of the image at `url`: `…/fleetsim-emt-2.0.0.raw` → `fleetsim-emt-2.0.0`.
    static func label(url: String) -> String {
        let name = url.split(separator: "/").last.map(String.init) ?? url
        guard let dot = name.lastIndex(of: "."), dot > name.startIndex else { return name }
        return String(name[..<dot])
    }

    /// The image with `label` at this fleet's size.
    func image(label: String) -> [UInt8] {
        images.withLock { images in
            if let bytes = images[label] { return bytes }
            let bytes = Array(SimulatedNode.makeImage(label: label, size: size).prefix(size))
            images[label] = bytes
            return bytes
        }
    }

    func fetch(
        _ url: String,
        from offset: Int64,
        _ body: (UnsafeRawBufferPointer) throws -> Void,
        afterChunk: () async throws -> Void
    ) async throws -> Int64? {
        let bytes = image(label: Self.label(url: url))
        guard offset <= bytes.count else { throw AgentError(.download, "\(url): 416 Range Not Satisfiable") }
        let total = clock.jittered(downloadTime) * Double(bytes.count - Int(offset)) / Double(max(bytes.count, 1))
        let chunkSize = max(1, (bytes.count + chunks - 1) / chunks)
        var position = Int(offset)
        while position < bytes.count {
            let end = min(position + chunkSize, bytes.count)
            if total > 0 {
                try await Task.sleep(for: .seconds(total * Double(end - position) / Double(bytes.count - Int(offset))))
            }
            try bytes[position..<end].withUnsafeBytes { try body($0) }
            position = end
            try await afterChunk()
        }
        telemetry.downloaded(bytes: Int64(bytes.count) - offset)
        return Int64(bytes.count)
    }
}
