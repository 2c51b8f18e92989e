import Authentication
import Day2Model
import Foundation
import Hummingbird
import Inventory
import Logging

extension NorthboundAPI {
    /// Rollouts (list key `rollouts`): create, list, get, delete, the operator actions, the host list and previews.
    /// `POST rollouts/preview` is a constant path, so the router never takes `preview` for a rollout ID.
    func registerRollouts(on project: RouterGroup<APIContext>) {
        project.post(
            "rollouts",
            use: scoped(.write) { request, context, access, _ in
                let body = try await body(request, context, APISchemas.rollout, requireAll: true)
                let created = try await store.createRollout(tenant: access.tenant, try Self.rollout(body))
                logger.info(
                    "rollout created",
                    metadata: ["rollout.id": "\(created.resourceId)", "project.id": "\(access.tenant)"]
                )
                return Representation<Store>.rollout(created)
            }
        )
        project.get(
            "rollouts",
            use: scoped(.read) { request, _, access, _ in
                let page = try await store.rollouts(tenant: access.tenant, try Self.listQuery(request))
                return await Self.list("rollouts", page) { Representation<Store>.rollout($0) }
            }
        )
        // A dry run of create: the same body and the same right, nothing written.
        project.post(
            "rollouts/preview",
            use: scoped(.write) { request, context, access, _ in
                let page = try Self.previewPage(request)
                let body = try await body(request, context, APISchemas.rollout, requireAll: true)
                let preview = try await store.previewRollout(tenant: access.tenant, try Self.rollout(body))
                return Representation<Store>.rolloutPreview(preview, offset: page.offset, pageSize: page.size)
            }
        )
        project.get(
            "rollouts/{resourceId}",
            use: scoped(.read) { _, context, access, _ in
                let id = try Self.resourceId(context, kind: .rollout)
                return Representation<Store>.rollout(try await store.rollout(tenant: access.tenant, id: id))
            }
        )
        project.delete(
            "rollouts/{resourceId}",
            use: scoped(.write) { _, context, access, _ in
                try await store.deleteRollout(tenant: access.tenant, id: try Self.resourceId(context, kind: .rollout))
                return Self.empty
            }
        )
        for action in RolloutAction.allCases {
            project.post(
                RouterPath("rollouts/{resourceId}/\(action.rawValue)"),
                use: scoped(.write) { request, context, access, _ in
                    let id = try Self.resourceId(context, kind: .rollout)
                    _ = try await body(request, context, Self.actionSchema, requireAll: false)
                    // The token's user name ("paused by admin"); "" when the issuer sends none.
                    let who = context.claims?.preferred_username ?? ""
                    let rollout = try await act(action, tenant: access.tenant, id: id, by: who)
                    logger.info(
                        "rollout action applied",
                        metadata: [
                            "rollout.id": "\(id)", "rollout.action": "\(action.rawValue)",
                            "rollout.state": "\(rollout.state.rawValue)",
                        ]
                    )
                    return Representation<Store>.rollout(rollout)
                }
            )
        }
        project.get(
            "rollouts/{resourceId}/hosts",
            use: scoped(.read) { request, context, access, _ in
                let id = try Self.resourceId(context, kind: .rollout)
                let query = try Self.rolloutHostQuery(request)
                let page = try await store.rolloutHosts(tenant: access.tenant, rolloutId: id, query)
                return await Self.list("hosts", page) { Representation<Store>.rolloutHost($0) }
            }
        )
        project.get(
            "rollouts/{resourceId}/preview",
            use: scoped(.read) { request, context, access, _ in
                let id = try Self.resourceId(context, kind: .rollout)
                let page = try Self.previewPage(request)
                let preview = try await store.previewRollout(tenant: access.tenant, id: id)
                return Representation<Store>.rolloutPreview(preview, offset: page.offset, pageSize: page.size)
            }
        )
    }

    /// An operator action on a rollout.
    enum RolloutAction: String, CaseIterable, Sendable {
        case pause, resume, cancel
    }

    /// The body of an action: nothing, or `{}`.
    static var actionSchema: APISchema { APISchema(name: "the action (it takes no fields)", fields: []) }

    /// How often an action is tried again when the controller wrote the rollout between its read and its write.
    static var actionRetries: Int { 3 }

    /// Applies `action` through the state machine and writes it if the rollout did not move meanwhile (the
    /// controller may be writing a step at the same moment): re-read and tried again up to ``actionRetries`` times.
    /// Answers the rollout as stored afterwards.
    func act(_ action: RolloutAction, tenant: String, id: String, by who: String) async throws -> Rollout {
        for _ in 0...Self.actionRetries {
            let work = try await store.rolloutWork(tenant: tenant, id: id)
            let now = Int64(self.now().timeIntervalSince1970)
            let step: RolloutAdvance
            do throws(RolloutMachine.ActionRefused) {
                switch action {
                case .pause: step = try RolloutMachine.pause(work.rollout, by: who, now: now)
                case .resume: step = try RolloutMachine.resume(work.rollout, now: now)
                case .cancel: step = try RolloutMachine.cancel(work.rollout, by: who, now: now)
                }
            } catch {
                throw APIError(.conflict, InventoryError.Code.conflict.description, error.description)
            }
            if try await store.applyRolloutAdvance(tenant: tenant, step, version: work.version, now: now) {
                return try await store.rollout(tenant: tenant, id: id)
            }
        }
        throw APIError(
            .conflict,
            InventoryError.Code.conflict.description,
            "rollout \(id) changed \(Self.actionRetries + 1) times while the \(action.rawValue) was applied; try again"
        )
    }

