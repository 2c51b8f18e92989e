import Foundation

/// The checks and the storage form of the files a profile points to: the package manifest and the CVE lists.
public enum ProfileContent {
    /// The installed-package list of an immutable image: JSON with a non-empty `repo` list whose first item has
    /// `name` and `version`; returned without whitespace. Errors name `file` (the manifest's URL).
    public static func packageManifest(_ bytes: [UInt8], file: String) throws -> String {
        guard let object = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any] else {
            throw OSResourceManagerError(.invalidProfile, "\(file): (document): must be a JSON object")
        }
        guard let repo = object["repo"] as? [Any], let first = repo.first as? [String: Any] else {
            throw OSResourceManagerError(.invalidProfile, "\(file): repo: must be a non-empty list")
        }
        guard first["name"] is String, first["version"] is String else {
            throw OSResourceManagerError(.invalidProfile, "\(file): repo[0]: needs name and version")
        }
        return minified(bytes)
    }

    /// A CVE list: a JSON list whose first entry (if any) has `cve_id` and `priority`; returned without whitespace.
    public static func cveList(_ bytes: [UInt8], file: String) throws -> String {
        if bytes.starts(with: Array("BZh".utf8)) {
            throw OSResourceManagerError(
                .invalidProfile,
                "\(file): (document): bzip2 OVAL data is not supported; publish the CVE list as JSON"
            )
        }
        guard let list = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [Any] else {
            throw OSResourceManagerError(.invalidProfile, "\(file): (document): must be a JSON list")
        }
        if let first = list.first {
            guard let entry = first as? [String: Any], entry["cve_id"] is String, entry["priority"] is String else {
                throw OSResourceManagerError(.invalidProfile, "\(file): [0]: needs cve_id and priority")
            }
        }
        return minified(bytes)
    }

    /// JSON text without the whitespace between tokens (whitespace inside strings is kept).
    public static func minified(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var inString = false
        var escaped = false
        for byte in bytes {
            if inString {
                out.append(byte)
                if escaped {
                    escaped = false
                } else if byte == UInt8(ascii: "\\") {
                    escaped = true
                } else if byte == UInt8(ascii: "\"") {
                    inString = false
                }
                continue
            }
            switch byte {
            case UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\r"), UInt8(ascii: "\t"): continue
            case UInt8(ascii: "\""):
                inString = true
                out.append(byte)
            default: out.append(byte)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
