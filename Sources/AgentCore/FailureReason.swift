/// Why an update failed, in the vocabulary of the status detail (`failure_reason` of the Maintenance Manager's
/// `update_log` schema).
public enum FailureReason: String, Sendable, Hashable, Codable {
    case unspecified
    case download
    case insufficientStorage = "insufficientstorage"
    case releaseServiceAuthentication = "rsauthentication"
    case signatureCheck = "signaturecheck"
    case updateToolWrite = "utwrite"
    case updateToolBootConfiguration = "utbootconfiguration"
    case bootloader
    case criticalServices = "criticalservices"
    case osCommit = "oscommit"
    case updateTool = "updatetool"
}
