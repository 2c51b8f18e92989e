import Foundation
import NIOCore

/// The Web UI's files, loaded once from the target's resource bundle (`day2_WebUI.resources/Assets`).
///
/// `index.html` is the only file served at a stable address; every other file is served under
/// `/ui/v/<version>/…`, where the version is a digest of all files, so browsers may keep them for a year and a new
/// build is fetched at once (the module graph uses relative imports, so it stays inside one version).
struct WebUIAssets: Sendable {
    /// The page, with `{{version}}` replaced.
    let index: WebUIAsset
    /// Every other file, by path below the assets folder.
    let files: [String: WebUIAsset]
    /// The digest of all files, as hex.
    let version: String

    /// The folder the build copies the assets to: `day2_WebUI.resources/Assets` next to the executable. Looked up
    /// by hand rather than through `Bundle.module`, whose accessor stops the process when the folder is missing.
    static func locate() -> URL? {
        var folders = [Bundle.main.bundleURL]
        if let executable = Bundle.main.executableURL?.resolvingSymlinksInPath() {
            folders.append(executable.deletingLastPathComponent())
        }
        for folder in folders {
            let assets = folder.appendingPathComponent("day2_WebUI.resources").appendingPathComponent("Assets")
            var isFolder: ObjCBool = false
            if FileManager.default.fileExists(atPath: assets.path, isDirectory: &isFolder), isFolder.boolValue {
                return assets
            }
        }
        return nil
    }

    /// Reads every file below `folder`.
    static func load(from folder: URL) throws -> WebUIAssets {
        let root = folder.resolvingSymlinksInPath().standardizedFileURL
        guard let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey])
        else {
            throw WebUIError(message: "cannot list \(root.path)")
        }
        var contents: [(path: String, data: Data)] = []
        for case let url as URL in walker {
            guard (try url.resourceValues(forKeys: [.isRegularFileKey])).isRegularFile == true else { continue }
            let full = url.resolvingSymlinksInPath().standardizedFileURL.path
            guard full.hasPrefix(root.path + "/") else { continue }
            let path = String(full.dropFirst(root.path.count + 1))
            guard contentType(of: path) != nil else { continue }
            contents.append((path, try Data(contentsOf: url)))
        }
        contents.sort { $0.path < $1.path }
        guard let page = contents.first(where: { $0.path == "index.html" }) else {
            throw WebUIError(message: "index.html is missing from \(root.path)")
        }
        var digest = AssetDigest()
        for file in contents {
            digest.add(Data(file.path.utf8))
            digest.add(file.data)
        }
        let version = digest.hex
        var files: [String: WebUIAsset] = [:]
        for file in contents where file.path != "index.html" {
            files[file.path] = asset(file.path, file.data)
        }
        let html = String(decoding: page.data, as: UTF8.self).replacingOccurrences(of: "{{version}}", with: version)
        return WebUIAssets(index: asset("index.html", Data(html.utf8)), files: files, version: version)
    }

    private static func asset(_ path: String, _ data: Data) -> WebUIAsset {
        var digest = AssetDigest()
        digest.add(data)
        return WebUIAsset(
            path: path,
            bytes: ByteBuffer(bytes: data),
            contentType: contentType(of: path) ?? "application/octet-stream",
            etag: "\"\(digest.hex)\""
        )
    }

    /// The content type of a file the UI serves, by extension; nil for files that are not served.
    static func contentType(of path: String) -> String? {
        switch (path as NSString).pathExtension.lowercased() {
        case "html": "text/html; charset=utf-8"
        case "js", "mjs": "text/javascript; charset=utf-8"
        case "css": "text/css; charset=utf-8"
        case "svg": "image/svg+xml"
        case "png": "image/png"
        case "json": "application/json"
        case "txt": "text/plain; charset=utf-8"
        case "woff2": "font/woff2"
        default: nil
        }
    }
}
