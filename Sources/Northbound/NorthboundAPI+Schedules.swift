import Day2Model
import Foundation
import Hummingbird
import Inventory

extension NorthboundAPI {
    /// Single and repeated schedules, and the combined listing with inheritance (`/compute/schedules`).
    func registerSchedules(on project: RouterGroup<APIContext>) {
        for list in ["compute/schedules", "schedules"] {
            project.get(
                RouterPath(list),
                use: scoped(.read) { request, _, access, view in
                    let query = try Self.scheduleQuery(request)
                    let single = try await store.singleSchedules(tenant: access.tenant, query)
                    let repeated = try await store.repeatedSchedules(tenant: access.tenant, query)
                    var singles: [JSON] = []
                    for schedule in single.items { singles.append(await view.singleSchedule(schedule)) }
                    var repeats: [JSON] = []
                    for schedule in repeated.items { repeats.append(await view.repeatedSchedule(schedule)) }
                    return .object([
                        ("singleSchedules", .array(singles)), ("repeatedSchedules", .array(repeats)),
                        ("totalElements", .int(Int64(single.totalElements + repeated.totalElements))),
                        ("hasNext", .bool(single.hasNext || repeated.hasNext)),
                    ])
                }
            )
        }
        for prefix in ["schedules/single", "compute/schedules/single"] {
            project.post(
                RouterPath(prefix),
                use: scoped(.write) { request, context, access, view in
                    let body = try await body(request, context, APISchemas.singleSchedule, requireAll: true)
                    let schedule = SingleSchedule(
                        name: body.string("name") ?? "",
                        scheduleStatus: try Self.scheduleStatus(body),
                        target: try Self.target(body),
                        startSeconds: body.int("startSeconds") ?? 0,
                        endSeconds: body.int("endSeconds").flatMap { $0 == 0 ? nil : $0 }
                    )
                    return await view.singleSchedule(
                        try await store.createSingleSchedule(tenant: access.tenant, schedule)
                    )
                }
            )
            project.get(
                RouterPath(prefix),
                use: scoped(.read) { request, _, access, view in
                    let page = try await store.singleSchedules(tenant: access.tenant, try Self.scheduleQuery(request))
                    return await Self.list("singleSchedules", page) { await view.singleSchedule($0) }
                }
            )
            project.get(
                RouterPath(prefix + "/{resourceId}"),
                use: scoped(.read) { _, context, access, view in
                    let id = try Self.resourceId(context, kind: .singleSchedule)
                    return await view.singleSchedule(try await store.singleSchedule(tenant: access.tenant, id: id))
                }
            )
            for (method, replace) in [(HTTPRequest.Method.put, true), (.patch, false)] {
                project.on(
                    RouterPath(prefix + "/{resourceId}"),
                    method: method,
                    use: scoped(.write) {
                        request,
                        context,
                        access,
                        view in
                        let id = try Self.resourceId(context, kind: .singleSchedule)
                        let body = try await body(request, context, APISchemas.singleSchedule, requireAll: replace)
                        var schedule = try await store.singleSchedule(tenant: access.tenant, id: id)
                        schedule.name = Self.pick(
                            body,
                            "name",
                            replace: replace,
                            current: schedule.name,
                            cleared: "",
                            body.string
                        )
                        if body.has("scheduleStatus") || replace {
                            schedule.scheduleStatus = try Self.scheduleStatus(body)
                        }
                        if replace || Self.targetKeys.contains(where: body.has) {
                            schedule.target = try Self.target(body)
                        }
                        if let start = body.int("startSeconds") { schedule.startSeconds = start }
                        schedule.endSeconds = Self.pick(
                            body,
                            "endSeconds",
                            replace: replace,
                            current: schedule.endSeconds,
                            cleared: nil,
                            body.int
                        ).flatMap { $0 == 0 ? nil : $0 }
                        return await view.singleSchedule(
                            try await store.updateSingleSchedule(tenant: access.tenant, schedule)
                        )
                    }
                )
            }
            project.delete(
                RouterPath(prefix + "/{resourceId}"),
                use: scoped(.write) { _, context, access, _ in
                    let id = try Self.resourceId(context, kind: .singleSchedule)
                    try await store.deleteSingleSchedule(tenant: access.tenant, id: id)
                    return Self.empty
                }
            )
        }
        for prefix in ["schedules/repeated", "compute/schedules/repeated"] {
            project.post(
                RouterPath(prefix),
                use: scoped(.write) { request, context, access, view in
                    let body = try await body(request, context, APISchemas.repeatedSchedule, requireAll: true)
                    let schedule = RepeatedSchedule(
                        name: body.string("name") ?? "",
                        scheduleStatus: try Self.scheduleStatus(body),
                        target: try Self.target(body),
                        durationSeconds: body.int("durationSeconds") ?? 0,
                        cronMinutes: body.string("cronMinutes") ?? "",
                        cronHours: body.string("cronHours") ?? "",
                        cronDayMonth: body.string("cronDayMonth") ?? "",
                        cronMonth: body.string("cronMonth") ?? "",
                        cronDayWeek: body.string("cronDayWeek") ?? ""
                    )
                    return await view.repeatedSchedule(
                        try await store.createRepeatedSchedule(tenant: access.tenant, schedule)
                    )
                }
            )
            project.get(
                RouterPath(prefix),
                use: scoped(.read) { request, _, access, view in
                    let page = try await store.repeatedSchedules(tenant: access.tenant, try Self.scheduleQuery(request))
                    return await Self.list("repeatedSchedules", page) { await view.repeatedSchedule($0) }
                }
            )
            project.get(
                RouterPath(prefix + "/{resourceId}"),
                use: scoped(.read) { _, context, access, view in
                    let id = try Self.resourceId(context, kind: .repeatedSchedule)
                    return await view.repeatedSchedule(try await store.repeatedSchedule(tenant: access.tenant, id: id))
                }
            )
            for (method, replace) in [(HTTPRequest.Method.put, true), (.patch, false)] {
                project.on(
                    RouterPath(prefix + "/{resourceId}"),
                    method: method,
                    use: scoped(.write) {
                        request,
                        context,
                        access,
                        view in
                        let id = try Self.resourceId(context, kind: .repeatedSchedule)
                        let body = try await body(request, context, APISchemas.repeatedSchedule, requireAll: replace)
                        var schedule = try await store.repeatedSchedule(tenant: access.tenant, id: id)
                        schedule.name = Self.pick(
                            body,
                            "name",
                            replace: replace,
                            current: schedule.name,
                            cleared: "",
                            body.string
                        )
                        if body.has("scheduleStatus") || replace {
                            schedule.scheduleStatus = try Self.scheduleStatus(body)
                        }
                        if replace || Self.targetKeys.contains(where: body.has) {
                            schedule.target = try Self.target(body)
                        }
                        if let duration = body.int("durationSeconds") { schedule.durationSeconds = duration }
                        if let value = body.string("cronMinutes") { schedule.cronMinutes = value }
                        if let value = body.string("cronHours") { schedule.cronHours = value }
                        if let value = body.string("cronDayMonth") { schedule.cronDayMonth = value }
                        if let value = body.string("cronMonth") { schedule.cronMonth = value }
                        if let value = body.string("cronDayWeek") { schedule.cronDayWeek = value }
                        return await view.repeatedSchedule(
                            try await store.updateRepeatedSchedule(tenant: access.tenant, schedule)
                        )
                    }
                )
            }
            project.delete(
                RouterPath(prefix + "/{resourceId}"),
                use: scoped(.write) { _, context, access, _ in
                    let id = try Self.resourceId(context, kind: .repeatedSchedule)
                    try await store.deleteRepeatedSchedule(tenant: access.tenant, id: id)
                    return Self.empty
                }
            )
        }
    }

