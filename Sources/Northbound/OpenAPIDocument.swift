import Day2Model

/// The OpenAPI 3.1 document of the REST API (`GET /openapi.json`), written from the same schema table that checks
/// request bodies, and from the table of operations below, which a test holds against the router.
enum OpenAPIDocument {
    /// What an operation answers.
    enum Answer: Sendable {
        case resource(String)
        case list(key: String, schema: String)
        case empty
        case schedules
    }

    /// Which query parameters an operation takes.
    enum Parameters: Sendable {
        case none
        case list
        case schedules
        case regionList
        /// `pageSize` 1..1000 and `offset` (a preview's hosts).
        case page
        /// `state`, `wave`, `pageSize` 1..1000 and `offset` (a rollout's hosts).
        case rolloutHosts
    }

    /// One documented operation.
    struct Operation: Sendable {
        let method: String
        let path: String
        let id: String
        let summary: String
        var request: String? = nil
        let answer: Answer
        var parameters: Parameters = .none
        var query: [String] = []
        /// When the operation can answer 409 (`Aborted`): what conflicts.
        var conflict: String? = nil
    }

    /// Every operation under `/v1`, with its path relative to the server root.
    static let operations: [Operation] = {
        let project = "/v1/projects/{projectName}"
        var all: [Operation] = [
            Operation(
                method: "get",
                path: "/v1/projects",
                id: "Project_List",
                summary: "Projects the caller may see",
                answer: .list(key: "projects", schema: "Project")
            ),
            Operation(
                method: "post",
                path: "/v1/projects",
                id: "Project_Create",
                summary: "Create a project (admin role)",
                request: "Project",
                answer: .resource("Project")
            ),
        ]
        /// CRUD for one resource: create, list, get, and the given extra verbs on the item.
        func crud(
            _ collection: String,
            _ name: String,
            _ schema: String,
            listKey: String,
            create: Bool = true,
            update: Bool = true,
            listParameters: Parameters = .list,
            itemParameter: String = "resourceId"
        ) {
            let item = collection + "/{\(itemParameter)}"
            if create {
                all.append(
                    Operation(
                        method: "post",
                        path: collection,
                        id: "\(name)_Create",
                        summary: "Create a \(schema)",
                        request: schema,
                        answer: .resource(schema)
                    )
                )
            }
            all.append(
                Operation(
                    method: "get",
                    path: collection,
                    id: "\(name)_List",
                    summary: "List \(schema) resources",
                    answer: .list(key: listKey, schema: schema),
                    parameters: listParameters
                )
            )
            all.append(
                Operation(
                    method: "get",
                    path: item,
                    id: "\(name)_Get",
                    summary: "Get a \(schema)",
                    answer: .resource(schema)
                )
            )
            if update {
                all.append(
                    Operation(
                        method: "put",
                        path: item,
                        id: "\(name)_Replace",
                        summary: "Replace the mapped fields of a \(schema) (omitted ones are cleared)",
                        request: schema,
                        answer: .resource(schema)
                    )
                )
                all.append(
                    Operation(
                        method: "patch",
                        path: item,
                        id: "\(name)_Patch",
                        summary: "Change the fields sent of a \(schema)",
                        request: schema,
                        answer: .resource(schema),
                        query: schema == "InstanceResource" ? ["fieldMask"] : []
                    )
                )
            }
            all.append(
                Operation(
                    method: "delete",
                    path: item,
                    id: "\(name)_Delete",
                    summary: "Delete a \(schema)",
                    answer: .empty
                )
            )
        }
        crud(
            project + "/regions",
            "Region",
            "RegionResource",
            listKey: "regions",
            listParameters: .regionList,
            itemParameter: "regionId"
        )
        crud(project + "/regions/{regionId}/sites", "Site", "SiteResource", listKey: "sites")
        crud(project + "/sites", "Site2", "SiteResource", listKey: "sites")
        crud(project + "/compute/hosts", "Host", "HostResource", listKey: "hosts")
        crud(project + "/compute/instances", "Instance", "InstanceResource", listKey: "instances")
        crud(project + "/compute/os", "OperatingSystem", "OperatingSystemResource", listKey: "OperatingSystemResources")
        crud(
            project + "/os-update-policies",
            "OSUpdatePolicy",
            "OSUpdatePolicy",
            listKey: "osUpdatePolicies",
            update: false
        )
        crud(
            project + "/os-update-runs",
            "OSUpdateRun",
            "OSUpdateRun",
            listKey: "osUpdateRuns",
            create: false,
            update: false
        )
        crud(
            project + "/schedules/single",
            "SingleSchedule",
            "SingleScheduleResource",
            listKey: "singleSchedules",
            listParameters: .schedules
        )
        crud(
            project + "/schedules/repeated",
            "RepeatedSchedule",
            "RepeatedScheduleResource",
            listKey: "repeatedSchedules",
            listParameters: .schedules
        )
        let rollouts = project + "/rollouts"
        let rollout = rollouts + "/{resourceId}"
        all += [
            Operation(
                method: "post",
                path: rollouts,
                id: "Rollout_Create",
                summary: "Create a rollout: its target set is resolved and planned into waves now",
                request: "Rollout",
                answer: .resource("Rollout"),
                conflict: "hosts of the target set belong to another unfinished rollout (the message says how many)"
            ),
            Operation(
                method: "get",
                path: rollouts,
                id: "Rollout_List",
                summary: "List Rollout resources",
                answer: .list(key: "rollouts", schema: "Rollout"),
                parameters: .list
            ),
            Operation(
                method: "post",
                path: rollouts + "/preview",
                id: "Rollout_Preview",
                summary: "What creating this rollout would do; writes nothing",
                request: "Rollout",
                answer: .resource("RolloutPreview"),
                parameters: .page
            ),
            Operation(
                method: "get",
                path: rollout,
                id: "Rollout_Get",
                summary: "Get a Rollout",
                answer: .resource("Rollout")
            ),
            Operation(
                method: "delete",
                path: rollout,
                id: "Rollout_Delete",
                summary: "Delete a finished rollout and its host records",
                answer: .empty,
                conflict: "the rollout is not finished, or hosts are still updating"
            ),
        ]
        for (action, summary) in [
            ("pause", "Pause a scheduled or running rollout: no new host starts; hosts already updating finish"),
            ("resume", "Resume a paused rollout; the failures seen so far are accepted"),
            ("cancel", "Cancel an unfinished rollout: no further host starts"),
        ] {
            all.append(
                Operation(
                    method: "post",
                    path: rollout + "/\(action)",
                    id: "Rollout_\(action.prefix(1).uppercased() + action.dropFirst())",
                    summary: summary + " (no body, or {})",
                    answer: .resource("Rollout"),
                    conflict: "the action does not apply to the rollout's state (the message names it)"
                )
            )
        }
        all += [
            Operation(
                method: "get",
                path: rollout + "/hosts",
                id: "Rollout_ListHosts",
                summary: "The hosts of a rollout in rollout order",
                answer: .list(key: "hosts", schema: "RolloutHost"),
                parameters: .rolloutHosts
            ),
            Operation(
                method: "get",
                path: rollout + "/preview",
                id: "Rollout_GetPreview",
                summary: "The preview of an existing rollout: its stored waves and host states, the windows now",
                answer: .resource("RolloutPreview"),
                parameters: .page
            ),
        ]
        all.append(
            Operation(
                method: "get",
                path: project + "/compute/schedules",
                id: "Schedule_List",
                summary: "Schedules of both kinds; hostId/siteId/regionId include inherited ones",
                answer: .schedules,
                parameters: .schedules
            )
        )
        return all
    }()

