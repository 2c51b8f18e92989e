/// The two A/B slots as storage: block devices on a node, files in the simulator.
public protocol SlotStore: Sendable {
    /// A writer positioned at `offset` (bytes after `offset` from an earlier attempt are discarded where the slot
    /// is a file).
    func writer(for slot: Slot, at offset: Int64) async throws -> any SlotWriter
    /// Reads the first `length` bytes of `slot` in chunks (to re-hash what an interrupted download already wrote).
    func read(_ slot: Slot, length: Int64, _ body: (UnsafeRawBufferPointer) throws -> Void) async throws
}

/// Sequential writes into one slot; used from one task at a time.
public protocol SlotWriter: AnyObject {
    /// Appends `bytes`.
    func write(_ bytes: UnsafeRawBufferPointer) throws
    /// Flushes everything written so far to stable storage.
    func sync() throws
    /// Syncs and closes.
    func close() throws
}
