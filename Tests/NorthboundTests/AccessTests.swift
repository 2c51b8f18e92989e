import Authentication
import Day2Model
import Day2Testing
import Foundation
import HTTPTypes
import Inventory
import Northbound
import Testing

@Suite("REST API: tokens, roles and tenants")
struct AccessTests {
    @Test("token endpoint: password grant as Keycloak answers it; wrong password and grant refused")
    func tokenEndpoint() async throws {
        try await APIWorld.run(.sqliteMemory) { world in
            let uri = "/realms/master/protocol/openid-connect/token"
            let form = "application/x-www-form-urlencoded"
            var answer = try await world.call(
                .post,
                uri,
                "grant_type=password&client_id=cli&username=admin&password=\(APIWorld.adminPassword)&scope=openid+profile+email+groups",
                as: .anonymous,
                contentType: form
            )
            #expect(answer.status == .ok)
            #expect(answer.string("token_type") == "Bearer")
            let token = try #require(answer.string("access_token"))
            let claims = try await world.verifier.verify(authorization: "Bearer \(token)")
            #expect(claims.roles.contains(Roles.admin))
            #expect(claims.roles.contains("\(world.project.id)_im-rw"))
            answer = try await world.call(.get, "\(world.path)/regions", as: .bearer(token))
            #expect(answer.status == .ok)

            answer = try await world.call(
                .post,
                uri,
                "grant_type=password&username=admin&password=wrong",
                as: .anonymous,
                contentType: form
            )
            #expect(answer.status == .unauthorized && answer.string("error") == "invalid_grant")
            answer = try await world.call(
                .post,
                uri,
                "grant_type=client_credentials",
                as: .anonymous,
                contentType: form
            )
            #expect(answer.status == .badRequest && answer.string("error") == "unsupported_grant_type")

            // A user with read access to one project gets exactly that role.
            answer = try await world.call(
                .post,
                uri,
                "grant_type=password&username=viewer&password=viewer-password",
                as: .anonymous,
                contentType: form
            )
            let viewer = try #require(answer.string("access_token"))
            let viewerClaims = try await world.verifier.verify(authorization: "Bearer \(viewer)")
            #expect(viewerClaims.roles == ["\(world.project.id)_im-r"])
        }
    }