    /// The whole document.
    static func make() -> JSON {
        var paths: [(String, [(String, JSON)])] = []
        for operation in operations {
            let entry = (operation.method, self.operation(operation))
            if let index = paths.firstIndex(where: { $0.0 == operation.path }) {
                paths[index].1.append(entry)
            } else {
                paths.append((operation.path, [entry]))
            }
        }
        paths.append(
            (
                "/realms/{realm}/protocol/openid-connect/token",
                [("post", tokenOperation)]
            )
        )
        return .object([
            ("openapi", .string("3.1.0")),
            (
                "info",
                .object([
                    ("title", .string("Day2 Edge Infrastructure API")), ("version", .string("1.0.0")),
                    (
                        "description",
                        .string(
                            "Day-2 OS updates of edge-node fleets, on the Edge Infrastructure Manager's REST paths and JSON names."
                        )
                    ),
                ])
            ),
            ("paths", .object(paths.map { ($0.0, .object($0.1)) })),
            (
                "components",
                .object([
                    ("schemas", .object(APISchemas.all.map { ($0.name, schema($0)) } + [("Error", errorSchema)])),
                    (
                        "securitySchemes",
                        .object([
                            (
                                "bearerAuth",
                                .object([
                                    ("type", .string("http")), ("scheme", .string("bearer")),
                                    ("bearerFormat", .string("JWT")),
                                ])
                            )
                        ])
                    ),
                ])
            ),
        ])
    }

