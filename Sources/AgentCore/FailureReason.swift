/// Why an update failed, in the vocabulary of the status detail (`failure_reason` of the Maintenance Manager's
/// `update_log` schema).
public enum FailureReason: String, Sendable, Hashable, Codable {
    /// No better reason (for example: the window closed before the step).
    case unspecified
    /// The image or packages could not be downloaded.
    case download
    /// Not enough space.
    case insufficientStorage = "insufficientstorage"
    /// The image URL is outside the trusted Release Service.
    case releaseServiceAuthentication = "rsauthentication"
    /// SHA-256 mismatch or an unsigned repository.
    case signatureCheck = "signaturecheck"
    /// The slot could not be written or holds no verified image.
    case updateToolWrite = "utwrite"
    /// The boot loader or GRUB configuration could not be changed.
    case updateToolBootConfiguration = "utbootconfiguration"
    /// The node came back on the old slot.
    case bootloader
    /// Critical services failed.
    case criticalServices = "criticalservices"
    /// Health checks or the commit failed; rolled back.
    case osCommit = "oscommit"
    /// apt or dpkg failed.
    case updateTool = "updatetool"
}
