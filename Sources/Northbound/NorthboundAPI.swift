import Authentication
import Day2Model
import Foundation
import HTTPTypes
import Hummingbird
import Inventory
import Logging
import NIOCore

/// The REST API on the Edge Infrastructure Manager's primary paths (`/v1/projects/{projectName}/…`), JSON names,
/// list conventions and error shape, plus projects, the embedded token endpoint and the OpenAPI document.
public struct NorthboundAPI<Store: InventoryStore>: Sendable {
    let store: Store
    let verifier: TokenVerifier
    let users: UserDirectory
    let tokenLifetime: TimeInterval
    let logger: Logger
    let now: @Sendable () -> Date

    /// Creates the API over `store`; tokens are checked by `verifier`, and the token endpoint signs in `users`.
    public init(
        store: Store,
        verifier: TokenVerifier,
        users: UserDirectory,
        tokenLifetime: TimeInterval = 3600,
        logger: Logger,
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.store = store
        self.verifier = verifier
        self.users = users
        self.tokenLifetime = tokenLifetime
        self.logger = logger
        self.now = now
    }

    /// The OpenAPI 3.1 document of this API, as YAML (what `GET /openapi.yaml` serves and `docs/openapi.yaml` holds).
    public static var openAPIYAML: String { OpenAPIDocument.make().yaml }

    /// The path prefix of every project-scoped route.
    static var projectPath: String { "/v1/projects/{projectName}" }

    /// Adds every route to `router`. Routes other than the token endpoint and the OpenAPI document need a token.
    public func register(on router: Router<APIContext>) {
        TokenEndpoint(store: store, verifier: verifier, users: users, lifetime: tokenLifetime, logger: logger)
            .register(on: router)
        let document = OpenAPIDocument.make()
        let yaml = document.yaml
        router.get("/openapi.json") { _, _ in JSONResponse.make(.ok, document) }
        router.get("/openapi.yaml") { _, _ in
            Response(
                status: .ok,
                headers: [.contentType: "application/yaml"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: yaml))
            )
        }
        let v1 = router.group("/v1").add(middleware: BearerAuthMiddleware(verifier: verifier))
        registerProjects(on: v1)
        let project = v1.group("projects/{projectName}")
        registerLocations(on: project)
        registerHosts(on: project)
        registerInstances(on: project)
        registerOperatingSystems(on: project)
        registerPolicies(on: project)
        registerRuns(on: project)
        registerSchedules(on: project)
        registerRollouts(on: project)
    }

    // MARK: Helpers shared by the routes

    /// A handler that runs with the project resolved and the caller's access checked.
    typealias ScopedHandler = @Sendable (Request, APIContext, ProjectAccess, Representation<Store>) async throws -> JSON

    func scoped(
        _ level: AccessLevel,
        _ body: @escaping ScopedHandler
    )
        -> @Sendable (Request, APIContext)
        async throws -> Response
    {
        { request, context in
            let name = try context.parameters.require("projectName")
            let access = try await ProjectAccess.resolve(store, name: name, claims: context.claims, level: level)
            let representation = Representation(store: store, tenant: access.tenant)
            return JSONResponse.make(.ok, try await body(request, context, access, representation))
        }
    }

    /// The request body checked against `schema`.
    func body(
        _ request: Request,
        _ context: APIContext,
        _ schema: APISchema,
        requireAll: Bool
    ) async throws -> RequestBody {
        let buffer = try await request.body.collect(upTo: context.maxUploadSize)
        let data = Data(buffer.readableBytesView)
        let json = data.isEmpty ? JSON.object([]) : try JSON.parse(data)
        return try RequestBody(json, schema: schema, requireAll: requireAll)
    }

    /// A query parameter; an empty value of a declared parameter is refused, as upstream's validator does.
    static func query(_ request: Request, _ name: String) throws -> String? {
        guard let value = request.uri.queryParameters.get(name) else { return nil }
        guard !value.isEmpty else { throw APIError.invalid(name, "must not be empty when given") }
        return value
    }

    static func intQuery(_ request: Request, _ name: String) throws -> Int? {
        guard let text = try query(request, name) else { return nil }
        guard let value = Int(text) else { throw APIError.invalid(name, "must be an integer, got \(text)") }
        return value
    }

    /// `filter`, `orderBy`, `pageSize`, `offset`.
    static func listQuery(_ request: Request, extraFilter: String? = nil) throws -> ListQuery {
        var filter = try query(request, "filter") ?? ""
        if let extraFilter { filter = filter.isEmpty ? extraFilter : "(\(filter)) AND \(extraFilter)" }
        return try ListQuery(
            filter: filter,
            orderBy: try query(request, "orderBy") ?? "",
            pageSize: try intQuery(request, "pageSize"),
            offset: try intQuery(request, "offset") ?? 0
        )
    }

    /// `{"<key>": [...], "totalElements": n, "hasNext": b}`.
    static func list<T>(
        _ key: String,
        _ page: Page<T>,
        _ item: (T) async throws -> JSON
    ) async rethrows -> JSON {
        var items: [JSON] = []
        items.reserveCapacity(page.items.count)
        for element in page.items { items.append(try await item(element)) }
        return .object([
            (key, .array(items)), ("totalElements", .int(Int64(page.totalElements))), ("hasNext", .bool(page.hasNext)),
        ])
    }

    static var empty: JSON { .object([]) }

    /// The resource ID in the path, checked for its kind (an unknown prefix is 400, as upstream answers).
    static func resourceId(_ context: APIContext, kind: ResourceKind, parameter: String = "resourceId") throws -> String
    {
        let id = try context.parameters.require(parameter)
        try ResourceID.validate(id, kind: kind, field: "resourceId")
        return id
    }

    // MARK: Projects

    private func registerProjects(on v1: RouterGroup<APIContext>) {
        v1.get("projects") { _, context -> Response in
            let claims = context.claims
            let roles = claims?.roles ?? []
            let visible =
                Roles.projects(in: roles, suffix: Roles.readSuffix)
                .union(Roles.projects(in: roles, suffix: Roles.writeSuffix))
            let projects = try await store.projects().filter { roles.contains(Roles.admin) || visible.contains($0.id) }
            let page = Page(items: projects, totalElements: projects.count, hasNext: false)
            return JSONResponse.make(
                .ok,
                await Self.list("projects", page) { .object([("id", .string($0.id)), ("name", .string($0.name))]) }
            )
        }
        v1.post("projects") { request, context -> Response in
            guard context.claims?.roles.contains(Roles.admin) == true else {
                throw APIError.forbidden("role \(Roles.admin) is needed to create projects")
            }
            let body = try await body(request, context, APISchemas.project, requireAll: true)
            let project = try await store.createProject(name: body.string("name") ?? "", id: nil)
            logger.info(
                "project created",
                metadata: ["project.name": "\(project.name)", "project.id": "\(project.id)"]
            )
            return JSONResponse.make(.ok, .object([("id", .string(project.id)), ("name", .string(project.name))]))
        }
    }
}
