/// One of the two A/B system slots of an immutable node.
public enum Slot: String, Sendable, Hashable, Codable, CaseIterable {
    /// Slot A.
    case a = "A"
    /// Slot B.
    case b = "B"

    /// The other slot.
    public var other: Slot { self == .a ? .b : .a }

    /// 0 for A, 1 for B (index into `slots` and `bootEntries`).
    public var index: Int { self == .a ? 0 : 1 }
}
