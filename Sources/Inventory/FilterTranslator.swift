import Day2Model

/// How a filterable name of a table is stored: a typed column, or an edge to another table.
enum FilterField: Sendable {
    case text(String)
    case integer(String)
    case enumeration(String, Set<String>)
    /// `EXISTS (SELECT 1 FROM table WHERE table.remote = this.local …)`: forward edges and back edges alike.
    case edge(table: String, local: String, remote: String)
}

/// The filterable fields of every table, by inventory (snake_case) name.
enum FilterSchema {
    private static func names<E: RawRepresentable & CaseIterable>(_ type: E.Type) -> Set<String>
    where E.RawValue == String {
        Set(E.allCases.map(\.rawValue))
    }

    private static func texts(_ columns: String...) -> [String: FilterField] {
        Dictionary(uniqueKeysWithValues: columns.map { ($0, FilterField.text($0)) })
    }

    private static func integers(_ columns: String...) -> [String: FilterField] {
        Dictionary(uniqueKeysWithValues: columns.map { ($0, FilterField.integer($0)) })
    }

    private static func triplet(_ prefix: String) -> [String: FilterField] {
        [
            prefix: .text(prefix),
            prefix + "_indicator": .enumeration(prefix + "_indicator", names(StatusIndication.self)),
            prefix + "_timestamp": .integer(prefix + "_timestamp"),
        ]
    }

    private static let common = texts("resource_id").merging(integers("created_at", "updated_at")) { a, _ in a }

    static let fields: [String: [String: FilterField]] = [
        "rollouts": common.merging(texts("name", "state_reason")) { a, _ in a }
            .merging(integers("start_seconds")) { a, _ in a }
            .merging([
                "state": .enumeration("state", names(RolloutState.self)),
                "os_update_policy": .edge(table: "os_update_policies", local: "os_update_policy_id", remote: "resource_id"),
            ]) { a, _ in a },
        "regions": common.merging(texts("name", "metadata")) { a, _ in a }
            .merging(["parent_region": .edge(table: "regions", local: "parent_region_id", remote: "resource_id")]) {
                a,
                _ in a
            },
        "sites": common.merging(texts("name", "metadata")) { a, _ in a }
            .merging(integers("site_lat", "site_lng")) { a, _ in a }
            .merging(["region": .edge(table: "regions", local: "region_id", remote: "resource_id")]) { a, _ in a },
        "hosts": common.merging(texts("name", "uuid", "serial_number", "metadata")) { a, _ in a }
            .merging(triplet("host_status")) { a, _ in a }
            .merging(triplet("onboarding_status")) { a, _ in a }
            .merging(triplet("registration_status")) { a, _ in a }
            .merging([
                "desired_state": .enumeration("desired_state", names(HostState.self)),
                "current_state": .enumeration("current_state", names(HostState.self)),
                "site": .edge(table: "sites", local: "site_id", remote: "resource_id"),
                "instance": .edge(table: "instances", local: "resource_id", remote: "host_id"),
            ]) { a, _ in a },
        "instances": common.merging(
            texts("name", "instance_status_detail", "existing_cves", "runtime_packages", "os_update_available")
        ) { a, _ in a }
        .merging(triplet("instance_status")) { a, _ in a }
        .merging(triplet("provisioning_status")) { a, _ in a }
        .merging(triplet("update_status")) { a, _ in a }
        .merging(triplet("trusted_attestation_status")) { a, _ in a }
        .merging([
            "kind": .enumeration("kind", names(InstanceKind.self)),
            "desired_state": .enumeration("desired_state", names(InstanceState.self)),
            "current_state": .enumeration("current_state", names(InstanceState.self)),
            "security_feature": .enumeration("security_feature", names(SecurityFeature.self)),
            "host": .edge(table: "hosts", local: "host_id", remote: "resource_id"),
            "os": .edge(table: "os_resources", local: "os_id", remote: "resource_id"),
            "os_update_policy": .edge(table: "os_update_policies", local: "os_update_policy_id", remote: "resource_id"),
        ]) { a, _ in a },
        "os_resources": common.merging(
            texts(
                "name",
                "architecture",
                "image_url",
                "image_id",
                "sha256",
                "profile_name",
                "profile_version",
                "installed_packages",
                "installed_packages_url",
                "platform_bundle",
                "description",
                "metadata",
                "tls_ca_cert",
                "existing_cves_url",
                "existing_cves",
                "fixed_cves_url",
                "fixed_cves"
            )
        ) { a, _ in a }
        .merging([
            "security_feature": .enumeration("security_feature", names(SecurityFeature.self)),
            "os_type": .enumeration("os_type", names(OSType.self)),
            "os_provider": .enumeration("os_provider", names(OSProviderKind.self)),
        ]) { a, _ in a },
        "os_update_policies": common.merging(
            texts("name", "description", "update_sources", "update_packages", "update_kernel_command")
        ) { a, _ in a }
        .merging([
            "update_policy": .enumeration("update_policy", names(UpdatePolicyKind.self)),
            "target_os": .edge(table: "os_resources", local: "target_os_id", remote: "resource_id"),
        ]) { a, _ in a },
        "os_update_runs": common.merging(texts("name", "description", "status", "status_details")) { a, _ in a }
            .merging(integers("status_timestamp", "start_time", "end_time")) { a, _ in a }
            .merging([
                "status_indicator": .enumeration("status_indicator", names(StatusIndication.self)),
                "applied_policy": .edge(table: "os_update_policies", local: "applied_policy_id", remote: "resource_id"),
                "instance": .edge(table: "instances", local: "instance_id", remote: "resource_id"),
            ]) { a, _ in a },
    ]
}