    private static let errorSchema = JSON.object([
        ("type", .string("object")),
        (
            "properties",
            .object([
                ("code", .object([("type", .string("string"))])), ("message", .object([("type", .string("string"))])),
            ])
        ),
        ("required", .array([.string("message")])),
    ])

    private static func ref(_ schema: String) -> JSON { .object([("$ref", .string("#/components/schemas/\(schema)"))]) }

    private static func content(_ schema: JSON) -> JSON {
        .object([("application/json", .object([("schema", schema)]))])
    }

    private static func parameter(_ name: String, in location: String, _ schema: JSON, required: Bool = false) -> JSON {
        .object([
            ("name", .string(name)), ("in", .string(location)), ("required", .bool(required)), ("schema", schema),
        ])
    }

    private static var string: JSON { .object([("type", .string("string")), ("minLength", .int(1))]) }

    private static func integer(_ min: Int64, _ max: Int64) -> JSON {
        .object([("type", .string("integer")), ("minimum", .int(min)), ("maximum", .int(max))])
    }

    private static func operation(_ operation: Operation) -> JSON {
        var parameters: [JSON] = []
        for name in ["projectName", "regionId", "resourceId"] where operation.path.contains("{\(name)}") {
            parameters.append(parameter(name, in: "path", .object([("type", .string("string"))]), required: true))
        }
        switch operation.parameters {
        case .none: break
        case .list, .regionList:
            parameters += [
                parameter("filter", in: "query", string), parameter("orderBy", in: "query", string),
                parameter("pageSize", in: "query", integer(1, 100)),
                parameter("offset", in: "query", integer(0, 10000)),
            ]
            if case .regionList = operation.parameters {
                parameters.append(
                    parameter(
                        "showTotalSites",
                        in: "query",
                        .object([("type", .string("string")), ("enum", .array([.string("true"), .string("false")]))])
                    )
                )
            }
        case .schedules:
            parameters +=
                ["hostId", "siteId", "regionId"].map { parameter($0, in: "query", string) } + [
                    parameter(
                        "unixEpoch",
                        in: "query",
                        .object([("type", .string("string")), ("pattern", .string("^[0-9]+$"))])
                    ),
                    parameter("pageSize", in: "query", integer(1, 100)),
                    parameter("offset", in: "query", integer(0, 10000)),
                ]
        case .page:
            parameters += [
                parameter("pageSize", in: "query", integer(1, 1000)),
                parameter("offset", in: "query", integer(0, 100_000)),
            ]
        case .rolloutHosts:
            parameters += [
                parameter("state", in: "query", type(.enumeration(RolloutHostState.allCases.map(\.rawValue)))),
                parameter("wave", in: "query", integer(1, Int64(Rollout.maximumWaves))),
                parameter("pageSize", in: "query", integer(1, 1000)),
                parameter("offset", in: "query", integer(0, 100_000)),
            ]
        }
        parameters += operation.query.map { parameter($0, in: "query", string) }
        let body: JSON
        switch operation.answer {
        case .resource(let schema): body = ref(schema)
        case .empty: body = .object([("type", .string("object")), ("additionalProperties", .bool(false))])
        case .list(let key, let schema):
            body = .object([
                ("type", .string("object")),
                (
                    "properties",
                    .object([
                        (key, .object([("type", .string("array")), ("items", ref(schema))])),
                        ("totalElements", .object([("type", .string("integer"))])),
                        ("hasNext", .object([("type", .string("boolean"))])),
                    ])
                ),
                ("required", .array([.string(key), .string("totalElements"), .string("hasNext")])),
                ("additionalProperties", .bool(false)),
            ])
        case .schedules:
            body = .object([
                ("type", .string("object")),
                (
                    "properties",
                    .object([
                        (
                            "singleSchedules",
                            .object([("type", .string("array")), ("items", ref("SingleScheduleResource"))])
                        ),
                        (
                            "repeatedSchedules",
                            .object([("type", .string("array")), ("items", ref("RepeatedScheduleResource"))])
                        ),
                        ("totalElements", .object([("type", .string("integer"))])),
                        ("hasNext", .object([("type", .string("boolean"))])),
                    ])
                ),
                ("additionalProperties", .bool(false)),
            ])
        }
        var responses: [(String, JSON)] = [
            ("200", .object([("description", .string("OK")), ("content", content(body))]))
        ]
        for (code, text) in [
            ("400", "InvalidArgument or FailedPrecondition: the message names the field and the rule"),
            ("401", "no valid bearer token"), ("403", "the token has no role for this project or action"),
            ("404", "no such resource in this project"),
        ] {
            responses.append((code, .object([("description", .string(text)), ("content", content(ref("Error")))])))
        }
        if let conflict = operation.conflict {
            responses.append(
                (
                    "409",
                    .object([("description", .string("Aborted: \(conflict)")), ("content", content(ref("Error")))])
                )
            )
        }
        var members: [(String, JSON)] = [
            ("operationId", .string(operation.id)), ("summary", .string(operation.summary)),
            ("parameters", .array(parameters)), ("security", .array([.object([("bearerAuth", .array([]))])])),
        ]
        if let request = operation.request {
            members.append(("requestBody", .object([("required", .bool(true)), ("content", content(ref(request)))])))
        }
        members.append(("responses", .object(responses)))
        return .object(members)
    }

