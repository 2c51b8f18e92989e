import Testing

@testable import Southbound

@Suite("In-flight limit of the southbound service")
struct InFlightLimitTests {
    @Test("places up to the limit, refusals take nothing, places come back")
    func limit() {
        let limit = InFlightLimit(2)
        #expect(limit.enter())
        #expect(limit.enter())
        #expect(!limit.enter())
        #expect(!limit.enter())
        limit.leave()
        #expect(limit.enter())
        #expect(!limit.enter())
        limit.leave()
        limit.leave()
        #expect(limit.enter() && limit.enter() && !limit.enter())
    }
}
