import Authentication
import Foundation
import Logging
import Northbound

/// Builds the users of the embedded token endpoint from the configuration: `admin`, plus the users file.
public enum UserDirectoryLoader {
    /// The stored form of `password`.
    public static func hash(_ password: String) -> String { PasswordHash(password: password).description }

    /// `admin` (with the configured password, or the one generated at first start) and every user of the users file.
    static func load(configuration: OrchestratorConfiguration, logger: Logger) throws -> UserDirectory {
        var users = [
            UserDirectory.User(name: "admin", password: try adminPassword(configuration, logger: logger), isAdmin: true)
        ]
        if !configuration.usersFile.isEmpty {
            users += try readUsersFile(configuration.usersFile)
        }
        return UserDirectory(users)
    }

    /// The admin password's hash: from the configuration, else `<data-dir>/admin-password` (a hash), created with a
    /// random password printed once when missing.
    static func adminPassword(_ configuration: OrchestratorConfiguration, logger: Logger) throws -> PasswordHash {
        if !configuration.adminPassword.isEmpty { return PasswordHash(password: configuration.adminPassword) }
        let folder = configuration.dataDirectory
        let path = (folder as NSString).appendingPathComponent("admin-password")
        if let data = FileManager.default.contents(atPath: path) {
            let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            guard let hash = PasswordHash(encoded: text) else {
                throw ConfigurationError(key: "adminPassword", rule: "\(path) does not hold a password hash")
            }
            return hash
        }
        try StoreOpener.makePrivateFolder(folder)
        let alphabet = Array("abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789")
        var generator = SystemRandomNumberGenerator()
        let password = String((0..<20).map { _ in alphabet.randomElement(using: &generator)! })
        let hash = PasswordHash(password: password)
        guard
            FileManager.default.createFile(
                atPath: path,
                contents: Data((hash.description + "\n").utf8),
                attributes: [.posixPermissions: 0o600]
            )
        else { throw ConfigurationError(key: "adminPassword", rule: "cannot write \(path)") }
        // Shown once, on the terminal: only its hash is kept.
        FileHandle.standardError.write(
            Data(
                """

                  Sign in as user "admin" with password \(password)
                  (shown only now; set --admin-password or delete \(path) to choose another)

                """.utf8
            )
        )
        logger.notice("generated the admin password", metadata: ["file": "\(path)"])
        return hash
    }

    /// `{"users": [{"name": …, "passwordHash": …, "admin": false, "projects": {"<project name>": "r"|"rw"}}]}`.
    static func readUsersFile(_ path: String) throws -> [UserDirectory.User] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigurationError(key: "usersFile", rule: "cannot read \(path)")
        }
        guard let root = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
            let list = root["users"] as? [[String: Any]]
        else {
            throw ConfigurationError(key: "usersFile", rule: "\(path) must hold {\"users\": [ … ]}")
        }
        var users: [UserDirectory.User] = []
        for (index, entry) in list.enumerated() {
            let key = "usersFile users[\(index)]"
            if let unknown = entry.keys.sorted().first(where: {
                !["name", "passwordHash", "admin", "projects"].contains($0)
            }) {
                throw ConfigurationError(
                    key: "\(key).\(unknown)",
                    rule: "is not a user field (name, passwordHash, admin, projects)"
                )
            }
            guard let name = entry["name"] as? String, !name.isEmpty, name != "admin" else {
                throw ConfigurationError(key: "\(key).name", rule: "must be a non-empty name other than admin")
            }
            guard let text = entry["passwordHash"] as? String, let hash = PasswordHash(encoded: text) else {
                throw ConfigurationError(
                    key: "\(key).passwordHash",
                    rule: "must be a hash printed by `day2-orchestrator hash-password`"
                )
            }
            let projects = entry["projects"] as? [String: String] ?? [:]
            if let bad = projects.first(where: { $0.value != "r" && $0.value != "rw" }) {
                throw ConfigurationError(key: "\(key).projects.\(bad.key)", rule: "must be \"r\" or \"rw\"")
            }
            users.append(
                UserDirectory.User(
                    name: name,
                    password: hash,
                    isAdmin: entry["admin"] as? Bool ?? false,
                    projects: projects
                )
            )
        }
        return users
    }
}