    private static var tokenOperation: JSON {
        let form = JSON.object([
            ("type", .string("object")),
            (
                "properties",
                .object(
                    ["grant_type", "client_id", "username", "password", "scope"].map {
                        ($0, .object([("type", .string("string"))]))
                    }
                )
            ),
            ("required", .array([.string("grant_type"), .string("username"), .string("password")])),
        ])
        return .object([
            ("operationId", .string("Token_Issue")),
            ("summary", .string("Sign in with a password grant; answers an access token (Keycloak's shape)")),
            (
                "parameters",
                .array([parameter("realm", in: "path", .object([("type", .string("string"))]), required: true)])
            ),
            (
                "requestBody",
                .object([
                    ("required", .bool(true)),
                    ("content", .object([("application/x-www-form-urlencoded", .object([("schema", form)]))])),
                ])
            ),
            (
                "responses",
                .object([
                    ("200", .object([("description", .string("an access token"))])),
                    ("400", .object([("description", .string("unsupported grant type"))])),
                    ("401", .object([("description", .string("invalid user credentials"))])),
                ])
            ),
        ])
    }

    /// One component schema.
    static func schema(_ schema: APISchema) -> JSON {
        var properties: [(String, JSON)] = []
        for field in schema.fields {
            var property = type(field.kind)
            if case .object(var members) = property {
                if field.access == .readOnly { members.append(("readOnly", .bool(true))) }
                if field.access == .writeOnly { members.append(("writeOnly", .bool(true))) }
                if !field.summary.isEmpty { members.append(("description", .string(field.summary))) }
                property = .object(members)
            }
            if field.nullable || field.name == "timestamps" {
                property = .object([("oneOf", .array([property, .object([("type", .string("null"))])]))])
            }
            properties.append((field.name, property))
        }
        let required = schema.fields.filter(\.required).map { JSON.string($0.name) }
        return .object([
            ("type", .string("object")), ("properties", .object(properties)), ("required", .array(required)),
            ("additionalProperties", .bool(false)),
        ])
    }

    private static func type(_ kind: APIField.Kind) -> JSON {
        switch kind {
        case .string(let rule):
            var members: [(String, JSON)] = [("type", .string("string"))]
            if let rule {
                if !rule.pattern.isEmpty { members.append(("pattern", .string("^$|" + rule.pattern))) }
                if rule.maxBytes < Int.max { members.append(("maxLength", .int(Int64(rule.maxBytes)))) }
            }
            return .object(members)
        case .integer(let min, let max):
            return integer(min, max)
        case .boolean:
            return .object([("type", .string("boolean"))])
        case .enumeration(let values):
            return .object([("type", .string("string")), ("enum", .array(values.map(JSON.string)))])
        case .array(let element, let maxItems):
            var members: [(String, JSON)] = [("type", .string("array")), ("items", type(element))]
            if let maxItems { members.append(("maxItems", .int(Int64(maxItems)))) }
            return .object(members)
        case .object(let name):
            return .object([("$ref", .string("#/components/schemas/\(name)"))])
        case .reference(let kind, _):
            // Responses echo "" when the reference is unset, so the document allows it.
            return .object([
                ("type", .string("string")), ("pattern", .string("^$|^\(kind.prefix)-[0-9a-f]{8}$")),
                ("maxLength", .int(Int64(kind.prefix.count + 9))),
            ])
        }
    }
}
