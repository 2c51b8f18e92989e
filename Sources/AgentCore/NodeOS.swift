import Day2Model

/// The node's operating system, from `/etc/os-release`.
public enum NodeOS: String, Sendable, Hashable {
    /// Ubuntu: the mutable (apt) chain.
    case ubuntu
    /// Debian: treated exactly like Ubuntu.
    case debian
    /// Edge Microvisor Toolkit (or any A/B image OS): the immutable chain.
    case emt

    /// Mutable or immutable.
    public var osType: OSType { self == .emt ? .immutable : .mutable }

    /// Detects the OS from the text of `/etc/os-release`: `ID=ubuntu`, `ID=debian`, or `ID=emt` / a `NAME`
    /// containing "Edge Microvisor Toolkit". Throws naming the file and the values found otherwise.
    public static func detect(osRelease text: String) throws(AgentError) -> NodeOS {
        var values: [String: String] = [:]
        for line in text.split(whereSeparator: \.isNewline) {
            guard let equals = line.firstIndex(of: "="), !line.hasPrefix("#") else { continue }
            var value = line[line.index(after: equals)...]
            if value.count >= 2, let first = value.first, first == "\"" || first == "'", value.last == first {
                value = value.dropFirst().dropLast()
            }
            values[String(line[..<equals])] = String(value)
        }
        let id = values["ID"] ?? ""
        switch id.lowercased() {
        case "ubuntu": return .ubuntu
        case "debian": return .debian
        case "emt", "edge-microvisor-toolkit": return .emt
        default:
            if (values["NAME"] ?? "").contains("Edge Microvisor Toolkit") { return .emt }
            throw AgentError(
                .configuration,
                "/etc/os-release: ID=\(id) is not supported (ubuntu, debian or Edge Microvisor Toolkit)"
            )
        }
    }
}
