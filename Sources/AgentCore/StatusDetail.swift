import Foundation

/// The status detail sent with UPDATED and FAILED: the Maintenance Manager's `update_log` JSON schema, so the
/// control plane can store and count it.
public enum StatusDetail {
    /// One `update_log` entry.
    public struct Entry: Sendable, Hashable, Codable {
        /// `OS`, `application`, …
        public var update_type: String
        /// The package or OS profile.
        public var package_name: String
        /// RFC 3339.
        public var update_time: String
        /// `upgrade` or `install`.
        public var action: String
        /// `installed`, `failed` or `rolledback`.
        public var status: String
        /// The version installed (or attempted).
        public var version: String
        /// A `FailureReason`, or `nofailure`.
        public var failure_reason: String
        /// What failed, naming the step.
        public var failure_log: String

        /// Creates an entry.
        public init(
            updateType: String,
            packageName: String,
            time: String,
            action: String,
            status: String,
            version: String = "",
            failureReason: FailureReason? = nil,
            failureLog: String = ""
        ) {
            update_type = updateType
            package_name = packageName
            update_time = time
            self.action = action
            self.status = status
            self.version = version
            failure_reason = failureReason?.rawValue ?? "nofailure"
            failure_log = failureLog
        }
    }

    private struct Document: Codable {
        var update_log: [Entry]
    }

    /// RFC 3339 (UTC, seconds) for a Unix time.
    public static func rfc3339(_ seconds: Double) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: Date(timeIntervalSince1970: seconds.rounded(.down)))
    }

    /// The JSON text for `entries`.
    public static func json(_ entries: [Entry]) -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(Document(update_log: entries)) else { return "" }
        return String(decoding: data, as: UTF8.self)
    }

    /// The detail of a failed update: one OS entry naming the step, the reason and the message.
    public static func failure(
        _ failure: UpdateFailure,
        kind: UpdateJob.Kind,
        image: ImageSource?,
        at now: Double
    ) -> String {
        let step = failure.step.map { "step \($0.rawValue): " } ?? ""
        return json([
            Entry(
                updateType: "OS",
                packageName: image?.profileName.isEmpty == false
                    ? image!.profileName : (kind == .mutable ? "apt" : "os-image"),
                time: rfc3339(now),
                action: kind == .mutable ? "upgrade" : "install",
                status: failure.rolledBack ? "rolledback" : "failed",
                version: image?.osImageID ?? "",
                failureReason: failure.reason,
                failureLog: String((step + failure.message).prefix(4000))
            )
        ])
    }
}
