import Day2Model

/// The role names Day2 understands, all of the form `<projectUUID>_<suffix>` except the admin role.
public enum Roles {
    /// Agents of a project: `<projectUUID>_en-agent-rw`.
    public static let agentSuffix = "en-agent-rw"
    /// Read access to a project's inventory: `<projectUUID>_im-r`.
    public static let readSuffix = "im-r"
    /// Write access to a project's inventory: `<projectUUID>_im-rw`.
    public static let writeSuffix = "im-rw"
    /// May create projects and see every project.
    public static let admin = "day2-admin"

    /// `<projectUUID>_<suffix>`.
    public static func role(project: String, suffix: String) -> String { "\(project)_\(suffix)" }

    /// The projects for which `roles` holds `<projectUUID>_<suffix>` (lower-case UUIDs).
    public static func projects(in roles: [String], suffix: String) -> Set<String> {
        var projects = Set<String>()
        for role in roles {
            guard role.hasSuffix("_" + suffix) else { continue }
            let project = String(role.dropLast(suffix.count + 1))
            if HostUUID.isValid(project) { projects.insert(project.lowercased()) }
        }
        return projects
    }

    /// The one project an agent's token belongs to, from its `<projectUUID>_en-agent-rw` role.
    public static func agentProject(in roles: [String]) throws(AuthenticationError) -> String {
        let projects = projects(in: roles, suffix: agentSuffix)
        guard let project = projects.first else {
            throw AuthenticationError(
                .unauthenticated,
                "Rejected because missing projectID in JWT roles: rejected=/maintmgr.v1.MaintmgrService/PlatformUpdateStatus"
            )
        }
        guard projects.count == 1 else {
            throw AuthenticationError(.unauthenticated, "Credentials from EN should belong to a single Project!")
        }
        return project
    }
}
