import Authentication
import Day2Model
import Foundation
import Hummingbird
import Inventory
import Logging
import NIOCore

/// The embedded token issuer: `POST /realms/{realm}/protocol/openid-connect/token` with a form-encoded password
/// grant, as Keycloak answers it, so the seeds' curl commands work unchanged against Day2.
struct TokenEndpoint<Store: InventoryStore>: Sendable {
    let store: Store
    let verifier: TokenVerifier
    let users: UserDirectory
    let lifetime: TimeInterval
    let logger: Logger

    func register(on router: Router<APIContext>) {
        router.post("/realms/{realm}/protocol/openid-connect/token") { request, context -> Response in
            try await issue(request, context: context)
        }
    }

    private func issue(_ request: Request, context: APIContext) async throws -> Response {
        let realm = try context.parameters.require("realm")
        let body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: 16 * 1024)
        } catch {
            return Self.oauthError(.contentTooLarge, "invalid_request", "the form must be at most 16 KiB")
        }
        let form = Self.parseForm(String(buffer: body))
        guard form["grant_type"] == "password" else {
            return Self.oauthError(
                .badRequest,
                "unsupported_grant_type",
                "grant_type: must be password (form-encoded: grant_type=password&username=…&password=…)"
            )
        }
        guard let name = form["username"], let password = form["password"],
            let user = users.authenticate(name: name, password: password)
        else {
            logger.notice("sign-in refused", metadata: ["user": "\(form["username"] ?? "")"])
            return Self.oauthError(.unauthorized, "invalid_grant", "Invalid user credentials")
        }
        var roles: [String] = []
        let projects = try await store.projects()
        if user.isAdmin {
            roles.append(Roles.admin)
            for project in projects { roles.append(Roles.role(project: project.id, suffix: Roles.writeSuffix)) }
        } else {
            for project in projects {
                guard let access = user.projects[project.name] else { continue }
                roles.append(Roles.role(project: project.id, suffix: Roles.readSuffix))
                if access == "rw" { roles.append(Roles.role(project: project.id, suffix: Roles.writeSuffix)) }
            }
        }
        // Whole seconds, as Keycloak writes iat and exp.
        let now = Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down))
        let claims = Claims(
            subject: user.name,
            expires: now.addingTimeInterval(lifetime),
            issued: now,
            issuer: "day2/realms/\(realm)",
            roles: roles
        )
        let token = try await verifier.issue(claims)
        logger.info("token issued", metadata: ["user": "\(user.name)", "roles": "\(roles.count)"])
        return JSONResponse.make(
            .ok,
            .object([
                ("access_token", .string(token)), ("expires_in", .int(Int64(lifetime))),
                ("refresh_expires_in", .int(0)), ("token_type", .string("Bearer")), ("not-before-policy", .int(0)),
                ("scope", .string(form["scope"] ?? "openid profile")),
            ])
        )
    }

    /// `a=1&b=two+words` → `["a": "1", "b": "two words"]`.
    static func parseForm(_ text: String) -> [String: String] {
        var fields: [String: String] = [:]
        for pair in text.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let decode = { (part: Substring) in
                part.replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String(part)
            }
            fields[decode(parts[0])] = parts.count > 1 ? decode(parts[1]) : ""
        }
        return fields
    }

    static func oauthError(_ status: HTTPResponse.Status, _ error: String, _ description: String) -> Response {
        JSONResponse.make(status, .object([("error", .string(error)), ("error_description", .string(description))]))
    }
}
