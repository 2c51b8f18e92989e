import ArgumentParser

/// `day2ctl list <resource>`.
struct ListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List resources (table, or -o json|yaml).",
        subcommands: [
            ProjectCommands.List.self, RegionCommands.List.self, SiteCommands.List.self, HostCommands.List.self,
            InstanceCommands.List.self, OSProfileCommands.List.self, PolicyCommands.List.self, RunCommands.List.self,
            ScheduleCommands.List.self,
        ]
    )
}

/// `day2ctl get <resource> <id|name>`.
struct GetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "get",
        abstract: "Show one resource.",
        subcommands: [
            RegionCommands.Get.self, SiteCommands.Get.self, HostCommands.Get.self, InstanceCommands.Get.self,
            OSProfileCommands.Get.self, PolicyCommands.Get.self, RunCommands.Get.self, ScheduleCommands.Get.self,
        ]
    )
}

/// `day2ctl create <resource> …`.
struct CreateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create",
        abstract: "Create a resource.",
        subcommands: [
            ProjectCommands.Create.self, RegionCommands.Create.self, SiteCommands.Create.self,
            HostCommands.Create.self, InstanceCommands.Create.self, OSProfileCommands.Create.self,
            PolicyCommands.Create.self, ScheduleCommands.Create.self,
        ]
    )
}

/// `day2ctl set <resource> <id> …`.
struct SetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "set",
        abstract: "Change a resource: link or unlink an OS update policy, set the desired OS.",
        subcommands: [InstanceCommands.Change.self, HostCommands.Change.self]
    )
}

/// `day2ctl delete <resource> <id|name>…`.
struct DeleteCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "delete",
        abstract: "Delete resources.",
        subcommands: [
            RegionCommands.Delete.self, SiteCommands.Delete.self, HostCommands.Delete.self,
            InstanceCommands.Delete.self, OSProfileCommands.Delete.self, PolicyCommands.Delete.self,
            RunCommands.Delete.self, ScheduleCommands.Delete.self,
        ]
    )
}

/// Deletes each of `targets` in turn, printing one line per deletion; stops at the first failure.
func deleteEach(
    _ targets: [String],
    noun: String,
    client: APIClient,
    context: CLIContext,
    resolve: (String) async throws(CLIError) -> String,
    path: (String) -> String
) async throws(CLIError) {
    guard !targets.isEmpty else { throw CLIError(.usage, "give at least one \(noun) ID or name to delete") }
    for target in targets {
        let id = try await resolve(target)
        _ = try await client.delete(path(id))
        context.output.line("deleted \(noun) \(id)")
    }
}
