import ArgumentParser
import Day2Model
import Foundation

/// OS update policies: `/v1/projects/{project}/os-update-policies` (create, list, get, delete; no update).
enum PolicyCommands {
    static let path = "os-update-policies"

    static func resolve(_ text: String, _ client: APIClient) async throws(CLIError) -> String {
        try await Resolver.id(
            text,
            kind: .osUpdatePolicy,
            noun: "osupdatepolicy",
            listPath: path,
            listKey: "osUpdatePolicies",
            client: client
        )
    }

    static let aliases = ["osupdatepolicies", "oup", "oups", "policy", "policies"]

    /// `day2ctl list osupdatepolicies`.
    struct List: CLICommand {
        static let configuration = CommandConfiguration(
            commandName: "osupdatepolicy",
            abstract: "List OS update policies.",
            aliases: aliases
        )

        @OptionGroup var connection: ConnectionOptions
        @OptionGroup var list: ListOptions
        @OptionGroup var output: OutputOptions

        func run(in context: CLIContext) async throws(CLIError) {
            let presenter = try Presenter(context, output)
            let list = list
            let (response, items) = try await connection.withClient(context) { client throws(CLIError) in
                try await Listing.fetch(client, path: path, key: "osUpdatePolicies", options: list, context: context)
            }
            presenter.list(
                response,
                items: items,
                columns: [
                    .field("NAME", "name"), .field("RESOURCE ID", "resourceId"),
                    Column("POLICY") { Views.policyKind($0) }, Column("TARGET OS") { Views.named($0["targetOs"]) },
                    .field("DESCRIPTION", "description"),
                ]
            )
        }
    }

    /// `day2ctl get osupdatepolicy <id|name>`.
    struct Get: CLICommand {
        static let configuration = CommandConfiguration(
            commandName: "osupdatepolicy",
            abstract: "Show an OS update policy.",
            aliases: aliases
        )

        @Argument(help: "Policy ID (osupdatepolicy-…) or name.")
        var policy: String

        @OptionGroup var connection: ConnectionOptions
        @OptionGroup var output: OutputOptions

        func run(in context: CLIContext) async throws(CLIError) {
            let presenter = try Presenter(context, output)
            let policy = policy
            let item = try await connection.withClient(context) { client throws(CLIError) in
                try await client.get(path + "/" + APIClient.escape(try await resolve(policy, client)))
            }
            presenter.detail(
                item,
                [
                    ("Resource ID", item["resourceId"].text), ("Name", item["name"].text),
                    ("Description", item["description"].text), ("Update policy", Views.policyKind(item)),
                    ("Target OS", Views.named(item["targetOs"])),
                    ("Kernel command", item["updateKernelCommand"].text),
                    ("Update sources", item["updateSources"].array.map(\.text).joined(separator: "\n\n")),
                    ("Update packages", item["updatePackages"].text),
                    ("Created", presenter.timestamp(item["timestamps"]["createdAt"])),
                    ("Updated", presenter.timestamp(item["timestamps"]["updatedAt"])),
                ]
            )
        }
    }

    /// `latest` / `target`.
    enum Kind: String, CaseIterable, ExpressibleByArgument {
        case latest, target

        var apiName: String { self == .latest ? UpdatePolicyKind.latest.rawValue : UpdatePolicyKind.target.rawValue }
    }

    /// `day2ctl create osupdatepolicy <name> --type latest|target …`.
    struct Create: CLICommand {
        static let configuration = CommandConfiguration(
            commandName: "osupdatepolicy",
            abstract: "Create an OS update policy.",
            discussion: """
                latest: immutable OS only; the newest image of the instance's profile is installed. No other option.
                target: an immutable OS gets --target-os (an A/B image) or --kernel-command; a mutable OS gets any of \
                --kernel-command, --source-file (DEB822 apt sources; stanzas separated by blank lines) and \
                --packages. --target-os cannot be combined with --source-file or --packages.
                """,
            aliases: aliases
        )

        @Argument(help: "The policy's name (letters, digits, space and -_./:, at most 50 bytes).")
        var name: String

        @Option(help: "latest or target.")
        var type: Kind

        @Option(help: "Free text (at most 200 bytes).")
        var description: String?

        @Option(
            name: .customLong("target-os"),
            help: ArgumentHelp("OS resource to install (ID or name).", valueName: "os")
        )
        var targetOS: String?

        @Option(name: .customLong("kernel-command"), help: "Kernel command-line parameters to set.")
        var kernelCommand: String?