/// Turns a parsed filter into a SQL condition with bound values, scoped to one tenant at every level.
struct FilterTranslator {
    let dialect: SQLDialect
    let tenant: String
    private(set) var binds: [SQLValue] = []
    private var aliasCount = 0
    /// Whether the part being translated sits under an odd number of NOTs.
    private var negated = false

    /// Whether the condition follows at least one edge (an `IN (SELECT …)` on another table).
    var followsEdges: Bool { aliasCount > 0 }

    init(dialect: SQLDialect, tenant: String) {
        self.dialect = dialect
        self.tenant = tenant
    }

    /// The SQL condition for `expression` on `table` (aliased `alias` in the enclosing query).
    mutating func condition(
        _ expression: FilterExpression,
        table: String,
        alias: String
    ) throws(ValidationError)
        -> String
    {
        switch expression {
        case .and(let left, let right):
            return
                "(\(try condition(left, table: table, alias: alias)) AND \(try condition(right, table: table, alias: alias)))"
        case .or(let left, let right):
            return
                "(\(try condition(left, table: table, alias: alias)) OR \(try condition(right, table: table, alias: alias)))"
        case .not(let inner):
            negated.toggle()
            defer { negated.toggle() }
            return "(NOT \(try condition(inner, table: table, alias: alias)))"
        case .has(let path):
            return try walk(path, table: table, alias: alias) { (translator, field, alias) throws(ValidationError) in
                switch field {
                case .edge(let target, let local, let remote):
                    try translator.exists(table: target, local: local, remote: remote, alias: alias) { _, _ in "1 = 1" }
                default:
                    "(\(alias).\(translator.columnName(field)) IS NOT NULL AND \(alias).\(translator.columnName(field)) <> '')"
                }
            }
        case .comparison(let path, let op, let value):
            return try walk(path, table: table, alias: alias) { (translator, field, alias) throws(ValidationError) in
                try translator.compare(field: field, alias: alias, op: op, value: value, path: path)
            }
        }
    }

    /// Follows the edges named by every segment but the last, then builds the leaf condition on the last one.
    private mutating func walk(
        _ path: FieldPath,
        from index: Int = 0,
        table: String,
        alias: String,
        leaf: (inout FilterTranslator, FilterField, String) throws(ValidationError) -> String
    ) throws(ValidationError) -> String {
        guard let fields = FilterSchema.fields[table] else {
            throw ValidationError(field: "filter", rule: "cannot filter this resource")
        }
        let segment = path.segments[index]
        guard let field = fields[FieldName.snakeCase(segment)] else {
            let known = fields.keys.sorted().joined(separator: ", ")
            throw ValidationError(field: "filter", rule: "unknown field \"\(path.dotted)\"; known fields: \(known)")
        }
        if index == path.segments.count - 1 {
            return try leaf(&self, field, alias)
        }
        guard case .edge(let target, let local, let remote) = field else {
            throw ValidationError(field: "filter", rule: "\"\(segment)\" in \"\(path.dotted)\" is not a relation")
        }
        return try exists(table: target, local: local, remote: remote, alias: alias) {
            (translator, innerAlias) throws(ValidationError) in
            try translator.walk(path, from: index + 1, table: target, alias: innerAlias, leaf: leaf)
        }
    }

    /// The condition that row `alias` has an edge to a row of `table` satisfying `inner`.
    ///
    /// Outside a NOT it is `alias.local IN (SELECT fN.remote …)`: the database can start from the small side (the
    /// sites a filter names, then their hosts through the `(tenant_id, site_id)` index) instead of testing every
    /// row; `local IS NOT NULL` keeps it two-valued. Under a NOT the matching side is usually the large one, so it
    /// is a correlated `EXISTS` probed once per candidate row instead of a list built from every match.
    private mutating func exists(
        table: String,
        local: String,
        remote: String,
        alias: String,
        inner: (inout FilterTranslator, String) throws(ValidationError) -> String
    ) throws(ValidationError) -> String {
        aliasCount += 1
        let innerAlias = "f\(aliasCount)"
        binds.append(.text(tenant))
        if negated {
            let prefix =
                "EXISTS (SELECT 1 FROM \(table) AS \(innerAlias) WHERE \(innerAlias).tenant_id = ?"
                + " AND \(innerAlias).\(remote) = \(alias).\(local)"
            let body = try inner(&self, innerAlias)
            return "\(prefix) AND \(body))"
        }
        let prefix =
            "(\(alias).\(local) IS NOT NULL AND \(alias).\(local) IN (SELECT \(innerAlias).\(remote) FROM \(table) AS \(innerAlias)"
            + " WHERE \(innerAlias).tenant_id = ?"
        let body = try inner(&self, innerAlias)
        return "\(prefix) AND \(body)))"
    }

