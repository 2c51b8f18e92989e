import ArgumentParser
import Day2Model

/// OS resources, the "OS profiles" operators pick from: `/v1/projects/{project}/compute/os`.
enum OSProfileCommands {
    static let path = "compute/os"
    static let listKey = "OperatingSystemResources"

    static func resolve(_ text: String, _ client: APIClient) async throws(CLIError) -> String {
        try await Resolver.id(
            text,
            kind: .operatingSystem,
            noun: "osprofile",
            listPath: path,
            listKey: listKey,
            client: client
        )
    }

    /// `items` grouped by profile name (groups in name order), newest image first within each group, and the IDs
    /// of each profile's newest image.
    static func grouped(_ items: [JSONValue]) -> (items: [JSONValue], newest: Swift.Set<String>) {
        func version(_ item: JSONValue) -> ImageVersion? { ImageVersion(item["imageId"].text) }
        let sorted = items.sorted { a, b in
            let (profileA, profileB) = (a["profileName"].text, b["profileName"].text)
            if profileA != profileB { return profileA < profileB }
            switch (version(a), version(b)) {
            case (let x?, let y?) where x != y: return x > y
            case (_?, nil): return true
            case (nil, _?): return false
            default: return a["name"].text < b["name"].text
            }
        }
        var newest = Swift.Set<String>()
        var seen = Swift.Set<String>()
        for item in sorted where !seen.contains(item["profileName"].text) {
            seen.insert(item["profileName"].text)
            if version(item) != nil { newest.insert(item["resourceId"].text) }
        }
        return (sorted, newest)
    }

    /// `day2ctl list osprofiles`.
    struct List: CLICommand {
        static let configuration = CommandConfiguration(
            commandName: "osprofile",
            abstract: "List OS resources grouped by profile, newest image first, the newest marked with *.",
            aliases: ["osprofiles", "osp", "osps", "os"]
        )

        @OptionGroup var connection: ConnectionOptions
        @OptionGroup var list: ListOptions
        @OptionGroup var output: OutputOptions

        func run(in context: CLIContext) async throws(CLIError) {
            let presenter = try Presenter(context, output)
            let list = list
            let (response, items) = try await connection.withClient(context) { client throws(CLIError) in
                try await Listing.fetch(client, path: path, key: listKey, options: list, context: context)
            }
            // Table output is grouped; JSON and YAML keep the API's order (and --order-by).
            let (ordered, newest) = list.orderBy == nil ? grouped(items) : (items, grouped(items).newest)
            presenter.list(
                response,
                items: ordered,
                columns: [
                    .field("PROFILE", "profileName"), .field("NAME", "name"), .field("RESOURCE ID", "resourceId"),
                    .field("VERSION", "imageId"),
                    Column("NEWEST") { newest.contains($0["resourceId"].text) ? "*" : "" },
                    Column("TYPE") { Views.enumWord($0["osType"], prefix: "OS_TYPE_") },
                    .field("ARCH", "architecture"),
                    Column("SECURITY") { Views.enumWord($0["securityFeature"], prefix: "SECURITY_FEATURE_") },
                ]
            )
        }
    }

    /// `day2ctl get osprofile <id|name>`.
    struct Get: CLICommand {
        static let configuration = CommandConfiguration(
            commandName: "osprofile",
            abstract: "Show an OS resource.",
            aliases: ["osprofiles", "osp", "osps", "os"]
        )

        @Argument(help: "OS resource ID (os-…) or name.")
        var os: String

        @OptionGroup var connection: ConnectionOptions
        @OptionGroup var output: OutputOptions

        func run(in context: CLIContext) async throws(CLIError) {
            let presenter = try Presenter(context, output)
            let os = os
            let item = try await connection.withClient(context) { client throws(CLIError) in
                try await client.get(path + "/" + APIClient.escape(try await resolve(os, client)))
            }
            presenter.detail(
                item,
                [
                    ("Resource ID", item["resourceId"].text), ("Name", item["name"].text),
                    ("Profile", item["profileName"].text), ("Version", item["imageId"].text),
                    ("OS type", Views.enumWord(item["osType"], prefix: "OS_TYPE_")),
                    ("Provider", Views.enumWord(item["osProvider"], prefix: "OS_PROVIDER_KIND_")),
                    ("Architecture", item["architecture"].text),
                    ("Security feature", Views.enumWord(item["securityFeature"], prefix: "SECURITY_FEATURE_")),
                    ("Image URL", item["imageUrl"].text), ("SHA-256", item["sha256"].text),
                    ("Description", item["description"].text), ("Metadata", item["metadata"].text),
                    ("Existing CVEs URL", item["existingCvesUrl"].text), ("Fixed CVEs URL", item["fixedCvesUrl"].text),
                    ("Created", presenter.timestamp(item["timestamps"]["createdAt"])),
                    ("Updated", presenter.timestamp(item["timestamps"]["updatedAt"])),
                ]
            )
        }
    }

