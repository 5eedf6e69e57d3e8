import Testing
@testable import Scaling

@Suite struct TimestampTests {
    @Test func unixSecondsRoundsDown() {
        #expect(Timestamp(nanoseconds: 1_999_999_999).unixSeconds == 1)
        #expect(Timestamp(nanoseconds: -1).unixSeconds == -1)
        #expect(Timestamp(seconds: 42).unixSeconds == 42)
    }
}
