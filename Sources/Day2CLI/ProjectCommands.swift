import ArgumentParser

/// Projects (tenants): `GET /v1/projects` and `POST /v1/projects` (admin only).
enum ProjectCommands {
    /// `day2ctl list projects`.
    struct List: CLICommand {
        static let configuration = CommandConfiguration(
            commandName: "project",
            abstract: "List the projects the user may see.",
            aliases: ["projects"]
        )

        @OptionGroup var connection: ConnectionOptions
        @OptionGroup var output: OutputOptions

        func run(in context: CLIContext) async throws(CLIError) {
            let presenter = try Presenter(context, output)
            let response = try await connection.withClient(context) { client throws(CLIError) in
                try await client.send(.GET, "/v1/projects")
            }
            presenter.list(
                response,
                items: response["projects"].array,
                columns: [.field("NAME", "name"), .field("ID", "id")],
                id: "id"
            )
        }
    }

    /// `day2ctl create project <name>`.
    struct Create: CLICommand {
        static let configuration = CommandConfiguration(
            commandName: "project",
            abstract: "Create a project (needs the admin role).",
            aliases: ["projects"]
        )

        @Argument(help: "The new project's name.")
        var name: String

        @OptionGroup var connection: ConnectionOptions
        @OptionGroup var output: OutputOptions

        func run(in context: CLIContext) async throws(CLIError) {
            let presenter = try Presenter(context, output)
            let name = name
            let project = try await connection.withClient(context) { client throws(CLIError) in
                try await client.send(.POST, "/v1/projects", body: .object([("name", .string(name))]))
            }
            presenter.created(project, kind: "project", id: "id")
        }
    }
}
