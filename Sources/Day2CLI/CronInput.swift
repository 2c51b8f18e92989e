import Day2Model
import Foundation

/// Friendlier cron input than the API accepts: ranges (`1-5`), day and month names (`mon-fri`, `jan,jul`) and `7`
/// for Sunday are expanded to the plain comma lists the API's restricted grammar allows.
public enum CronInput {
    private static let weekdays = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"]
    private static let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]

    /// The API text of one field given as `text` for `option`, e.g. `mon-fri` → `1,2,3,4,5`.
    public static func expand(_ text: String, kind: CronFieldKind, option: String) throws(CLIError) -> String {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed == "*" { return "*" }
        var values: [Int] = []
        for item in trimmed.split(separator: ",", omittingEmptySubsequences: false) {
            let bounds = item.split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
            guard let low = value(bounds[0], kind: kind) else { throw failure(text, kind: kind, option: option) }
            var high = low
            if bounds.count == 2 {
                guard let end = value(bounds[1], kind: kind) else { throw failure(text, kind: kind, option: option) }
                // `fri-sun` and `5-7` mean Friday through Sunday: Sunday closes a range as 7.
                high = (kind == .dayOfWeek && end == 0 && low > 0) ? 7 : end
                guard low <= high else { throw failure(text, kind: kind, option: option) }
            }
            for number in low...high { values.append(kind == .dayOfWeek && number == 7 ? 0 : number) }
        }
        let unique = Array(Set(values)).sorted()
        let result = unique.map(String.init).joined(separator: ",")
        do {
            _ = try CronField(result, kind: kind)
        } catch {
            throw CLIError.option(option, error.rule)
        }
        return result
    }

    private static func value(_ text: Substring, kind: CronFieldKind) -> Int? {
        let lowered = text.trimmingCharacters(in: .whitespaces).lowercased()
        if let number = Int(lowered) {
            if kind == .dayOfWeek, number == 7 { return 7 }
            return kind.range.contains(number) ? number : nil
        }
        let names = kind == .dayOfWeek ? weekdays : kind == .month ? months : []
        guard lowered.count >= 3, let index = names.firstIndex(where: { lowered.hasPrefix($0) }) else { return nil }
        return kind == .month ? index + 1 : index
    }

    private static func failure(_ text: String, kind: CronFieldKind, option: String) -> CLIError {
        let names =
            switch kind {
            case .dayOfWeek: ", names sun..sat or 7 for Sunday"
            case .month: ", names jan..dec"
            default: ""
            }
        return CLIError.option(
            option,
            "\"\(text)\" must be * or a comma list of \(kind.range.lowerBound)-\(kind.range.upperBound)"
                + " (ranges such as 1-5 allowed\(names))"
        )
    }
}
