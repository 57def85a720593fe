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
