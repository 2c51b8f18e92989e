import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What `day2ctl login` keeps between runs: the server, the token and when it expires, in a JSON file that only
/// its owner may read (mode 0600, in a folder of mode 0700).
public struct StoredLogin: Sendable, Equatable {
    /// The server's base URL, e.g. `http://127.0.0.1:8080`.
    public var url: String
    /// The bearer token.
    public var token: String
    /// When the token stops being accepted, if the server said.
    public var expiresAt: Date?
    /// Who logged in.
    public var username: String
    /// The project given at login, used when no `--project` or `DAY2_PROJECT` is given.
    public var project: String?
    /// `--ca-file` given at login, reused for later commands.
    public var caFile: String?
    /// `--insecure` given at login, reused for later commands.
    public var insecure: Bool

    /// Creates a login record.
    public init(
        url: String,
        token: String,
        expiresAt: Date?,
        username: String,
        project: String? = nil,
        caFile: String? = nil,
        insecure: Bool = false
    ) {
        self.url = url
        self.token = token
        self.expiresAt = expiresAt
        self.username = username
        self.project = project
        self.caFile = caFile
        self.insecure = insecure
    }

    /// The file's JSON.
    var json: JSONValue {
        var members: [(String, JSONValue)] = [
            ("url", .string(url)), ("token", .string(token)), ("username", .string(username)),
        ]
        if let expiresAt { members.append(("expiresAt", .string(TimeText.rfc3339(expiresAt)))) }
        if let project { members.append(("project", .string(project))) }
        if let caFile { members.append(("caFile", .string(caFile))) }
        if insecure { members.append(("insecure", .bool(true))) }
        return .object(members)
    }

    /// Reads the login at `path`; nil when there is none.
    static func load(from path: String) throws(CLIError) -> StoredLogin? {
        guard FileManager.default.fileExists(atPath: path) else { return nil }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw CLIError(.localFile, "cannot read \(path)")
        }
        guard let json = JSONValue.parse(data), let url = json["url"].string, let token = json["token"].string else {
            throw CLIError(
                .localFile,
                "\(path) is not a day2ctl login (JSON with url and token)",
                hint: "run day2ctl login again, or day2ctl logout to remove it"
            )
        }
        return StoredLogin(
            url: url,
            token: token,
            expiresAt: json["expiresAt"].string.flatMap(TimeText.parseRFC3339),
            username: json["username"].string ?? "",
            project: json["project"].string,
            caFile: json["caFile"].string,
            insecure: json["insecure"] == .bool(true)
        )
    }

    /// Writes the login to `path` (readable by the owner only), creating its folder when needed.
    func save(to path: String) throws(CLIError) {
        let folder = (path as NSString).deletingLastPathComponent
        let manager = FileManager.default
        do {
            if !folder.isEmpty, !manager.fileExists(atPath: folder) {
                try manager.createDirectory(
                    atPath: folder,
                    withIntermediateDirectories: true,
                    attributes: [.posixPermissions: 0o700]
                )
            }
            // Write beside the target in a file created with owner-only permissions (never readable by others, not
            // even for a moment), then rename it over the target.
            let temporary = path + ".tmp-\(UInt32.random(in: 0...UInt32.max))"
            try Self.writePrivate(Data((json.pretty + "\n").utf8), to: temporary)
            guard rename(temporary, path) == 0 else {
                let reason = String(cString: strerror(errno))
                _ = try? manager.removeItem(atPath: temporary)
                throw CLIError(.localFile, "cannot write \(path): \(reason)")
            }
        } catch let error as CLIError {
            throw error
        } catch {
            throw CLIError(.localFile, "cannot write \(path): \(error.localizedDescription)", cause: "\(error)")
        }
    }

    /// Creates `path` with mode 0600 (failing if it exists) and writes `data` to it.
    private static func writePrivate(_ data: Data, to path: String) throws(CLIError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard fd >= 0 else { throw CLIError(.localFile, "cannot write \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        let written = data.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let count = write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                guard count > 0 else { return false }
                offset += count
            }
            return true
        }
        guard written else {
            _ = unlink(path)
            throw CLIError(.localFile, "cannot write \(path): \(String(cString: strerror(errno)))")
        }
    }

    /// Removes the login at `path`; false when there was none.
    static func remove(at path: String) throws(CLIError) -> Bool {
        guard FileManager.default.fileExists(atPath: path) else { return false }
        do {
            try FileManager.default.removeItem(atPath: path)
            return true
        } catch {
            throw CLIError(.localFile, "cannot remove \(path): \(error.localizedDescription)", cause: "\(error)")
        }
    }
}
