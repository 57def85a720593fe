import Foundation
import Testing
@testable import TaskboxCore

struct PaginationCase: Sendable, CustomTestStringConvertible {
    let name: String
    let query: [Pair]
    let expected: Result<Pagination, QueryValidationError>

    struct Pair: Sendable {
        let name: String
        let value: String
    }

    init(_ name: String, _ query: [(String, String)], _ expected: Result<Pagination, QueryValidationError>) {
        self.name = name
        self.query = query.map { Pair(name: $0.0, value: $0.1) }
        self.expected = expected
    }

    var testDescription: String { name }
}

private func failure(_ pairs: (String, String)...) -> Result<Pagination, QueryValidationError> {
    .failure(QueryValidationError(validations: pairs.map { ValidationFailure(field: $0.0, detail: $0.1) }))
}

private let badUUID = "Query param \"after_id\" must be a valid uuid"
private func badInt(_ key: String, _ reason: String) -> String {
    "Query param \"\(key)\" must be a valid 32-bit positive integer: \(reason)"
}

/// tasks-api.md §4, Coder's pagination_test.go table first, with exact details.
private let paginationCases: [PaginationCase] = [
    PaginationCase("BadAfterID", [("after_id", "bogus")], failure(("after_id", badUUID))),
    PaginationCase("ShortAfterID", [("after_id", "ff22a7b-bb6f-43d8-83e1-eefe0a1f5197")], failure(("after_id", badUUID))),
    PaginationCase("LongAfterID", [("after_id", "cff22a7b-bb6f-43d8-83e1-eefe0a1f51972")], failure(("after_id", badUUID))),
    PaginationCase("BadLimit", [("limit", "bogus")],
                   failure(("limit", badInt("limit", "strconv.ParseInt: parsing \"bogus\": invalid syntax")))),
    PaginationCase("TooHighLimit", [("limit", "2147483648")],
                   failure(("limit", badInt("limit", "strconv.ParseInt: parsing \"2147483648\": value out of range")))),
    PaginationCase("NegativeLimit", [("limit", "-1")], failure(("limit", badInt("limit", "value is negative")))),
    PaginationCase("BadOffset", [("offset", "bogus")],
                   failure(("offset", badInt("offset", "strconv.ParseInt: parsing \"bogus\": invalid syntax")))),
    PaginationCase("TooHighOffset", [("offset", "2147483648")],
                   failure(("offset", badInt("offset", "strconv.ParseInt: parsing \"2147483648\": value out of range")))),
    PaginationCase("NegativeOffset", [("offset", "-1")], failure(("offset", badInt("offset", "value is negative")))),
    PaginationCase("ValidAllParams",
                   [("after_id", "d6c1c331-bfc8-44ef-a0d2-d2294be6195a"), ("limit", "50"), ("offset", "100")],
                   .success(Pagination(afterID: UUID(uuidString: "d6c1c331-bfc8-44ef-a0d2-d2294be6195a"), limit: 50, offset: 100))),
    PaginationCase("ValidLimit", [("limit", "50")], .success(Pagination(limit: 50))),
    PaginationCase("ValidOffset", [("offset", "150")], .success(Pagination(offset: 150))),
    PaginationCase("ValidAfterID", [("after_id", "5f2005fc-acc4-4e5e-a7fa-be017359c60b")],
                   .success(Pagination(afterID: UUID(uuidString: "5f2005fc-acc4-4e5e-a7fa-be017359c60b")))),

    PaginationCase("NoParams", [], .success(Pagination())),
    PaginationCase("EmptyValuesAreAbsent", [("after_id", ""), ("limit", ""), ("offset", "")], .success(Pagination())),
    PaginationCase("RepeatedLimit", [("limit", "1"), ("limit", "2")],
                   failure(("limit", "Query param \"limit\" provided more than once, found 2 times. "
                       + "Only provide 1 instance of this query param."))),
    PaginationCase("RepeatWhoseFirstValueIsEmptyIsAbsent", [("offset", ""), ("offset", "5")], .success(Pagination())),
    PaginationCase("AllErrorsCollectedInOrder", [("offset", "-7"), ("limit", "x1"), ("after_id", "nope")],
                   failure(("after_id", badUUID),
                           ("limit", badInt("limit", "strconv.ParseInt: parsing \"x1\": invalid syntax")),
                           ("offset", badInt("offset", "value is negative")))),
    PaginationCase("OtherParamsIgnored", [("q", "owner:me"), ("limit", "0")], .success(Pagination())),
    PaginationCase("LimitHasNoMaximum", [("limit", "2147483647")], .success(Pagination(limit: 2_147_483_647))),
    PaginationCase("PlusSign", [("limit", "+5")], .success(Pagination(limit: 5))),
    PaginationCase("MinusZero", [("offset", "-0")], .success(Pagination())),
    PaginationCase("VeryNegative", [("limit", "-2147483649")],
                   failure(("limit", badInt("limit", "strconv.ParseInt: parsing \"-2147483649\": value out of range")))),
    // Go reports whichever problem it meets first, digit by digit.
    PaginationCase("OverflowBeforeBadDigit", [("limit", "4294967296x")],
                   failure(("limit", badInt("limit", "strconv.ParseInt: parsing \"4294967296x\": value out of range")))),
    PaginationCase("BadDigitBeforeOverflow", [("limit", "2147483648x")],
                   failure(("limit", badInt("limit", "strconv.ParseInt: parsing \"2147483648x\": invalid syntax")))),
    PaginationCase("SignOnly", [("limit", "-")],
                   failure(("limit", badInt("limit", "strconv.ParseInt: parsing \"-\": invalid syntax")))),
    PaginationCase("NilAfterIDIsNoCursor", [("after_id", "00000000-0000-0000-0000-000000000000")], .success(Pagination())),
    PaginationCase("AfterIDWithoutDashesAndUpperCase", [("after_id", "5F2005FCACC44E5EA7FABE017359C60B")],
                   .success(Pagination(afterID: UUID(uuidString: "5f2005fc-acc4-4e5e-a7fa-be017359c60b")))),
    PaginationCase("AfterIDInBraces", [("after_id", "{5f2005fc-acc4-4e5e-a7fa-be017359c60b}")],
                   .success(Pagination(afterID: UUID(uuidString: "5f2005fc-acc4-4e5e-a7fa-be017359c60b")))),
]

@Test(arguments: paginationCases)
func paginationParsesLikeCoder(_ testCase: PaginationCase) {
    let result = Result { () throws(QueryValidationError) in
        try Pagination.parse(testCase.query.map { (name: $0.name, value: $0.value) })
    }
    #expect(result == testCase.expected)
}

@Test(arguments: [
    ("", "invalid UUID length: 0"),
    ("bogus", "invalid UUID length: 5"),
    ("5f2005fc-acc4-4e5e-a7fa-be017359c60g", "invalid UUID format"),
    ("5f2005fc_acc4-4e5e-a7fa-be017359c60b", "invalid UUID format"),
    ("urx:uuid:5f2005fc-acc4-4e5e-a7fa-be017359c60b", "invalid urn prefix: \"urx:uuid:\""),
])
func goUUIDErrorTexts(value: String, message: String) {
    #expect(throws: ValueParseError(message)) { try GoUUID.parse(value) }
}
