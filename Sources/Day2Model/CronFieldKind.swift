/// One of the five fields of a restricted cron expression, with its API field name, value range and rule text.
public enum CronFieldKind: String, Sendable, Hashable, CaseIterable {
    /// Minute of the hour, 0-59 (API field `cronMinutes`).
    case minutes
    /// Hour of the day, 0-23 (API field `cronHours`).
    case hours
    /// Day of the month, 1-31 (API field `cronDayMonth`).
    case dayOfMonth
    /// Month of the year, 1-12 (API field `cronMonth`).
    case month
    /// Day of the week, 0-6 with 0 = Sunday (API field `cronDayWeek`).
    case dayOfWeek

    /// The field's name in the API, used as `ValidationError.field`.
    public var apiFieldName: String {
        switch self {
        case .minutes: "cronMinutes"
        case .hours: "cronHours"
        case .dayOfMonth: "cronDayMonth"
        case .month: "cronMonth"
        case .dayOfWeek: "cronDayWeek"
        }
    }

    /// The values the field accepts.
    public var range: ClosedRange<Int> {
        switch self {
        case .minutes: 0...59
        case .hours: 0...23
        case .dayOfMonth: 1...31
        case .month: 1...12
        case .dayOfWeek: 0...6
        }
    }

    /// The rule a bad value breaks, written for a person; used as `ValidationError.rule`.
    public var rule: String {
        let values = self == .dayOfWeek ? "0-6 (0 = Sunday)" : "\(range.lowerBound)-\(range.upperBound)"
        return "must be \"*\" or a comma list of \(values) without leading zeros, ranges or steps"
    }
}
