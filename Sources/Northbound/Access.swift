import Authentication
import Day2Model
import Foundation
import Hummingbird
import Inventory

/// Verifies the bearer token of every request it guards and puts the claims into the context.
struct BearerAuthMiddleware: RouterMiddleware {
    typealias Context = APIContext
    let verifier: TokenVerifier

    func handle(
        _ request: Request,
        context: APIContext,
        next: (Request, APIContext) async throws -> Response
    )
        async throws -> Response
    {
        var context = context
        context.claims = try await verifier.verify(authorization: request.headers[.authorization])
        return try await next(request, context)
    }
}

/// What a route needs from the caller's roles.
enum AccessLevel: Sendable {
    /// `<project>_im-r` or `<project>_im-rw`.
    case read
    /// `<project>_im-rw`.
    case write
}

/// The project a request addresses, once the caller's roles allow it.
struct ProjectAccess: Sendable {
    let project: Project
    var tenant: String { project.id }

    /// Resolves `/v1/projects/{projectName}` and checks the caller's roles: no role for the project is 403 whether
    /// or not the project exists (names are not revealed); the admin role sees every project.
    static func resolve(
        _ store: some InventoryStore,
        name: String,
        claims: Claims?,
        level: AccessLevel
    ) async throws -> ProjectAccess {
        guard let claims else { throw AuthenticationError(.unauthenticated, "Request unauthenticated with Bearer") }
        let roles = claims.roles
        let isAdmin = roles.contains(Roles.admin)
        guard let project = try await store.project(named: name) else {
            if isAdmin { throw APIError(.notFound, "NotFound", "project \(name) not found") }
            throw APIError.forbidden("no role for project \(name)")
        }
        if isAdmin { return ProjectAccess(project: project) }
        let writers = Roles.projects(in: roles, suffix: Roles.writeSuffix)
        let readers = Roles.projects(in: roles, suffix: Roles.readSuffix)
        switch level {
        case .write:
            guard writers.contains(project.id) else {
                if readers.contains(project.id) {
                    throw APIError.forbidden(
                        "role \(project.id)_\(Roles.writeSuffix) is needed to change project \(name)"
                    )
                }
                throw APIError.forbidden("no role for project \(name)")
            }
        case .read:
            guard writers.contains(project.id) || readers.contains(project.id) else {
                throw APIError.forbidden("no role for project \(name)")
            }
        }
        return ProjectAccess(project: project)
    }
}

/// The users the embedded token endpoint knows, with what each may do.
public struct UserDirectory: Sendable {
    /// One user.
    public struct User: Sendable {
        /// Sign-in name.
        public var name: String
        /// The stored password.
        public var password: PasswordHash
        /// Whether the user gets the admin role (every project, creating projects).
        public var isAdmin: Bool
        /// Project name → access (`r` read, `rw` read and write).
        public var projects: [String: String]

        /// Creates a user.
        public init(name: String, password: PasswordHash, isAdmin: Bool = false, projects: [String: String] = [:]) {
            self.name = name
            self.password = password
            self.isAdmin = isAdmin
            self.projects = projects
        }
    }

    /// Users by name.
    public let users: [String: User]

    /// Creates the directory.
    public init(_ users: [User]) {
        self.users = Dictionary(users.map { ($0.name, $0) }, uniquingKeysWith: { _, last in last })
    }

    /// The user named `name` if `password` is theirs.
    func authenticate(name: String, password: String) -> User? {
        guard let user = users[name], user.password.matches(password) else { return nil }
        return user
    }
}
