/// A parsed `filter` query parameter: the AST of the AIP-160 subset the API accepts.
public indirect enum FilterExpression: Sendable, Hashable {
    /// `path OP value`, for example `state = RUNNING`.
    case comparison(FieldPath, FilterOperator, FilterValue)
    /// `has(path)`: the field or message at `path` is set.
    case has(FieldPath)
    /// Both sides must hold (`AND` or juxtaposition).
    case and(FilterExpression, FilterExpression)
    /// Either side must hold (`OR`, which binds tighter than `AND`).
    case or(FilterExpression, FilterExpression)
    /// The operand must not hold (`NOT`, which binds tightest).
    case not(FilterExpression)
}

/// A dotted field reference such as `site.region.resourceId`, split into its segments as written.
public struct FieldPath: Sendable, Hashable, CustomStringConvertible {
    /// The identifiers of the path, outermost first (`["site", "region", "resourceId"]`).
    public var segments: [String]

    /// Creates a path from its segments, outermost first.
    public init(segments: [String]) {
        self.segments = segments
    }

    /// Creates a path from its segments, outermost first.
    public init(_ segments: String...) {
        self.segments = segments
    }

    /// The segments joined with `.`, as they appear in a filter.
    public var dotted: String { segments.joined(separator: ".") }

    /// The dotted spelling of the path.
    public var description: String { dotted }
}

/// A comparison operator of the filter language.
public enum FilterOperator: String, Sendable, Hashable, CaseIterable {
    /// `=`
    case equal = "="
    /// `!=`
    case notEqual = "!="
    /// `<`
    case less = "<"
    /// `<=`
    case lessOrEqual = "<="
    /// `>`
    case greater = ">"
    /// `>=`
    case greaterOrEqual = ">="
}

/// The right-hand side of a comparison.
public enum FilterValue: Sendable, Hashable {
    /// A quoted literal, with the quotes removed and the escapes `\"`, `\'` and `\\` resolved.
    case string(String)
    /// An unquoted token: a number, an enum identifier, `true`/`false`, `null`, or a plain word.
    case bare(String)
}
