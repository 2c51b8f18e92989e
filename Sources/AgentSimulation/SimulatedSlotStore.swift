import AgentCore
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The two slots as files `slot-a.img` and `slot-b.img` in the node's folder; every write counts as an operation
/// of the power switch.
public struct SimulatedSlotStore: SlotStore {
    /// The node's folder (host path).
    public let root: String
    /// The node's power.
    public let power: PowerSwitch

    /// Slots in `root`.
    public init(root: String, power: PowerSwitch) {
        self.root = root
        self.power = power
    }

    /// Host path of a slot file.
    public func path(_ slot: Slot) -> String { root + "/slot-\(slot.rawValue.lowercased()).img" }

    public func writer(for slot: Slot, at offset: Int64) async throws -> any SlotWriter {
        try power.check("open slot \(slot.rawValue)")
        return try FileSlotWriter(path: path(slot), offset: offset, truncate: true, power: power)
    }

    public func read(_ slot: Slot, length: Int64, _ body: (UnsafeRawBufferPointer) throws -> Void) async throws {
        try power.check("read slot \(slot.rawValue)")
        try FileSlotWriter.readPrefix(path: path(slot), length: length, body)
    }

    /// Whether the slot starts with the simulated image header (what the simulated firmware can boot).
    public func isBootable(_ slot: Slot) async throws -> Bool {
        guard let handle = FileHandle(forReadingAtPath: path(slot)) else { return false }
        defer { try? handle.close() }
        let head = try handle.read(upToCount: SimulatedBootloader.imageMagic.count) ?? Data()
        return Array(head) == SimulatedBootloader.imageMagic
    }

    /// The slot's whole content (tests).
    public func contents(_ slot: Slot) -> [UInt8] {
        (FileManager.default.contents(atPath: path(slot))).map { Array($0) } ?? []
    }
}

/// Writes a slot that is a file or a block device with `pwrite`-style sequential writes and `fsync`.
public final class FileSlotWriter: SlotWriter {
    private let fd: Int32
    private let path: String
    private var offset: Int64
    private let power: PowerSwitch?

    /// Opens `path` for writing at `offset`; with `truncate`, a file is cut at `offset` first (a block device
    /// is never truncated).
    public init(path: String, offset: Int64, truncate: Bool, power: PowerSwitch? = nil) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw AgentError(.slot, "\(path): cannot open for writing: \(String(cString: strerror(errno)))")
        }
        var info = stat()
        if truncate, fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG {
            guard ftruncate(fd, off_t(offset)) == 0 else {
                Glibc.close(fd)
                throw AgentError(.slot, "\(path): cannot truncate: \(String(cString: strerror(errno)))")
            }
        }
        self.fd = fd
        self.path = path
        self.offset = offset
        self.power = power
    }

    deinit { if fd >= 0 { Glibc.close(fd) } }

    public func write(_ bytes: UnsafeRawBufferPointer) throws {
        try power?.check("write slot \(path) at \(offset)")
        var done = 0
        while done < bytes.count {
            let n = pwrite(fd, bytes.baseAddress! + done, bytes.count - done, off_t(offset) + off_t(done))
            if n < 0 {
                if errno == EINTR { continue }
                throw AgentError(
                    .slot,
                    "\(path): write at \(offset + Int64(done)) failed: \(String(cString: strerror(errno)))"
                )
            }
            done += n
        }
        offset += Int64(done)
    }

    public func sync() throws {
        try power?.check("sync slot \(path)")
        guard fsync(fd) == 0 else {
            throw AgentError(.slot, "\(path): fsync failed: \(String(cString: strerror(errno)))")
        }
    }

    public func close() throws {
        try sync()
    }

    /// Reads the first `length` bytes of `path` in chunks.
    public static func readPrefix(path: String, length: Int64, _ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw AgentError(.slot, "\(path): cannot open for reading") }
        defer { Glibc.close(fd) }
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        var left = length
        var position: Int64 = 0
        while left > 0 {
            let want = Int(min(Int64(buffer.count), left))
            let n = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress, want, off_t(position)) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw AgentError(.slot, "\(path): shorter than the \(length) bytes recorded") }
            try buffer.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
            left -= Int64(n)
            position += Int64(n)
        }
    }
}
