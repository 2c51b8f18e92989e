import Day2Model
import Foundation
import Yams

/// One OS profile manifest (the YAML upstream publishes per profile and revision): what becomes an OS resource.
public struct OSProfile: Sendable, Hashable {
    /// `appVersion` (informational).
    public var appVersion: String
    /// `metadata`: free key/value pairs, stored JSON-encoded in the OS resource's metadata.
    public var metadata: [String: String]
    /// `spec.name`: the OS resource name (unique per project).
    public var name: String
    /// `spec.type`.
    public var osType: OSType
    /// `spec.provider`.
    public var provider: OSProviderKind
    /// `spec.architecture`.
    public var architecture: String
    /// `spec.profileName`: the family, e.g. `microvisor-nonrt`.
    public var profileName: String
    /// `spec.osImageUrl`: a Release Service file path (immutable OS) or a full URL (mutable OS).
    public var imageURL: String
    /// `spec.osImageVersion`: the image ID, the key of "newest".
    public var imageVersion: String
    /// `spec.osImageSha256`, lower-case hex.
    public var imageSHA256: String
    /// `spec.osPackageManifestURL` (immutable OS): where the installed-package list is.
    public var packageManifestURL: String
    /// `spec.osExistingCvesURL`.
    public var existingCVEsURL: String
    /// `spec.osFixedCvesURL`.
    public var fixedCVEsURL: String
    /// `spec.securityFeature`.
    public var securityFeature: SecurityFeature
    /// `spec.description`.
    public var description: String
    /// `spec.tlsCaCertificate` (base64).
    public var tlsCACertificate: String
    /// `spec.platformBundle`, JSON-encoded (empty when the map is empty or absent).
    public var platformBundle: String

    /// Parses and checks a profile; errors name `file` and the field (`spec.type`, `metadata`, …).
    public static func parse(_ text: String, file: String) throws -> OSProfile {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch {
            throw invalid(file, "(document)", "is not valid YAML: \("\(error)".prefix(200))")
        }
        guard let root, let top = root.mapping else { throw invalid(file, "(document)", "must be a YAML mapping") }
        guard let specNode = top["spec"], let spec = specNode.mapping else {
            throw invalid(file, "spec", "is required and must be a mapping")
        }
        func scalar(_ key: String, in map: Node.Mapping, prefix: String, required: Bool) throws -> String {
            guard let node = map[key] else {
                if required { throw invalid(file, prefix + key, "is required") }
                return ""
            }
            guard let value = node.scalar?.string else { throw invalid(file, prefix + key, "must be a text value") }
            let trimmed = value.trimmingCharacters(in: .whitespacesAndNewlines)
            if required && trimmed.isEmpty { throw invalid(file, prefix + key, "must not be empty") }
            return trimmed
        }
        func stringMap(_ node: Node?, field: String) throws -> [String: String] {
            guard let node else { return [:] }
            if let text = node.scalar?.string, ["", "~", "null", "Null", "NULL"].contains(text) { return [:] }
            guard let mapping = node.mapping else { throw invalid(file, field, "must be a mapping of text values") }
            var result: [String: String] = [:]
            for (key, value) in mapping {
                guard let name = key.scalar?.string, let text = value.scalar?.string else {
                    throw invalid(file, field, "must be a mapping of text values")
                }
                result[name] = text
            }
            return result
        }
        func parseEnum<E: RawRepresentable & CaseIterable>(_ key: String, _ type: E.Type, unspecified: E) throws -> E
        where E.RawValue == String {
            let text = try scalar(key, in: spec, prefix: "spec.", required: true)
            guard let value = E(rawValue: text), value != unspecified else {
                let allowed = E.allCases.filter { $0 != unspecified }.map(\.rawValue).joined(separator: ", ")
                throw invalid(file, "spec." + key, "must be one of \(allowed), got \"\(text.prefix(60))\"")
            }
            return value
        }

        let sha = try scalar("osImageSha256", in: spec, prefix: "spec.", required: true).lowercased()
        guard sha.utf8.count == 64, sha.utf8.allSatisfy({ (48...57).contains($0) || (97...102).contains($0) }) else {
            throw invalid(file, "spec.osImageSha256", "must be 64 hex characters")
        }
        let bundle = try stringMap(spec["platformBundle"], field: "spec.platformBundle")
        let profile = OSProfile(
            appVersion: top["appVersion"].flatMap { $0.scalar?.string } ?? "",
            metadata: try stringMap(top["metadata"], field: "metadata"),
            name: try scalar("name", in: spec, prefix: "spec.", required: true),
            osType: try parseEnum("type", OSType.self, unspecified: .unspecified),
            provider: try parseEnum("provider", OSProviderKind.self, unspecified: .unspecified),
            architecture: try scalar("architecture", in: spec, prefix: "spec.", required: false),
            profileName: try scalar("profileName", in: spec, prefix: "spec.", required: true),
            imageURL: try scalar("osImageUrl", in: spec, prefix: "spec.", required: true),
            imageVersion: try scalar("osImageVersion", in: spec, prefix: "spec.", required: true),
            imageSHA256: sha,
            packageManifestURL: try scalar("osPackageManifestURL", in: spec, prefix: "spec.", required: false),
            existingCVEsURL: try scalar("osExistingCvesURL", in: spec, prefix: "spec.", required: false),
            fixedCVEsURL: try scalar("osFixedCvesURL", in: spec, prefix: "spec.", required: false),
            securityFeature: try parseEnum("securityFeature", SecurityFeature.self, unspecified: .unspecified),
            description: try scalar("description", in: spec, prefix: "spec.", required: false),
            tlsCACertificate: try scalar("tlsCaCertificate", in: spec, prefix: "spec.", required: false),
            platformBundle: bundle.isEmpty ? "" : Self.json(bundle)
        )
        // Everything an OS resource checks, reported with the YAML key it came from.
        do throws(ValidationError) {
            try profile.osResource().validate()
        } catch {
            throw invalid(file, Self.yamlKey(forField: error.field), error.rule)
        }
        return profile
    }

