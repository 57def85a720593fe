import Testing
@testable import TaskboxCore

@Suite struct GoDurationTests {
    @Test(arguments: [
        ("1s", 1.0), ("30m", 1800), ("24h", 86400), ("720h", 2_592_000), ("1h30m", 5400), ("1.5s", 1.5), ("500ms", 0.5), ("0", 0),
    ])
    func parsesGoDurations(text: String, seconds: Double) {
        #expect(GoDuration.seconds(text) == seconds)
    }

    @Test(arguments: ["", "10", "h", "1d", "-1h", "1h 2m", "abc"])
    func rejectsOthers(text: String) {
        #expect(GoDuration.seconds(text) == nil)
    }
}

@Suite struct TimestampTests {
    @Test(arguments: ["2025-10-15T10:00:00.123456Z", "1970-01-01T00:00:00.000000Z", "2000-02-29T23:59:59.999999Z", "2026-11-25T04:15:52.065648Z"])
    func storedTimesReadDigitByDigitMatchTheDateParser(text: String) throws {
        let fast = try #require(Timestamp.epochSeconds(text))
        let slow = try #require(Timestamp.parse(text)).timeIntervalSince1970
        #expect(abs(fast - slow) < 0.000_002)
        #expect(Timestamp.format(microseconds: Int64((fast * 1_000_000).rounded())) == text)
    }
}

extension TimestampTests {
    @Test(arguments: [
        (Int64(0), "1970-01-01T00:00:00.000000Z"), (1_764_547_200_123_456, "2025-12-01T00:00:00.123456Z"),
        (-1, "1969-12-31T23:59:59.999999Z"), (951_782_400_000_007, "2000-02-29T00:00:00.000007Z"),
        (253_402_300_799_999_999, "9999-12-31T23:59:59.999999Z"),
    ])
    func formatsMicrosecondsAsStored(micros: Int64, text: String) {
        #expect(Timestamp.format(microseconds: micros) == text)
    }
}