        @Option(
            name: .customLong("source-file"),
            help: ArgumentHelp("File of DEB822 apt source stanzas (repeatable).", valueName: "file")
        )
        var sourceFiles: [String] = []

        @Option(
            name: .customLong("packages"),
            help: ArgumentHelp("Packages to install, separated by commas or spaces (repeatable).", valueName: "list")
        )
        var packages: [String] = []

        @OptionGroup var connection: ConnectionOptions
        @OptionGroup var output: OutputOptions

        func validate() throws {
            if type == .latest {
                for (option, given) in [
                    ("--target-os", targetOS != nil), ("--kernel-command", kernelCommand != nil),
                    ("--source-file", !sourceFiles.isEmpty), ("--packages", !packages.isEmpty),
                ] where given {
                    throw ArgumentParser.ValidationError("\(option): a latest policy takes no other option")
                }
            } else {
                if targetOS == nil && kernelCommand == nil && sourceFiles.isEmpty && packages.isEmpty {
                    throw ArgumentParser.ValidationError(
                        "a target policy needs --target-os, --kernel-command, --source-file or --packages"
                    )
                }
                if targetOS != nil && (!sourceFiles.isEmpty || !packages.isEmpty) {
                    throw ArgumentParser.ValidationError(
                        "--target-os (immutable OS) cannot be combined with --source-file or --packages (mutable OS)"
                    )
                }
            }
        }

        func run(in context: CLIContext) async throws(CLIError) {
            let presenter = try Presenter(context, output)
            var body: [(String, JSONValue)] = [("name", .string(name)), ("updatePolicy", .string(type.apiName))]
            if let description { body.append(("description", .string(description))) }
            if let kernelCommand { body.append(("updateKernelCommand", .string(kernelCommand))) }
            var sources: [String] = []
            for file in sourceFiles { sources += try Self.stanzas(file) }
            if !sources.isEmpty { body.append(("updateSources", .array(sources.map(JSONValue.string)))) }
            let names = packages.flatMap { $0.split(whereSeparator: { ", \n\t".contains($0) }).map(String.init) }
            if !names.isEmpty { body.append(("updatePackages", .string(names.joined(separator: "\n")))) }
            let (fields, targetOS) = (body, targetOS)
            let policy = try await connection.withClient(context) { client throws(CLIError) in
                var body = fields
                if let targetOS {
                    body.append(("targetOsId", .string(try await OSProfileCommands.resolve(targetOS, client))))
                }
                return try await client.post(path, .object(body))
            }
            presenter.created(policy, kind: "osupdatepolicy")
        }

        /// The source stanzas of `file`: blocks of lines separated by blank lines, comment lines dropped.
        static func stanzas(_ file: String) throws(CLIError) -> [String] {
            guard let data = FileManager.default.contents(atPath: file) else {
                throw CLIError.option("--source-file", "cannot read \(file)")
            }
            guard let text = String(data: data, encoding: .utf8) else {
                throw CLIError.option("--source-file", "\(file) is not UTF-8 text")
            }
            var stanzas: [String] = []
            var current: [String] = []
            for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
                let trimmed = line.trimmingCharacters(in: .whitespaces)
                if trimmed.hasPrefix("#") { continue }
                if trimmed.isEmpty {
                    if !current.isEmpty { stanzas.append(current.joined(separator: "\n")) }
                    current = []
                } else {
                    current.append(String(line.trimmingCharacters(in: CharacterSet(charactersIn: "\r"))))
                }
            }
            if !current.isEmpty { stanzas.append(current.joined(separator: "\n")) }
            guard !stanzas.isEmpty else { throw CLIError.option("--source-file", "\(file) holds no source stanza") }
            return stanzas
        }
    }

    /// `day2ctl delete osupdatepolicy <id|name>…`.
    struct Delete: CLICommand {
        static let configuration = CommandConfiguration(
            commandName: "osupdatepolicy",
            abstract: "Delete OS update policies (refused while an instance links them).",
            aliases: aliases
        )

        @Argument(help: "Policy IDs or names.")
        var policies: [String]

        @OptionGroup var connection: ConnectionOptions

        func run(in context: CLIContext) async throws(CLIError) {
            let policies = policies
            try await connection.withClient(context) { client throws(CLIError) in
                try await deleteEach(
                    policies,
                    noun: "osupdatepolicy",
                    client: client,
                    context: context,
                    resolve: { text throws(CLIError) in try await resolve(text, client) },
                    path: { path + "/" + APIClient.escape($0) }
                )
            }
        }
    }
}
