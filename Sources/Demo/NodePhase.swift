import AgentCore

/// Where one node is in the rollout, from what it reported to the Maintenance Manager.
public enum NodePhase: String, Sendable, Hashable, CaseIterable {
    /// No update running yet (the node reports `UP_TO_DATE`).
    case upToDate = "UP_TO_DATE"
    /// Downloading ahead of the window, or updating inside it.
    case updating = "UPDATING"
    /// The update completed.
    case updated = "UPDATED"
    /// The update failed (an immutable node that rolled back, for example).
    case failed = "FAILED"

    /// The phase after the node delivered `status`: `UPDATED` and `FAILED` end the rollout for a node (its single
    /// window is used once); a later `UP_TO_DATE` (sent once `UPDATED` was delivered) changes nothing.
    public func after(_ status: UpdateStatusType) -> NodePhase {
        switch status {
        case .updated: .updated
        case .failed: .failed
        case .started, .downloading, .downloaded: self == .upToDate ? .updating : self
        case .upToDate, .unspecified: self
        }
    }
}
