import Foundation

/// A `WWW-Authenticate` challenge of a registry: the scheme and its parameters (`realm`, `service`, `scope`).
public struct AuthenticationChallenge: Sendable, Hashable {
    /// `bearer` or `basic` (lower-cased).
    public var scheme: String
    /// Parameter names (lower-cased) and values (unquoted).
    public var parameters: [String: String]

    /// Parses a header such as `Bearer realm="https://auth/token",service="registry",scope="repository:a:pull"`;
    /// nil when it is not a challenge.
    public init?(header: String) {
        let text = header.trimmingCharacters(in: .whitespaces)
        guard let space = text.firstIndex(of: " ") else {
            guard !text.isEmpty, text.allSatisfy({ $0.isLetter }) else { return nil }
            scheme = text.lowercased()
            parameters = [:]
            return
        }
        scheme = text[..<space].lowercased()
        guard !scheme.isEmpty, scheme.allSatisfy({ $0.isLetter }) else { return nil }
        var result: [String: String] = [:]
        var rest = Substring(text[text.index(after: space)...])
        while true {
            rest = rest.drop { $0 == " " || $0 == "," }
            guard let equals = rest.firstIndex(of: "=") else { break }
            let name = rest[..<equals].trimmingCharacters(in: .whitespaces).lowercased()
            rest = rest[rest.index(after: equals)...]
            var value = ""
            if rest.first == "\"" {
                rest = rest.dropFirst()
                var escaped = false
                var closed = false
                while let character = rest.first {
                    rest = rest.dropFirst()
                    if escaped {
                        value.append(character)
                        escaped = false
                    } else if character == "\\" {
                        escaped = true
                    } else if character == "\"" {
                        closed = true
                        break
                    } else {
                        value.append(character)
                    }
                }
                guard closed else { return nil }
            } else {
                let end = rest.firstIndex(of: ",") ?? rest.endIndex
                value = rest[..<end].trimmingCharacters(in: .whitespaces)
                rest = rest[end...]
            }
            guard !name.isEmpty else { return nil }
            result[name] = value
        }
        parameters = result
    }

    /// The token endpoint, for a bearer challenge.
    public var realm: String? { parameters["realm"] }
    /// The service the token is for.
    public var service: String? { parameters["service"] }
    /// The scope the registry asks for, e.g. `repository:edge-orch/en/files/os-profile/x:pull`.
    public var scope: String? { parameters["scope"] }
}
