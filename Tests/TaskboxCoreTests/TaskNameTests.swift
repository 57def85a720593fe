import Foundation
import Testing
@testable import TaskboxCore

/// A seeded generator, so the many-samples tests are repeatable.
private struct SplitMix64: RandomNumberGenerator {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

// tasks-api.md §3.1
@Test(arguments: [
    ("a-valid-task-name", nil),
    ("Task-1", nil),
    ("a", nil),
    (String(repeating: "a", count: 32), nil),
    ("this is not a valid task name", "must be alphanumeric with hyphens"),
    ("-x", "must be alphanumeric with hyphens"),
    ("x-", "must be alphanumeric with hyphens"),
    ("a--b", "must be alphanumeric with hyphens"),
    ("a_b", "must be alphanumeric with hyphens"),
    ("é", "must be alphanumeric with hyphens"),
    (String(repeating: "a", count: 33), "must be <= 32 characters"),
    (String(repeating: "é", count: 17), "must be <= 32 characters"), // 34 bytes, 17 characters
    ("", "must be >= 1 character"),
    ("new", "cannot use \"new\" as a name"),
    ("create", "cannot use \"create\" as a name"),
    ("New", nil),
] as [(String, String?)])
func nameValidGivesCodersFirstFailure(name: String, message: String?) {
    #expect(NameValidator.validate(name) == message)
}

@Test(arguments: [
    (String(repeating: "a", count: 36), nil),
    (String(repeating: "a", count: 37), "must be <= 36 characters"),
    ("", "must be alphanumeric with hyphens"),
    ("create", "cannot use \"create\" as a name"),
] as [(String, String?)])
func groupNameValidAllowsUUIDLength(name: String, message: String?) {
    #expect(NameValidator.validateGroupName(name) == message)
}

@Test func fallbackNamesAreValidAndWellFormed() throws {
    let shape = try Regex("^task-[a-z]+-[a-z]+-[0-9a-f]{4}$")
    var sawLeadingZeroSuffix = false
    for _ in 0..<5_000 {
        let name = TaskName.fallback()
        #expect(name.wholeMatch(of: shape) != nil, "\(name)")
        #expect(name.utf8.count <= 32, "\(name)")
        #expect(NameValidator.validate(name) == nil, "\(name)")
        if name.suffix(4).first == "0" { sawLeadingZeroSuffix = true }
    }
    #expect(sawLeadingZeroSuffix, "suffixes are zero-padded to 4 digits")
}

@Test func fallbackNeverProducesBoringWozniak() {
    var generator = SplitMix64(state: 42)
    var sawBoring = false
    var sawWozniak = false
    // About 4,700 pairs exist, so 50,000 draws would hit the forbidden one about ten times.
    for _ in 0..<50_000 {
        let name = TaskName.fallback(using: &generator)
        #expect(!name.hasPrefix("task-boring-wozniak"))
        sawBoring = sawBoring || name.hasPrefix("task-boring-")
        sawWozniak = sawWozniak || name.contains("-wozniak-")
    }
    #expect(sawBoring && sawWozniak)
}

@Test(arguments: [
    ("focused", "turing", "focused-turing"),
    ("stupefied", "chandrasekhar", "stupefied-chandrasekha"), // 23 bytes cut to 22
    (String(repeating: "a", count: 21), "bohr", String(repeating: "a", count: 21)), // dangling hyphen dropped
    (String(repeating: "a", count: 20), "bohr", String(repeating: "a", count: 20) + "-b"),
])
func fallbackMiddleIsCutTo22Bytes(adjective: String, surname: String, middle: String) {
    #expect(TaskName.middle(adjective: adjective, surname: surname) == middle)
}

@Test func wordListsAreOursAndUsable() {
    #expect(TaskNameWords.adjectives.count >= 60)
    #expect(TaskNameWords.surnames.count >= 60)
    #expect(TaskNameWords.surnames.contains("chandrasekhar"))
    for word in TaskNameWords.adjectives + TaskNameWords.surnames {
        #expect(word.allSatisfy { $0.isASCII && $0.isLowercase }, "\(word)")
    }
    #expect(Set(TaskNameWords.adjectives).count == TaskNameWords.adjectives.count)
    #expect(Set(TaskNameWords.surnames).count == TaskNameWords.surnames.count)
}

@Test func randomSuffixIsFourLowerCaseHexDigits() throws {
    let shape = try Regex("^[0-9a-f]{4}$")
    var generator = SplitMix64(state: 7)
    for _ in 0..<2_000 {
        #expect(TaskName.randomSuffix().wholeMatch(of: shape) != nil)
        #expect(TaskName.randomSuffix(using: &generator).wholeMatch(of: shape) != nil)
    }
}

// tasks-api.md §3.3, output handling steps 1–4.
@Test(arguments: [
    (nil, "0a3f", .failure(.noNameGenerated)),
    ("task-unnamed", "0a3f", .failure(.noNameGenerated)),
    ("task-python-debug", "0a3f", .success("task-python-debug-0a3f")),
    ("Task-Python", "1234", .success("Task-Python-1234")), // no lower-casing
    ("task-this-is-a-very-long-name-indeed", "beef", .success("task-this-is-a-very-long-na-beef")),
    ("task-abcdefghijklmnopqrstu-x", "0000", .failure(.invalidName( // the cut leaves a hyphen
        name: "task-abcdefghijklmnopqrstu--0000", reason: "must be alphanumeric with hyphens"))),
    (" task-x", "0001", .failure(.invalidName(name: " task-x-0001", reason: "must be alphanumeric with hyphens"))),
    ("task python", "0001", .failure(.invalidName(name: "task python-0001", reason: "must be alphanumeric with hyphens"))),
    ("", "ffff", .failure(.invalidName(name: "-ffff", reason: "must be alphanumeric with hyphens"))),
    ("task-new", "0002", .success("task-new-0002")),
] as [(String?, String, Result<String, TaskNameError>)])
func llmOutputIsCutSuffixedAndValidated(text: String?, suffix: String, expected: Result<String, TaskNameError>) {
    #expect(TaskName.fromLLMOutput(text, suffix: suffix) == expected)
}

@Test func taskNameErrorsUseCodersWording() {
    #expect(TaskNameError.noAPIKey.description == "no api key provided")
    #expect(TaskNameError.noNameGenerated.description == "no task name generated")
    #expect(TaskNameError.invalidName(name: "x y-0000", reason: "must be alphanumeric with hyphens").description
        == "generated name x y-0000 not valid: must be alphanumeric with hyphens")
}