    // MARK: Reading a rollout body

    /// The target fields, exactly one of which a rollout names.
    static var rolloutTargetFields: [String] { ["regionId", "siteId", "hostIds", "filter"] }

    /// The rollout a create or preview body describes; fields left out take the model's defaults. Content rules
    /// (names, ranges across fields, wave sizes against the set) are the model's and the store's.
    static func rollout(_ body: RequestBody) throws(ValidationError) -> Rollout {
        var rollout = Rollout(
            name: body.string("name") ?? "",
            osUpdatePolicyId: body.string("osUpdatePolicyId") ?? "",
            target: try rolloutTarget(body)
        )
        if let waves = try body.objects("waves", schema: APISchemas.rolloutWave) {
            rollout.waves = []
            for (index, wave) in waves.enumerated() {
                switch (wave.int("hosts"), wave.int("percent")) {
                case (let hosts?, nil): rollout.waves.append(RolloutWave(size: .hosts(Int(hosts))))
                case (nil, let percent?): rollout.waves.append(RolloutWave(size: .percent(Int(percent))))
                case (_?, _?):
                    throw ValidationError(field: "waves[\(index)]", rule: "give either hosts or percent, not both")
                case (nil, nil):
                    throw ValidationError(field: "waves[\(index)]", rule: "give hosts (1..100000) or percent (1..100)")
                }
            }
        }
        if let value = body.int("failureThreshold") { rollout.failureThreshold = Int(value) }
        // Omitted, the success threshold leaves room for the failures the failure threshold tolerates.
        rollout.successThreshold = body.int("successThreshold").map { Int($0) } ?? max(1, 100 - rollout.failureThreshold)
        if let value = body.int("soakSeconds") { rollout.soakSeconds = value }
        if let value = body.int("commitDeadlineSeconds") { rollout.commitDeadlineSeconds = value }
        if let value = body.int("startSeconds") { rollout.startSeconds = value }
        if let value = body.bool("respectMaintenanceWindows") { rollout.respectMaintenanceWindows = value }
        if let value = body.int("windowSeconds") { rollout.windowSeconds = value }
        return rollout
    }

    /// Exactly one of `regionId`, `siteId`, `hostIds`, `filter` (`""`, `[]` and `null` count as not given, as the
    /// responses echo the unused ones).
    static func rolloutTarget(_ body: RequestBody) throws(ValidationError) -> RolloutTarget {
        var given: [(field: String, target: RolloutTarget)] = []
        if let id = body.string("regionId"), !id.isEmpty { given.append(("regionId", .region(id))) }
        if let id = body.string("siteId"), !id.isEmpty { given.append(("siteId", .site(id))) }
        if let ids = body.strings("hostIds"), !ids.isEmpty { given.append(("hostIds", .hosts(ids))) }
        if let text = body.string("filter"), !text.isEmpty { given.append(("filter", .filter(text))) }
        let choices = "regionId, siteId, hostIds or filter"
        guard let first = given.first else {
            throw ValidationError(field: "target", rule: "give exactly one of \(choices); none was given")
        }
        guard given.count == 1 else {
            throw ValidationError(
                field: first.field,
                rule: "give exactly one of \(choices), not \(given.map(\.field).joined(separator: " and "))"
            )
        }
        return first.target
    }

    // MARK: Query parameters

    /// `state`, `wave` (1-based), `pageSize` (1..1000, omitted: every host), `offset` of a rollout's host list.
    static func rolloutHostQuery(_ request: Request) throws -> RolloutHostQuery {
        var state: RolloutHostState?
        if let text = try query(request, "state") {
            guard let value = RolloutHostState(rawValue: text) else {
                throw APIError.invalid(
                    "state",
                    "must be one of \(RolloutHostState.allCases.map(\.rawValue).joined(separator: ", ")), got \(text)"
                )
            }
            state = value
        }
        let wave = try intQuery(request, "wave")
        if let wave, wave < 1 { throw APIError.invalid("wave", "must be 1 or more, got \(wave)") }
        return try RolloutHostQuery(
            state: state,
            wave: wave.map { $0 - 1 },
            pageSize: try intQuery(request, "pageSize"),
            offset: try intQuery(request, "offset") ?? 0
        )
    }

    /// The page of a preview's hosts: `pageSize` 1..1000 (default 100), `offset`.
    static func previewPage(_ request: Request) throws -> (offset: Int, size: Int) {
        let checked = try RolloutHostQuery(
            pageSize: try intQuery(request, "pageSize") ?? 100,
            offset: try intQuery(request, "offset") ?? 0
        )
        return (checked.offset, checked.pageSize ?? 100)
    }
}