    static var targetKeys: [String] { ["targetHostId", "targetSiteId", "targetRegionId"] }

    static func target(_ body: RequestBody) throws(ValidationError) -> ScheduleTarget {
        try ScheduleTarget.from(
            hostId: body.string("targetHostId"),
            siteId: body.string("targetSiteId"),
            regionId: body.string("targetRegionId")
        )
    }

    /// The schedule kind; the API accepts only maintenance and OS update windows.
    static func scheduleStatus(_ body: RequestBody) throws(ValidationError) -> ScheduleStatus {
        guard let status = body.enumeration("scheduleStatus", ScheduleStatus.self), status != .unspecified else {
            throw ValidationError(
                field: "scheduleStatus",
                rule: "must be SCHEDULE_STATUS_MAINTENANCE or SCHEDULE_STATUS_OS_UPDATE"
            )
        }
        return status
    }

    /// `hostId`, `siteId`, `regionId` (an ID, or `null` for "without that target"), `unixEpoch`, paging.
    static func scheduleQuery(_ request: Request) throws -> ScheduleQuery {
        var epoch: Int64?
        if let text = try query(request, "unixEpoch") {
            guard text.allSatisfy(\.isASCII), text.allSatisfy(\.isNumber), let value = Int64(text) else {
                throw APIError.invalid("unixEpoch", "must match ^[0-9]+$, got \(text)")
            }
            epoch = value
        }
        return try ScheduleQuery(
            hostId: TargetFilter.parse(try query(request, "hostId")),
            siteId: TargetFilter.parse(try query(request, "siteId")),
            regionId: TargetFilter.parse(try query(request, "regionId")),
            unixEpoch: epoch,
            pageSize: try intQuery(request, "pageSize"),
            offset: try intQuery(request, "offset") ?? 0
        )
    }
}
