import AgentCore
import Crypto
import Synchronization

/// The two A/B slots of a simulated node in memory, kept compactly: a slot holds its length, its first bytes and a
/// running SHA-256 of everything written, not the bytes themselves. The small-footprint twin of
/// `SimulatedSlotStore` for fleets of simulated nodes.
///
/// What is real: the agent's pipeline streams every byte of the image through its own SHA-256 and into the writer,
/// exactly as on a node; the slot's first bytes decide whether the simulated firmware can boot it. What is
/// simulated: the slot's content. Reading a slot back (the agent does this only to resume an interrupted
/// download) works when the slot holds a prefix of a synthetic image (`SimulatedNode.makeImage`): the bytes are
/// generated again from the label in the image header and checked against the slot's recorded SHA-256, so a slot
/// holding anything else is reported as unreadable rather than invented.
public final class InMemorySlotStore: SlotStore {
    /// What one slot holds.
    enum Content {
        /// Nothing.
        case empty
        /// The first `length` bytes of the synthetic image with `label` (the image a node was "installed" with).
        case synthetic(label: String, length: Int64)
        /// Bytes written by the agent: their length, their first bytes, and the SHA-256 of all of them.
        case written(length: Int64, head: [UInt8], digest: SHA256)

        var length: Int64 {
            switch self {
            case .empty: 0
            case .synthetic(_, let length): length
            case .written(let length, _, _): length
            }
        }
    }

    /// Bytes of a slot's head that are kept (enough for the synthetic image header).
    static let headBytes = 256

    private let contents: Mutex<[Content]>

    /// Slot A holding the first `length` bytes of the synthetic image `label`, slot B empty.
    public init(initialLabel: String, initialLength: Int64) {
        contents = Mutex([.synthetic(label: initialLabel, length: initialLength), .empty])
    }

    /// Both slots empty.
    public init() { contents = Mutex([.empty, .empty]) }

    /// The slot's length in bytes.
    public func length(_ slot: Slot) -> Int64 { contents.withLock { $0[slot.index].length } }

    /// Whether the slot starts with the simulated image header (what the simulated firmware can boot).
    public func isBootable(_ slot: Slot) -> Bool {
        head(of: contents.withLock { $0[slot.index] }).starts(with: SimulatedBootloader.imageMagic)
    }

    /// The lower-case hex SHA-256 of the slot's content.
    public func sha256(_ slot: Slot) throws(AgentError) -> String {
        let content = contents.withLock { $0[slot.index] }
        switch content {
        case .written(_, _, let digest): return Self.hex(digest.finalize())
        default: return CryptoDigestFactory.hex(try Self.materialize(content, slot: slot))
        }
    }

    /// The slot's whole content, generated again (tests; see the type's notes for when this works).
    public func contents(_ slot: Slot) throws(AgentError) -> [UInt8] {
        try Self.materialize(contents.withLock { $0[slot.index] }, slot: slot)
    }

    public func writer(for slot: Slot, at offset: Int64) async throws -> any SlotWriter {
        let current = contents.withLock { $0[slot.index] }
        let kept: [UInt8]
        if offset == 0 {
            kept = []
        } else if case .written(let length, let head, let digest) = current, length == offset {
            // The usual resume: continue the running digest without touching the bytes again.
            return Writer(store: self, slot: slot, length: length, head: head, digest: digest)
        } else {
            guard offset <= current.length else {
                throw AgentError(.slot, "slot \(slot.rawValue): offset \(offset) is past its \(current.length) bytes")
            }
            kept = Array(try Self.materialize(current, slot: slot).prefix(Int(offset)))
        }
        var digest = SHA256()
        digest.update(data: kept)
        let writer = Writer(
            store: self,
            slot: slot,
            length: Int64(kept.count),
            head: Array(kept.prefix(Self.headBytes)),
            digest: digest
        )
        writer.publish()
        return writer
    }

    public func read(_ slot: Slot, length: Int64, _ body: (UnsafeRawBufferPointer) throws -> Void) async throws {
        let content = contents.withLock { $0[slot.index] }
        guard length <= content.length else {
            throw AgentError(.slot, "slot \(slot.rawValue): shorter than the \(length) bytes recorded")
        }
        let bytes = try Self.materialize(content, slot: slot)
        try bytes.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[0..<Int(length)])) }
    }

    fileprivate func store(_ content: Content, in slot: Slot) {
        contents.withLock { $0[slot.index] = content }
    }

    private func head(of content: Content) -> [UInt8] {
        switch content {
        case .empty: []
        case .synthetic(let label, let length):
            Array(
                SimulatedNode.makeImage(label: label, size: min(Self.headBytes, Int(length))).prefix(Int(length))
            )
        case .written(_, let head, _): head
        }
    }

    /// The slot's bytes, generated from the synthetic image named in its header and checked against its digest.
    static func materialize(_ content: Content, slot: Slot) throws(AgentError) -> [UInt8] {
        switch content {
        case .empty:
            return []
        case .synthetic(let label, let length):
            return Array(SimulatedNode.makeImage(label: label, size: Int(length)).prefix(Int(length)))
        case .written(let length, let head, let digest):
            guard let label = SimulatedNode.imageLabel(head) else {
                throw AgentError(
                    .slot,
                    "slot \(slot.rawValue): holds \(length) bytes that are not a synthetic image; an in-memory slot "
                        + "keeps only their digest"
                )
            }
            let bytes = Array(SimulatedNode.makeImage(label: label, size: Int(length)).prefix(Int(length)))
            guard hex(SHA256.hash(data: bytes)) == hex(digest.finalize()) else {
                throw AgentError(
                    .slot,
                    "slot \(slot.rawValue): its \(length) bytes differ from the synthetic image \(label); an "
                        + "in-memory slot keeps only their digest"
                )
            }
            return bytes
        }
    }

    static func hex(_ digest: SHA256.Digest) -> String {
        digest.map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }

    /// Appends to one slot; every write is visible in the store at once (there is no cache to lose).
    final class Writer: SlotWriter {
        let store: InMemorySlotStore
        let slot: Slot
        var length: Int64
        var head: [UInt8]
        var digest: SHA256

        init(store: InMemorySlotStore, slot: Slot, length: Int64, head: [UInt8], digest: SHA256) {
            self.store = store
            self.slot = slot
            self.length = length
            self.head = head
            self.digest = digest
        }

        func publish() {
            store.store(.written(length: length, head: head, digest: digest), in: slot)
        }

        func write(_ bytes: UnsafeRawBufferPointer) throws {
            if head.count < InMemorySlotStore.headBytes {
                head.append(contentsOf: bytes.prefix(InMemorySlotStore.headBytes - head.count))
            }
            digest.update(bufferPointer: bytes)
            length += Int64(bytes.count)
            publish()
        }

        func sync() throws {}

        func close() throws {}
    }
}