    @Test("no token 401, no role 403, read-only role cannot write, admin-only project creation")
    func roles() async throws {
        try await APIWorld.run(.sqliteMemory) { world in
            let project = world.project.id
            var answer = try await world.call(.get, "\(world.path)/regions", as: .anonymous)
            #expect(answer.status == .unauthorized && answer.string("code") == "Unauthenticated")
            answer = try await world.call(.get, "\(world.path)/regions", as: .bearer("not.a.token"))
            #expect(answer.status == .unauthorized)
            let expired = try await world.token(["\(project)_im-rw"], lifetime: -60)
            answer = try await world.call(.get, "\(world.path)/regions", as: .bearer(expired))
            #expect(answer.status == .unauthorized)

            let stranger = try await world.token(["\(UUID().uuidString.lowercased())_im-rw"])
            answer = try await world.call(.get, "\(world.path)/regions", as: .bearer(stranger))
            #expect(answer.status == .forbidden && answer.string("code") == "PermissionDenied")
            answer = try await world.call(.get, "/v1/projects/no-such-project/regions", as: .bearer(stranger))
            #expect(answer.status == .forbidden)

            let reader = try await world.token(["\(project)_im-r"])
            answer = try await world.call(.get, "\(world.path)/regions", as: .bearer(reader))
            #expect(answer.status == .ok)
            answer = try await world.call(.post, "\(world.path)/regions", #"{"name":"eu"}"#, as: .bearer(reader))
            #expect(answer.status == .forbidden)
            #expect(answer.message.contains("im-rw"))
            let agent = try await world.token(["\(project)_en-agent-rw"])
            answer = try await world.call(.get, "\(world.path)/regions", as: .bearer(agent))
            #expect(answer.status == .forbidden)

            let writer = try await world.token(["\(project)_im-rw"])
            answer = try await world.call(.post, "\(world.path)/regions", #"{"name":"eu"}"#, as: .bearer(writer))
            #expect(answer.status == .ok)
            answer = try await world.call(.post, "/v1/projects", #"{"name":"other"}"#, as: .bearer(writer))
            #expect(answer.status == .forbidden)
            answer = try await world.call(.get, "/v1/projects", as: .bearer(writer))
            #expect(answer.items("projects").map { $0.string("name") } == ["default"])
            answer = try await world.call(.post, "/v1/projects", #"{"name":"other"}"#)
            #expect(answer.status == .ok && answer.string("name") == "other")
            answer = try await world.call(.post, "/v1/projects", #"{"name":"Bad Name"}"#)
            #expect(answer.status == .badRequest && answer.message.hasPrefix("name:"))
            answer = try await world.call(.get, "/v1/projects", as: .bearer(writer))
            #expect(answer.items("projects").count == 1)
            answer = try await world.call(.get, "/v1/projects")
            #expect(answer.items("projects").count == 2)
        }
    }

    @Test("another project's resource is 404, never revealed")
    func tenants() async throws {
        try await APIWorld.run(.sqliteMemory) { world in
            let fleet = try await world.fleet()
            let other = try #require(
                try await world.call(.post, "/v1/projects", #"{"name":"other"}"#).string("id")
            )
            let outsider = try await world.token(["\(other)_im-rw"])
            for path in [
                "compute/hosts/\(fleet.host)", "compute/instances/\(fleet.instance)", "compute/os/\(fleet.old)",
                "regions/\(fleet.region)", "sites/\(fleet.site)",
            ] {
                let answer = try await world.call(.get, "/v1/projects/other/\(path)", as: .bearer(outsider))
                #expect(answer.status == .notFound, "\(path): \(answer.text)")
            }
            let answer = try await world.call(
                .patch,
                "/v1/projects/other/compute/instances/\(fleet.instance)",
                #"{"osID":"\#(fleet.new)"}"#,
                as: .bearer(outsider)
            )
            #expect(answer.status == .notFound)
            let list = try await world.call(.get, "/v1/projects/other/compute/hosts", as: .bearer(outsider))
            #expect(list.json["totalElements"] == .int(0))
        }
    }

    @Test("every operation of the OpenAPI document is routed")
    func documentedRoutes() async throws {
        try await APIWorld.run(.sqliteMemory) { world in
            let document = try await world.call(.get, "/openapi.json", as: .anonymous)
            guard case .object(let paths) = document.json["paths"] else {
                Issue.record("no paths")
                return
            }
            #expect(paths.count >= 20)
            var checked = 0
            for (path, operations) in paths {
                let concrete =
                    path.replacingOccurrences(of: "{projectName}", with: "default")
                    .replacingOccurrences(of: "{regionId}", with: "region-00000000")
                    .replacingOccurrences(of: "{realm}", with: "master")
                for method in operations.keys {
                    let id = Self.sampleId(path)
                    let uri = concrete.replacingOccurrences(of: "{resourceId}", with: id)
                    let answer = try await world.call(
                        HTTPRequest.Method(method.uppercased())!,
                        uri,
                        method == "get" || method == "delete" ? nil : "{}"
                    )
                    // The router's own 404 says "Not Found"; a routed request answers something of the API.
                    #expect(answer.message != "Not Found", "\(method) \(path) is not routed")
                    checked += 1
                }
            }
            #expect(checked >= 50)
        }
    }

    /// A well-formed ID of the kind a documented path takes.
    static func sampleId(_ path: String) -> String {
        let kinds: [(String, String)] = [
            ("/sites", "site"), ("/compute/hosts", "host"), ("/compute/instances", "inst"), ("/compute/os", "os"),
            ("/os-update-policies", "osupdatepolicy"), ("/os-update-runs", "osupdaterun"),
            ("/schedules/single", "singlesche"), ("/schedules/repeated", "repeatedsche"), ("/rollouts", "rollout"),
        ]
        let prefix = kinds.first { path.contains($0.0) }?.1 ?? "region"
        return "\(prefix)-00000000"
    }
}