    /// The OS resource this profile describes (without downloaded package or CVE content).
    public func osResource(
        installedPackages: String = "",
        existingCves: String = "",
        fixedCves: String = ""
    )
        -> OSResource
    {
        OSResource(
            name: name,
            architecture: architecture,
            imageUrl: imageURL,
            imageId: imageVersion,
            sha256: imageSHA256,
            profileName: profileName,
            installedPackages: installedPackages,
            securityFeature: securityFeature,
            osType: osType,
            osProvider: provider,
            platformBundle: platformBundle,
            description: description,
            metadata: metadata.isEmpty ? "" : Self.json(metadata),
            tlsCaCert: tlsCACertificate,
            existingCvesUrl: existingCVEsURL,
            existingCves: existingCves,
            fixedCvesUrl: fixedCVEsURL,
            fixedCves: fixedCves
        )
    }

    /// The YAML key an OS resource field comes from.
    static func yamlKey(forField field: String) -> String {
        let keys = [
            "name": "spec.name", "architecture": "spec.architecture", "imageUrl": "spec.osImageUrl",
            "imageId": "spec.osImageVersion", "sha256": "spec.osImageSha256", "profileName": "spec.profileName",
            "osType": "spec.type", "osProvider": "spec.provider", "description": "spec.description",
            "metadata": "metadata", "tlsCaCert": "spec.tlsCaCertificate", "existingCvesUrl": "spec.osExistingCvesURL",
            "fixedCvesUrl": "spec.osFixedCvesURL", "securityFeature": "spec.securityFeature",
        ]
        return keys[field] ?? field
    }

    /// A compact JSON object with sorted keys.
    static func json(_ map: [String: String]) -> String {
        guard
            let data = try? JSONSerialization.data(
                withJSONObject: map,
                options: [.sortedKeys, .withoutEscapingSlashes]
            )
        else { return "" }
        return String(decoding: data, as: UTF8.self)
    }

    static func invalid(_ file: String, _ field: String, _ rule: String) -> OSResourceManagerError {
        OSResourceManagerError(.invalidProfile, "\(file): \(field): \(rule)")
    }
}