// The prompt-derived names without regular expressions (printable ASCII, tabs and line
// breaks) are those of the regular expressions, including every edge of collapsing and trimming.
@Test(arguments: [
    "benchmark task", "Fix the login bug", "  leading and trailing  ", "a - b", "a! -b", "--a--b--", "x\t\ty\r\nz",
    "UPPER lower 123", "!!!", "   ", "", "-", "snake_case and dots.v2", "a\n\n\nb", "tabs\there", "ends with dash -",
    "Refactor: the store's (write) path; then [bench] it!", "0-1-2", "a  -  -  b", "trailing\n",
])
func plainPromptsNameLikeTheRegularExpressions(prompt: String) {
    #expect(TaskNaming.isPlainASCII(prompt))
    #expect(TaskNaming.joiningLines(prompt) == prompt.replacingOccurrences(of: "[\n\r\t]+", with: " ", options: .regularExpression))
    #expect(TaskNaming.namePart(prompt) == TaskNaming.namePartByRegex(prompt))
}

@Test(arguments: ["Grüße an alle", "emoji 🚀 launch", "vertical\u{0B}tab", "nbsp\u{A0}here"])
func otherPromptsTakeTheRegularExpressions(prompt: String) {
    #expect(!TaskNaming.isPlainASCII(prompt))
}
