import Day2Model
import Foundation
import Testing

/// Unix seconds of an ISO-8601 timestamp such as `2026-03-29T01:30:00Z`, computed independently of the code under test.
func unixSeconds(_ iso: String) throws -> Int64 {
    let date = try #require(ISO8601DateFormatter().date(from: iso), "bad ISO-8601 literal \(iso)")
    return Int64(date.timeIntervalSince1970)
}

/// The zone for `identifier`, failing the test when the system does not know it.
func zone(_ identifier: String) throws -> TimeZone {
    try #require(TimeZone(identifier: identifier), "unknown zone \(identifier)")
}

/// A cron from its five-field text, e.g. `0 2 * * 0,6`.
func cron(_ text: String) throws -> CronSpec {
    let parts = text.split(separator: " ").map(String.init)
    try #require(parts.count == 5, "cron needs five fields: \(text)")
    return try CronSpec(minutes: parts[0], hours: parts[1], dayOfMonth: parts[2], month: parts[3], dayOfWeek: parts[4])
}