    /// `mutable` / `immutable`.
    enum Kind: String, CaseIterable, ExpressibleByArgument {
        case mutable, immutable

        var apiName: String { self == .mutable ? OSType.mutable.rawValue : OSType.immutable.rawValue }
    }

    /// `infra` / `lenovo`.
    enum Provider: String, CaseIterable, ExpressibleByArgument {
        case infra, lenovo

        var apiName: String { self == .infra ? OSProviderKind.infra.rawValue : OSProviderKind.lenovo.rawValue }
    }

    /// `none` / `secure-boot-fde`.
    enum Security: String, CaseIterable, ExpressibleByArgument {
        case none
        case secureBootFDE = "secure-boot-fde"

        var apiName: String {
            self == .none ? SecurityFeature.none.rawValue : SecurityFeature.secureBootAndFullDiskEncryption.rawValue
        }
    }

    /// `day2ctl create osprofile --name … --profile … --version … --sha256 … --type …`.
    struct Create: CLICommand {
        static let configuration = CommandConfiguration(
            commandName: "osprofile",
            abstract: "Create an OS resource (a custom OS profile image).",
            aliases: ["osprofiles", "osp", "osps", "os"]
        )

        @Option(help: "Unique name, e.g. \"Edge Microvisor Toolkit 3.0.20260602\".")
        var name: String

        @Option(help: "Profile (family) name, e.g. microvisor-nonrt; images of one profile replace each other.")
        var profile: String

        @Option(help: "Image version, e.g. 3.0.20260602.2200: the newest version of a profile is its latest.")
        var version: String

        @Option(help: "SHA-256 of the image, 64 lowercase hex digits.")
        var sha256: String

        @Option(help: "mutable (updated in place with apt) or immutable (A/B image).")
        var type: Kind

        @Option(name: .customLong("image-url"), help: "Where the image is downloaded from.")
        var imageURL: String?

        @Option(help: "Who provides the OS: infra or lenovo.")
        var provider: Provider = .infra

        @Option(help: "CPU architecture.")
        var architecture = "x86_64"

        @Option(name: .customLong("security-feature"), help: "none or secure-boot-fde.")
        var securityFeature: Security = .none

        @Option(help: "Free text.")
        var description: String?

        @Option(help: ArgumentHelp("Metadata key=value (repeatable), sent as a JSON object.", valueName: "key=value"))
        var metadata: [String] = []

        @OptionGroup var connection: ConnectionOptions
        @OptionGroup var output: OutputOptions

        func run(in context: CLIContext) async throws(CLIError) {
            let presenter = try Presenter(context, output)
            var body: [(String, JSONValue)] = [
                ("name", .string(name)), ("profileName", .string(profile)), ("imageId", .string(version)),
                ("sha256", .string(sha256)), ("osType", .string(type.apiName)),
                ("osProvider", .string(provider.apiName)),
                ("architecture", .string(architecture)), ("securityFeature", .string(securityFeature.apiName)),
            ]
            if let imageURL { body.append(("imageUrl", .string(imageURL))) }
            if let description { body.append(("description", .string(description))) }
            let items = try Views.metadataBody(metadata)
            if !items.isEmpty {
                let object = JSONValue.object(items.map { ($0["key"].text, $0["value"]) })
                body.append(("metadata", .string(object.compact)))
            }
            let request = JSONValue.object(body)
            let os = try await connection.withClient(context) { client throws(CLIError) in
                try await client.post(path, request)
            }
            presenter.created(os, kind: "osprofile")
        }
    }

    /// `day2ctl delete osprofile <id|name>…`.
    struct Delete: CLICommand {
        static let configuration = CommandConfiguration(
            commandName: "osprofile",
            abstract: "Delete OS resources (refused while an instance runs them).",
            aliases: ["osprofiles", "osp", "osps", "os"]
        )

        @Argument(help: "OS resource IDs or names.")
        var osProfiles: [String]

        @OptionGroup var connection: ConnectionOptions

        func run(in context: CLIContext) async throws(CLIError) {
            let targets = osProfiles
            try await connection.withClient(context) { client throws(CLIError) in
                try await deleteEach(
                    targets,
                    noun: "osprofile",
                    client: client,
                    context: context,
                    resolve: { text throws(CLIError) in try await resolve(text, client) },
                    path: { path + "/" + APIClient.escape($0) }
                )
            }
        }
    }
}
