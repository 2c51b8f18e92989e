import AgentCore
import Foundation
import Yams

/// Reads the agent's YAML configuration file (symbolic links are refused, as upstream) and validates it.
public enum YAMLConfigurationLoader {
    /// The validated configuration in the file at `path`.
    public static func load(path: String) throws -> AgentConfiguration {
        try AgentConfiguration(raw: raw(path: path))
    }

    /// The file's keys, not yet validated.
    public static func raw(path: String) throws -> RawAgentConfiguration {
        var info = stat()
        if lstat(path, &info) == 0, (info.st_mode & S_IFMT) == S_IFLNK {
            throw AgentError(
                .configuration,
                "\(path): is a symbolic link; the configuration file must be a regular file"
            )
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw AgentError(.configuration, "\(path): cannot be read")
        }
        return try parse(String(decoding: data, as: UTF8.self), source: path)
    }

    /// Parses YAML text (`source` names it in errors).
    public static func parse(_ text: String, source: String = "configuration") throws -> RawAgentConfiguration {
        do {
            return try YAMLDecoder().decode(RawAgentConfiguration.self, from: text)
        } catch let error as DecodingError {
            throw AgentError(.configuration, "\(source): \(describe(error))")
        } catch {
            throw AgentError(.configuration, "\(source): not valid YAML: \(error)")
        }
    }

    private static func describe(_ error: DecodingError) -> String {
        func path(_ codingPath: [any CodingKey]) -> String {
            codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
        }
        switch error {
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            return "\(path(context.codingPath)): has the wrong type (\(context.debugDescription))"
        case .keyNotFound(let key, let context):
            return "\(path(context.codingPath + [key])): is missing"
        case .dataCorrupted(let context):
            return "\(path(context.codingPath)): \(context.debugDescription)"
        @unknown default:
            return "\(error)"
        }
    }
}
