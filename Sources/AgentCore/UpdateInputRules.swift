import Foundation

/// The safety rules for what the Maintenance Manager asks for. A request that breaks one fails the update before
/// anything is applied; the failure names the field and the rule.
public enum UpdateInputRules {
    /// Kernel parameters: letters, digits, `-`, `_`, `=`, `.`, `,`, `/` and spaces only (the upstream agent's rule),
    /// so the value can never break out of the GRUB drop-in's quotes.
    public static func checkKernelCommand(_ command: String) throws(UpdateFailure) {
        let allowed = command.utf8.allSatisfy { byte in
            (65...90).contains(byte) || (97...122).contains(byte) || (48...57).contains(byte)
                || [45, 95, 61, 46, 44, 47, 32].contains(byte)
        }
        guard allowed, command.utf8.count <= 500 else {
            throw UpdateFailure(
                step: .kernelCommandLine,
                reason: .updateToolBootConfiguration,
                message: "kernel_command: only letters, digits, spaces and - _ = . , / are allowed (at most 500 bytes)"
            )
        }
    }

    /// One APT source: a DEB822 stanza with `Types`, `URIs`, `Suites`, `Components` and `Signed-By`, or a one-line
    /// entry with `signed-by=`. Unsigned sources are refused.
    public static func checkRepository(_ stanza: String, index: Int) throws(UpdateFailure) {
        let field = "custom_repos[\(index)]"
        guard !stanza.utf8.contains(0), stanza.utf8.count <= 10_000 else {
            throw UpdateFailure(
                step: .repositories,
                reason: .updateTool,
                message: "\(field): must be text of at most 10000 bytes"
            )
        }
        let lines = stanza.split(whereSeparator: \.isNewline).map { $0.trimmingPrefix(" ") }
        if lines.count <= 1 {
            guard stanza.lowercased().contains("signed-by=") else {
                throw UpdateFailure(
                    step: .repositories,
                    reason: .signatureCheck,
                    message: "\(field): a one-line source needs [signed-by=<keyring>]"
                )
            }
            guard stanza.hasPrefix("deb ") || stanza.hasPrefix("deb-src ") else {
                throw UpdateFailure(
                    step: .repositories,
                    reason: .updateTool,
                    message: "\(field): a one-line source must start with deb or deb-src"
                )
            }
            return
        }
        let names = Set(
            lines.compactMap { line -> String? in
                guard let colon = line.firstIndex(of: ":"), !line.hasPrefix("#") else { return nil }
                return line[..<colon].lowercased()
            }
        )
        for required in ["types", "uris", "suites", "components"] where !names.contains(required) {
            throw UpdateFailure(
                step: .repositories,
                reason: .updateTool,
                message: "\(field): the DEB822 stanza has no \(required.capitalized): field"
            )
        }
        guard names.contains("signed-by") else {
            throw UpdateFailure(
                step: .repositories,
                reason: .signatureCheck,
                message: "\(field): the DEB822 stanza has no Signed-By: field; unsigned sources are refused"
            )
        }
    }

    /// The extra packages: Debian package names only.
    public static func checkPackages(_ packages: [String]) throws(UpdateFailure) {
        for (index, name) in packages.enumerated() where !PackageName.isValid(name) {
            throw UpdateFailure(
                step: .downloadPackages,
                reason: .updateTool,
                message: "installed_packages[\(index)]: \"\(name.prefix(60))\" is not a Debian package name"
            )
        }
    }

    /// The full image URL: `os_image_url` is a path below `releaseService` (or a URL inside it). No `..`, no
    /// spaces, no other host. The SHA-256 must be 64 hex characters.
    public static func imageURL(for image: ImageSource, releaseService: String) throws(UpdateFailure) -> String {
        let sha = image.osImageSHA
        guard sha.utf8.count == 64,
            sha.utf8.allSatisfy({ (48...57).contains($0) || (97...102).contains($0) || (65...70).contains($0) })
        else {
            throw UpdateFailure(
                step: .downloadImage,
                reason: .signatureCheck,
                message: "os_image_sha: must be 64 hex characters"
            )
        }
        guard !releaseService.isEmpty else {
            throw UpdateFailure(
                step: .downloadImage,
                reason: .releaseServiceAuthentication,
                message: "releaseServiceFQDN: is not configured, so no image URL is trusted"
            )
        }
        let path = image.osImageURL
        let full: String
        if path.contains("://") {
            guard path.hasPrefix(releaseService + "/") else {
                throw UpdateFailure(
                    step: .downloadImage,
                    reason: .releaseServiceAuthentication,
                    message: "os_image_url: \(path.prefix(200)) is outside the release service \(releaseService)"
                )
            }
            full = path
        } else {
            full = releaseService + "/" + path.drop { $0 == "/" }
        }
        let rest = full.dropFirst(releaseService.count + 1)
        let unsafe =
            rest.isEmpty || rest.contains(where: { $0 == " " || $0 == "\\" || $0 == "#" || $0.isNewline })
            || rest.split(separator: "/").contains { $0 == ".." || $0 == "." }
            || rest.lowercased().contains("%2e") || rest.hasPrefix("/")
        guard !unsafe else {
            throw UpdateFailure(
                step: .downloadImage,
                reason: .releaseServiceAuthentication,
                message:
                    "os_image_url: \(path.prefix(200)) must be a plain path inside the release service (no .., spaces or #)"
            )
        }
        return full
    }
}
