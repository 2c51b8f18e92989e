/// When the image for the next window is downloaded: chosen once per (image, window), with jitter so a fleet does
/// not download at the same second, and persisted so a restart keeps the same moment.
public struct PreDownloadPlan: Sendable, Hashable, Codable {
    /// SHA-256 of the image the plan is for.
    public var sha256: String
    /// Start of the window the plan is for.
    public var windowStart: Int64
    /// When to start downloading (Unix seconds).
    public var startAt: Int64
    /// Transfers of this plan that broke off so far (each resumed a little later without a FAILED report).
    public var interruptions: Int

    /// Creates a plan.
    public init(sha256: String, windowStart: Int64, startAt: Int64, interruptions: Int = 0) {
        self.sha256 = sha256
        self.windowStart = windowStart
        self.startAt = startAt
        self.interruptions = interruptions
    }

    private enum CodingKeys: String, CodingKey { case sha256, windowStart, startAt, interruptions }

    /// Reads a plan; files written before `interruptions` existed read as none.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        sha256 = try c.decode(String.self, forKey: .sha256)
        windowStart = try c.decode(Int64.self, forKey: .windowStart)
        startAt = try c.decode(Int64.self, forKey: .startAt)
        interruptions = try c.decodeIfPresent(Int.self, forKey: .interruptions) ?? 0
    }

    /// The plan for downloading image `sha256` before the window starting at `windowStart`, keeping `existing`
    /// when it is for the same image and window. With `immediate` = seconds before the window that are "now"
    /// and `spread` = the length of the random window before that (upstream: 10 min and 6 h):
    /// before the spread → a uniform moment in the spread; inside it → a uniform moment in what is left;
    /// later → now. `random` returns a number in [0, 1).
    public static func plan(
        existing: PreDownloadPlan?,
        sha256: String,
        windowStart: Int64,
        now: Int64,
        immediate: Int64,
        spread: Int64,
        random: () -> Double
    ) -> PreDownloadPlan {
        if let existing, existing.sha256 == sha256, existing.windowStart == windowStart {
            return existing
        }
        let immediateStart = windowStart - immediate
        let spreadStart = immediateStart - spread
        let startAt: Int64
        if now <= spreadStart {
            startAt = spreadStart + Int64(Double(immediateStart - spreadStart) * min(max(random(), 0), 0.999_999))
        } else if now < immediateStart {
            startAt = now + Int64(Double(immediateStart - now) * min(max(random(), 0), 0.999_999))
        } else {
            startAt = now
        }
        return PreDownloadPlan(sha256: sha256, windowStart: windowStart, startAt: startAt)
    }
}
