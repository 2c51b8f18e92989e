import Day2Model
import Foundation

extension SQLInventoryStore {
    public func createProject(name: String, id: String?) async throws -> Project {
        try validated { () throws(ValidationError) in try Project.validate(name: name) }
        var projectID = UUID().uuidString.lowercased()
        if let id {
            do throws(ValidationError) { projectID = try HostUUID.canonical(id, field: "id") } catch {
                throw InventoryError.invalid(error)
            }
        }
        let chosenID = projectID
        return try await atomically { store in
            let existing = try await store.query(
                "SELECT tenant_id FROM projects WHERE name = ? OR tenant_id = ?",
                [.text(name), .text(chosenID)]
            )
            guard existing.isEmpty else {
                throw InventoryError(.failedPrecondition, "project \(name) already exists", field: "name")
            }
            try await store.execute(
                "INSERT INTO projects (tenant_id, name, created_at) VALUES (?, ?, ?)",
                [.text(chosenID), .text(name), .integer(store.nowMilliseconds)]
            )
            return Project(id: chosenID, name: name)
        }
    }

    public func projects() async throws -> [Project] {
        try await query("SELECT tenant_id, name FROM projects ORDER BY name", []).map {
            Project(id: $0.string("tenant_id"), name: $0.string("name"))
        }
    }

    public func project(named name: String) async throws -> Project? {
        try await query("SELECT tenant_id, name FROM projects WHERE name = ?", [.text(name)]).first.map {
            Project(id: $0.string("tenant_id"), name: $0.string("name"))
        }
    }

    public func acquireLease(name: String, holder: String, seconds: Int64) async throws -> Bool {
        let now = nowMilliseconds
        let rows = try await query(
            """
            INSERT INTO leases (name, holder, expires_at) VALUES (?, ?, ?)
            ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
            WHERE leases.holder = excluded.holder OR leases.expires_at < ?
            RETURNING holder
            """,
            [.text(name), .text(holder), .integer(now + seconds * 1000), .integer(now)]
        )
        return !rows.isEmpty
    }

    public func releaseLease(name: String, holder: String) async throws {
        try await execute("DELETE FROM leases WHERE name = ? AND holder = ?", [.text(name), .text(holder)])
    }
}
