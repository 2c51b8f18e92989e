import Day2Model
import Foundation

/// A request body checked against a resource's ``APISchema``: a JSON object whose every key is a known, writable
/// field of the right type. Anything else is refused with the field's name and the rule, before any change is made.
struct RequestBody: Sendable {
    let schema: APISchema
    private let members: [String: JSON]

    /// The keys the caller sent (a PATCH updates exactly these).
    var keys: Set<String> { Set(members.keys) }

    /// Checks `json` against `schema`; `requireAll` enforces required fields (create and PUT).
    init(_ json: JSON, schema: APISchema, requireAll: Bool) throws(ValidationError) {
        guard case .object(let pairs) = json else {
            throw ValidationError(field: "body", rule: "must be a JSON object")
        }
        var members: [String: JSON] = [:]
        for (key, value) in pairs {
            guard let field = schema.field(key) else {
                throw ValidationError(field: key, rule: "unknown field of \(schema.name)")
            }
            if field.access == .readOnly {
                throw ValidationError(field: key, rule: "is read-only and must not be sent")
            }
            try Self.check(value, kind: field.kind, field: key)
            members[key] = value
        }
        if requireAll {
            for field in schema.fields where field.required && field.access != .readOnly && members[field.name] == nil {
                throw ValidationError(field: field.name, rule: "is required")
            }
        }
        self.schema = schema
        self.members = members
    }

    /// Checks one value against a field type.
    private static func check(_ value: JSON, kind: APIField.Kind, field: String) throws(ValidationError) {
        switch (kind, value) {
        case (_, .null):
            return  // null means "not set", as protojson reads it
        case (.string(let rule), .string(let text)):
            guard let rule else { return }
            if rule.pattern.isEmpty {
                try TextRule.checkLength(text, maxBytes: rule.maxBytes, field: field)
            } else {
                try rule.check(text, field: field)
            }
        case (.integer(let min, let max), .int(let number)):
            guard number >= min && number <= max else {
                throw ValidationError(field: field, rule: "must be \(min)..\(max), got \(number)")
            }
        case (.integer, .double(let number)):
            throw ValidationError(field: field, rule: "must be an integer, got \(number)")
        case (.boolean, .bool):
            return
        case (.enumeration(let allowed), .string(let text)):
            guard allowed.contains(text) else {
                throw ValidationError(field: field, rule: "must be one of \(allowed.joined(separator: ", "))")
            }
        case (.array(let element, let maxItems), .array(let items)):
            if let maxItems, items.count > maxItems {
                throw ValidationError(field: field, rule: "must have at most \(maxItems) items, got \(items.count)")
            }
            for (index, item) in items.enumerated() {
                try check(item, kind: element, field: "\(field)[\(index)]")
            }
        case (.object(let name), .object):
            if let schema = APISchemas.all.first(where: { $0.name == name }) {
                do {
                    _ = try RequestBody(value, schema: schema, requireAll: true)
                } catch {
                    throw ValidationError(field: "\(field).\(error.field)", rule: error.rule)
                }
            }
        case (.reference(let kind, let clearable), .string(let text)):
            if text.isEmpty {
                guard clearable else {
                    throw ValidationError(field: field, rule: "must be the ID of a \(kind.prefix) resource, not empty")
                }
                return
            }
            try ResourceID.validate(text, kind: kind, field: field)
        default:
            throw ValidationError(field: field, rule: "must be \(kind.typeName)")
        }
    }

    /// Whether the caller sent `name` (with any value, null included).
    func has(_ name: String) -> Bool { members[name] != nil }

    /// The string `name`; nil when absent or null.
    func string(_ name: String) -> String? {
        if case .string(let text) = members[name] { return text }
        return nil
    }

    /// The integer `name`; nil when absent or null.
    func int(_ name: String) -> Int64? {
        if case .int(let number) = members[name] { return number }
        return nil
    }

    /// The boolean `name`; nil when absent or null.
    func bool(_ name: String) -> Bool? {
        if case .bool(let value) = members[name] { return value }
        return nil
    }

    /// The array of objects `name`, each read as a body of `schema` (already checked with the whole body, so this
    /// only re-reads them); nil when absent or null.
    func objects(_ name: String, schema: APISchema) throws(ValidationError) -> [RequestBody]? {
        guard case .array(let items) = members[name] else { return nil }
        var bodies: [RequestBody] = []
        bodies.reserveCapacity(items.count)
        for (index, item) in items.enumerated() {
            do {
                bodies.append(try RequestBody(item, schema: schema, requireAll: true))
            } catch {
                throw ValidationError(field: "\(name)[\(index)].\(error.field)", rule: error.rule)
            }
        }
        return bodies
    }

    /// The string array `name`; nil when absent or null.
    func strings(_ name: String) -> [String]? {
        guard case .array(let items) = members[name] else { return nil }
        return items.compactMap { if case .string(let text) = $0 { text } else { nil } }
    }

    /// The enum `name` (already checked against its values).
    func enumeration<E: RawRepresentable>(_ name: String, _ type: E.Type) -> E? where E.RawValue == String {
        string(name).flatMap(E.init(rawValue:))
    }

    /// The metadata array `name` as key/value items.
    func metadata(_ name: String = "metadata") -> [MetadataItem]? {
        guard case .array(let items) = members[name] else { return nil }
        return items.map { item in
            var key = ""
            var value = ""
            if case .string(let text) = item["key"] { key = text }
            if case .string(let text) = item["value"] { value = text }
            return MetadataItem(key: key, value: value)
        }
    }
}

extension APIField.Kind {
    /// How the type is named in error messages.
    var typeName: String {
        switch self {
        case .string: "a string"
        case .integer: "an integer"
        case .boolean: "true or false"
        case .enumeration: "one of the enum names (a string)"
        case .array: "an array"
        case .object(let name): "a \(name) object"
        case .reference(let kind, _): "the ID of a \(kind.prefix) resource (a string)"
        }
    }
}
