import Inventory
import Northbound

/// Documents the orchestrator publishes, for commands that print them.
public enum OrchestratorDocuments {
    /// The REST API's OpenAPI document as YAML.
    public static var openAPIYAML: String { NorthboundAPI<SQLInventoryStore<SQLiteDatabase>>.openAPIYAML }
}