    func columnName(_ field: FilterField) -> String {
        switch field {
        case .text(let column), .integer(let column), .enumeration(let column, _): column
        case .edge(_, let local, _): local
        }
    }

    private mutating func compare(
        field: FilterField,
        alias: String,
        op: FilterOperator,
        value: FilterValue,
        path: FieldPath
    ) throws(ValidationError) -> String {
        let column = "\(alias).\(columnName(field))"
        let text: String
        let isBare: Bool
        switch value {
        case .string(let string):
            text = string
            isBare = false
        case .bare(let bare):
            text = bare
            isBare = true
        }
        if isBare && text == "null" {
            switch op {
            case .equal: return "\(column) IS NULL"
            case .notEqual: return "\(column) IS NOT NULL"
            default: throw ValidationError(field: "filter", rule: "null can only be compared with = or !=")
            }
        }
        switch field {
        case .text:
            switch op {
            case .equal, .notEqual:
                let match: String
                if text.isEmpty {
                    match = "(\(column) IS NULL OR \(column) = '')"
                } else {
                    binds.append(.text("%" + Self.likePattern(text) + "%"))
                    match = "COALESCE(\(column), '') \(dialect.caseInsensitiveLike) ? ESCAPE '\\'"
                }
                return op == .equal ? match : "(NOT \(match))"
            default:
                binds.append(.text(text))
                return "COALESCE(\(column), '') \(op.rawValue) ?"
            }
        case .integer:
            guard let number = Int64(text) else {
                throw ValidationError(field: "filter", rule: "\"\(path.dotted)\" is a number, got \"\(text)\"")
            }
            binds.append(.integer(number))
            let sqlOp = op == .notEqual ? "<>" : op.rawValue
            return "COALESCE(\(column), 0) \(sqlOp) ?"
        case .enumeration(_, let allowed):
            guard allowed.contains(text) else {
                throw ValidationError(
                    field: "filter",
                    rule:
                        "\"\(path.dotted)\" must be one of \(allowed.sorted().joined(separator: ", ")), got \"\(text)\""
                )
            }
            guard op == .equal || op == .notEqual else {
                throw ValidationError(field: "filter", rule: "\"\(path.dotted)\" can only be compared with = or !=")
            }
            binds.append(.text(text))
            return "\(column) \(op == .equal ? "=" : "<>") ?"
        case .edge:
            throw ValidationError(field: "filter", rule: "\"\(path.dotted)\" is a relation")
        }
    }

    /// A LIKE pattern for the API's substring match: `%`, `_` and `\` are literal, `*` is a wildcard.
    static func likePattern(_ text: String) -> String {
        var pattern = ""
        for character in text {
            switch character {
            case "%", "_", "\\": pattern += "\\\(character)"
            case "*": pattern += "%"
            default: pattern.append(character)
            }
        }
        return pattern
    }

    /// `ORDER BY` terms for `table`: direct columns only, the resource ID breaking ties.
    ///
    /// With `sortExplicitly`, SQLite is told not to read rows in index order (`+column`), so that a selective
    /// edge condition can drive the query through its own index and the few matches are sorted afterwards.
    static func orderBy(
        _ terms: [OrderTerm],
        table: String,
        alias: String,
        sortExplicitly: Bool = false
    )
        throws(ValidationError) -> String
    {
        let plus = sortExplicitly ? "+" : ""
        let fields = FilterSchema.fields[table] ?? [:]
        var parts: [String] = []
        for term in terms {
            let name = FieldName.snakeCase(term.field)
            guard let field = fields[name] else {
                throw ValidationError(field: "orderBy", rule: "unknown field \"\(term.field)\"")
            }
            if case .edge = field {
                throw ValidationError(
                    field: "orderBy",
                    rule: "\"\(term.field)\" is a relation; only direct fields can be ordered"
                )
            }
            parts.append("\(plus)\(alias).\(name)\(term.descending ? " DESC" : " ASC")")
        }
        if !terms.contains(where: { FieldName.snakeCase($0.field) == "resource_id" }) {
            parts.append("\(plus)\(alias).resource_id ASC")
        }
        return parts.joined(separator: ", ")
    }
}
