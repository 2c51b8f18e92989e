import Day2Model
import Inventory
import Synchronization

/// What polls of one project share: OS resources with their profiles, policies and schedules, kept while the
/// project's configuration generation stays the same.
///
/// Correctness: every poll reads the generation in the same statement as its host and instance, and anything
/// cached was read after the generation it is filed under. A write to any configuration table bumps the generation
/// (database triggers, so writes from other processes and replicas count too), and the next poll that reads the
/// new number drops the project's entries before using any. A poll that reads an older number than the cache holds
/// (it raced a newer one) neither reads nor fills the cache. Instances and runs, which polls write, are never
/// cached.
///
/// Memory stays bounded: OS resources, policies and site schedules are shared by every host that uses them; the
/// only per-host entries are a host's own schedules (usually none), capped at ``maximumHostEntries`` per project.
final class PollContextCache: Sendable {
    /// The most per-host entries kept for one project; past it, the per-host map starts over.
    let maximumHostEntries: Int

    private struct Project {
        var generation: Int64
        var osAndProfile: [String: (os: OSResource, profile: [OSResource])] = [:]
        var osResources: [String: OSResource] = [:]
        var policies: [String: OSUpdatePolicy] = [:]
        var siteSchedules: [String: HostSchedules] = [:]
        var ownSchedules: [String: HostSchedules] = [:]
    }

    private let projects = Mutex<[String: Project]>([:])

    /// Creates an empty cache.
    init(maximumHostEntries: Int = 250_000) {
        self.maximumHostEntries = maximumHostEntries
    }

    /// A view of the cache for one poll of project `tenant` that read `generation`.
    func view(tenant: String, generation: Int64) -> View {
        let usable = projects.withLock { projects -> Bool in
            guard let current = projects[tenant]?.generation else {
                projects[tenant] = Project(generation: generation)
                return true
            }
            if generation > current { projects[tenant] = Project(generation: generation) }
            return generation >= current
        }
        return View(cache: self, tenant: tenant, generation: generation, usable: usable)
    }

    /// One poll's access to the cache: lookups and fills are filed under the poll's generation.
    struct View: Sendable {
        let cache: PollContextCache
        let tenant: String
        let generation: Int64
        /// False when the poll read an older generation than the cache holds: it then goes to the store.
        let usable: Bool

        func osAndProfile(
            _ id: String,
            load: () async throws -> (os: OSResource, profile: [OSResource])
        ) async throws -> (os: OSResource, profile: [OSResource]) {
            try await cached(\.osAndProfile, id, load: load)
        }

        func osResource(_ id: String, load: () async throws -> OSResource) async throws -> OSResource {
            try await cached(\.osResources, id, load: load)
        }

        func policy(_ id: String, load: () async throws -> OSUpdatePolicy) async throws -> OSUpdatePolicy {
            try await cached(\.policies, id, load: load)
        }

        func siteSchedules(_ id: String, load: () async throws -> HostSchedules) async throws -> HostSchedules {
            try await cached(\.siteSchedules, id, load: load)
        }

        func ownSchedules(_ id: String, load: () async throws -> HostSchedules) async throws -> HostSchedules {
            try await cached(\.ownSchedules, id, capped: true, load: load)
        }

        /// The entry `key` of one map, loaded from the store and filed when missing.
        private func cached<Value: Sendable>(
            _ map: any WritableKeyPath<Project, [String: Value]> & Sendable,
            _ key: String,
            capped: Bool = false,
            load: () async throws -> Value
        ) async throws -> Value {
            guard usable else { return try await load() }
            let hit = cache.projects.withLock { projects -> Value? in
                guard let project = projects[tenant], project.generation == generation else { return nil }
                return project[keyPath: map][key]
            }
            if let hit { return hit }
            let value = try await load()
            let limit = cache.maximumHostEntries
            cache.projects.withLock { projects in
                guard var project = projects[tenant], project.generation == generation else { return }
                projects[tenant] = nil  // keeps the maps uniquely referenced while they change
                if capped && project[keyPath: map].count >= limit { project[keyPath: map].removeAll() }
                project[keyPath: map][key] = value
                projects[tenant] = project
            }
            return value
        }
    }
}
