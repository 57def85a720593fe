import Foundation
import Testing
@testable import TaskboxCore

/// An in-memory stand-in for the store, holding the rows the spec's cases assume.
private struct MemorySearchLookup: SearchLookup {
    struct Failure: Error {}

    var organizations: [String: UUID] = [:]
    var defaultOrganization: UUID?
    var users: [String: UUID] = [:]
    /// Keyed by "<organization id>/<group name>".
    var groups: [String: UUID] = [:]
    var failing = false

    func organizationID(named name: String) async throws -> UUID? {
        if failing { throw Failure() }
        return organizations[name.lowercased()]
    }

    func organizationName(id: UUID) async throws -> String? {
        if failing { throw Failure() }
        return organizations.first { $0.value == id }?.key
    }

    func defaultOrganizationID() async throws -> UUID? {
        if failing { throw Failure() }
        return defaultOrganization
    }

    func userID(username: String) async throws -> UUID? {
        if failing { throw Failure() }
        return users[username.lowercased()]
    }

    func groupID(organizationID: UUID, name: String) async throws -> UUID? {
        if failing { throw Failure() }
        return groups["\(organizationID)/\(name)"]
    }
}

private enum SearchFixture {
    static let coderOrg = UUID(uuidString: "0f3a6a4e-6c55-4b4e-9d7a-2d1b8c0e5f10")!
    static let existingOrg = UUID(uuidString: "4fe722f0-49bc-4a90-a3eb-4ac439bfce20")!
    static let foobarOrg = UUID(uuidString: "08eb6715-02f8-45c5-b86d-03786fcfbb4e")!
    static let wibbleOrg = UUID(uuidString: "6b1e2c3d-4f5a-4b6c-8d7e-9f0a1b2c3d4e")!
    static let wibbleUser = UUID(uuidString: "3dd8b1b8-dff5-4b22-8ae9-c243ca136ecf")!
    static let wibbleGroup = UUID(uuidString: "590f1006-15e6-4b21-a6e1-92e33af8a5c3")!
    static let wobbleGroup = UUID(uuidString: "3c831688-0a5a-45a2-a796-f7648874df34")!
    static let groupByID = UUID(uuidString: "a7d1ba00-53c7-4aa6-92ea-83157dd57480")!

    static let lookup = MemorySearchLookup(
        organizations: ["coder": coderOrg, "existing": existingOrg, "foobar": foobarOrg, "wibble": wibbleOrg],
        defaultOrganization: coderOrg,
        users: ["wibble": wibbleUser],
        groups: ["\(coderOrg)/wibble": wibbleGroup, "\(wibbleOrg)/wobble": wobbleGroup]
    )
}

struct SearchCase: Sendable, CustomTestStringConvertible {
    enum Expected: Sendable {
        case filter(WorkspaceFilter)
        case errorContaining(String)
    }

    let name: String
    let query: String
    let expected: Expected
    var timeout = 0

    var testDescription: String { name }
}

private func filter(_ configure: (inout WorkspaceFilter) -> Void = { _ in }) -> WorkspaceFilter {
    var filter = WorkspaceFilter()
    configure(&filter)
    return filter
}

private func uuid(_ text: String) -> UUID { UUID(uuidString: text)! }

/// Coder's harness: one `<field>: <detail>` line per validation.
private func rendered(_ validations: [ValidationFailure]) -> String {
    validations.map { "\($0.field): \($0.detail)\n" }.joined()
}

private func parse(_ query: String, lookup: MemorySearchLookup = SearchFixture.lookup, timeout: Int = 0)
    async -> Result<WorkspaceFilter, QueryValidationError> {
    do {
        return .success(try await WorkspaceSearch.parse(query, lookup: lookup, agentInactiveDisconnectTimeoutSeconds: timeout))
    } catch {
        return .failure(error)
    }
}

/// tasks-api.md §5.5, all 49 cases in order.
private let specSearchCases: [SearchCase] = [
    SearchCase(name: "1 Empty", query: "", expected: .filter(filter())),
    SearchCase(name: "2 Owner/Name", query: "Foo/Bar", expected: .filter(filter { $0.ownerUsername = "foo"; $0.name = "bar" })),
    SearchCase(name: "3 Owner/NameWithSpaces", query: "     Foo/Bar     ",
               expected: .filter(filter { $0.ownerUsername = "foo"; $0.name = "bar" })),
    SearchCase(name: "4 Name", query: "workspace-name", expected: .filter(filter { $0.name = "workspace-name" })),
    SearchCase(name: "5 Name+Param", query: "workspace-name TEMPLATE:docker",
               expected: .filter(filter { $0.name = "workspace-name"; $0.templateName = "docker" })),
    SearchCase(name: "6 OnlyParams", query: "name:workspace-name template:docker OWNER:Alice",
               expected: .filter(filter { $0.name = "workspace-name"; $0.templateName = "docker"; $0.ownerUsername = "alice" })),
    SearchCase(name: "7 QuotedParam", query: #"name:workspace-name template:"docker template" owner:alice"#,
               expected: .filter(filter { $0.name = "workspace-name"; $0.templateName = "docker template"; $0.ownerUsername = "alice" })),
    SearchCase(name: "8 QuotedKey", query: #""name":baz "template":foo "owner":bar"#,
               expected: .filter(filter { $0.name = "baz"; $0.templateName = "foo"; $0.ownerUsername = "bar" })),
    SearchCase(name: "9 QuotedSpecial", query: #"name:"workspace:name""#, expected: .filter(filter { $0.name = "workspace:name" })),
    SearchCase(name: "10 QuotedMadness", query: #""name":"foo:bar:baz/baz/zoo:zonk""#,
               expected: .filter(filter { $0.name = "foo:bar:baz/baz/zoo:zonk" })),
    SearchCase(name: "11 QuotedName", query: #""foo/bar""#, expected: .filter(filter { $0.name = "foo/bar" })),
    SearchCase(name: "12 QuotedOwner/Name", query: #""foo"/"bar""#,
               expected: .filter(filter { $0.ownerUsername = "foo"; $0.name = "bar" })),
    SearchCase(name: "13 Outdated", query: "outdated:true", expected: .filter(filter { $0.usingActive = false })),
    SearchCase(name: "14 Updated", query: "outdated:false", expected: .filter(filter { $0.usingActive = true })),
    SearchCase(name: "15 ParamName", query: "param:foo", expected: .filter(filter { $0.hasParam = ["foo"] })),
    SearchCase(name: "16 MultipleParamNames", query: "param:foo param:bar param:baz",
               expected: .filter(filter { $0.hasParam = ["foo", "bar", "baz"] })),
    SearchCase(name: "17 ParamValue", query: "param:foo=bar",
               expected: .filter(filter { $0.paramNames = ["foo"]; $0.paramValues = ["bar"] })),
    SearchCase(name: "18 QuotedParamValue", query: #"param:"image=ghcr.io/coder/coder-preview:main""#,
               expected: .filter(filter { $0.paramNames = ["image"]; $0.paramValues = ["ghcr.io/coder/coder-preview:main"] })),
    SearchCase(name: "19 MultipleParamValues", query: "param:foo=bar param:fuzz=buzz",
               expected: .filter(filter { $0.paramNames = ["foo", "fuzz"]; $0.paramValues = ["bar", "buzz"] })),
    SearchCase(name: "20 MixedParams", query: "param:dot    param:foo=bar param:fuzz=buzz param:tot",
               expected: .filter(filter {
                   $0.hasParam = ["dot", "tot"]; $0.paramNames = ["foo", "fuzz"]; $0.paramValues = ["bar", "buzz"]
               })),
    SearchCase(name: "21 ParamSpaces", query: #"param:"   dot "     param:"   foo=bar   ""#,
               expected: .filter(filter { $0.hasParam = ["dot"]; $0.paramNames = ["foo"]; $0.paramValues = ["bar"] })),
    SearchCase(name: "22 Organization", query: "organization:4fe722f0-49bc-4a90-a3eb-4ac439bfce20",
               expected: .filter(filter { $0.organizationID = SearchFixture.existingOrg })),
    SearchCase(name: "23 OrganizationByName", query: "organization:foobar",
               expected: .filter(filter { $0.organizationID = SearchFixture.foobarOrg })),
    SearchCase(name: "24 HasAITaskTrue", query: "has-ai-task:true", expected: .filter(filter { $0.hasAITask = true })),
    SearchCase(name: "25 HasAITaskFalse", query: "has-ai-task:false", expected: .filter(filter { $0.hasAITask = false })),
    SearchCase(name: "26 HasAITaskMissing", query: "", expected: .filter(filter())),
    SearchCase(name: "27 HasExternalAgentTrue", query: "has_external_agent:true",
               expected: .filter(filter { $0.hasExternalAgent = true })),
    SearchCase(name: "28 HasExternalAgentFalse", query: "has_external_agent:false",
               expected: .filter(filter { $0.hasExternalAgent = false })),
    SearchCase(name: "29 HasExternalAgentMissing", query: "", expected: .filter(filter())),
    SearchCase(name: "30 SharedTrue", query: "shared:true", expected: .filter(filter { $0.shared = true })),
    SearchCase(name: "31 SharedFalse", query: "shared:false", expected: .filter(filter { $0.shared = false })),
    SearchCase(name: "32 SharedMissing", query: "", expected: .filter(filter())),
    SearchCase(name: "33 SharedWithUser", query: "shared_with_user:3dd8b1b8-dff5-4b22-8ae9-c243ca136ecf",
               expected: .filter(filter { $0.sharedWithUserID = SearchFixture.wibbleUser })),
    SearchCase(name: "34 SharedWithUserByName", query: "shared_with_user:wibble",
               expected: .filter(filter { $0.sharedWithUserID = SearchFixture.wibbleUser })),
    SearchCase(name: "35 SharedWithGroupDefaultOrg", query: "shared_with_group:wibble",
               expected: .filter(filter { $0.sharedWithGroupID = SearchFixture.wibbleGroup })),
    SearchCase(name: "36 SharedWithGroupInOrg", query: "shared_with_group:wibble/wobble",
               expected: .filter(filter { $0.sharedWithGroupID = SearchFixture.wobbleGroup })),
    SearchCase(name: "37 SharedWithGroupID", query: "shared_with_group:a7d1ba00-53c7-4aa6-92ea-83157dd57480",
               expected: .filter(filter { $0.sharedWithGroupID = SearchFixture.groupByID })),
    SearchCase(name: "38 ParamExcessValue", query: "param:foo=bar=baz", expected: .errorContaining("can only contain 1 '='")),
    SearchCase(name: "39 ParamNoValue", query: "param:foo=", expected: .errorContaining("omit the '=' to match")),
    SearchCase(name: "40 NoPrefix", query: ":foo", expected: .errorContaining("cannot start or end")),
    SearchCase(name: "41 Double", query: "name:foo name:bar", expected: .errorContaining("provided more than once")),
    SearchCase(name: "42 ExtraSlashes", query: "foo/bar/baz", expected: .errorContaining("can only contain 1 '/'")),
    SearchCase(name: "43 ExtraColon", query: "owner:name:extra", expected: .errorContaining("can only contain 1 ':'")),
    SearchCase(name: "44 ExtraKeys", query: "foo:bar", expected: .errorContaining(#""foo" is not a valid query param"#)),
    SearchCase(name: "45 ParamExtraColons", query: "param:foo:value", expected: .errorContaining("can only contain 1 ':'")),
    SearchCase(name: "46 SharedWithGroupTooManySegments", query: "shared_with_group:acme/devs/extra",
               expected: .errorContaining("the filter must be in the pattern of <organization name>/<group name>")),
    SearchCase(name: "47 SharedWithGroupEmptyOrg", query: "shared_with_group:/devs",
               expected: .errorContaining("invalid organization name")),
    SearchCase(name: "48 SharedWithGroupEmptyGroup", query: "shared_with_group:acme/",
               expected: .errorContaining(#"organization "acme" either does not exist"#)),
    SearchCase(name: "49 AgentInactiveDisconnectTimeout", query: "",
               expected: .filter(filter { $0.agentInactiveDisconnectTimeoutSeconds = 1337 }), timeout: 1337),
]

/// The extra cases listed under the §5.5 table, then our own.
private let extraSearchCases: [SearchCase] = [
    SearchCase(name: "bare words join into one name", query: "foo bar", expected: .filter(filter { $0.name = "foo bar" })),
    SearchCase(name: "empty value is absent", query: #"name:"""#, expected: .filter(filter())),
    SearchCase(name: "me/x keeps owner me for the handler", query: "me/x",
               expected: .filter(filter { $0.ownerUsername = "me"; $0.name = "x" })),
    SearchCase(name: "unknown status", query: "status:bogus", expected: .errorContaining("has invalid value")),
    SearchCase(name: "bad boolean", query: "dormant:yes", expected: .errorContaining("must be a valid boolean")),
    SearchCase(name: "unquoted timestamp", query: "last_used_after:2025-01-01T00:00:00Z",
               expected: .errorContaining("can only contain 1 ':'")),
    SearchCase(name: "ME is lower-cased", query: "owner:ME", expected: .filter(filter { $0.ownerUsername = "me" })),
    SearchCase(name: "has-agent", query: "has-agent:connected", expected: .filter(filter { $0.hasAgent = "connected" })),
    SearchCase(name: "status", query: "status:Running", expected: .filter(filter { $0.status = .running })),
    SearchCase(name: "dormant", query: "dormant:t", expected: .filter(filter { $0.dormant = true })),
    SearchCase(name: "repeated id", query: "id:4fe722f0-49bc-4a90-a3eb-4ac439bfce20 id:08eb6715-02f8-45c5-b86d-03786fcfbb4e",
               expected: .filter(filter { $0.workspaceIDs = [SearchFixture.existingOrg, SearchFixture.foobarOrg] })),
    SearchCase(name: "csv ids, trimmed, 32-digit form", query: #"id:"4FE722F0-49bc-4a90-a3eb-4ac439bfce20 , 08eb671502f845c5b86d03786fcfbb4e""#,
               expected: .filter(filter { $0.workspaceIDs = [SearchFixture.existingOrg, SearchFixture.foobarOrg] })),
    SearchCase(name: "double colon counts once", query: "owner::bob", expected: .filter(filter { $0.ownerUsername = "bob" })),
    SearchCase(name: "only spaces", query: "   ", expected: .filter(filter())),
    SearchCase(name: "first value empty hides a repeat", query: #"name:"" name:foo"#, expected: .filter(filter())),
    SearchCase(name: "outdated with empty value still filters", query: #"outdated:"""#,
               expected: .filter(filter { $0.usingActive = false })),
    SearchCase(name: "param csv", query: #"param:"a,b=c""#,
               expected: .filter(filter { $0.hasParam = ["a"]; $0.paramNames = ["b"]; $0.paramValues = ["c"] })),
    SearchCase(name: "organization name any case", query: "organization:FooBar",
               expected: .filter(filter { $0.organizationID = SearchFixture.foobarOrg })),
    SearchCase(name: "healthy is not a key in this version", query: "healthy:true",
               expected: .errorContaining(#"healthy: "healthy" is not a valid query param"#)),
    SearchCase(name: "lone slash", query: "/", expected: .errorContaining(#"q: Query element "/" can only contain 1 '/'"#)),
]

@Test(arguments: specSearchCases + extraSearchCases)
func workspaceSearchMatchesSpecTable(_ testCase: SearchCase) async {
    let result = await parse(testCase.query, timeout: testCase.timeout)
    switch (testCase.expected, result) {
    case let (.filter(expected), .success(actual)):
        #expect(actual == expected)
    case let (.errorContaining(text), .failure(error)):
        #expect(!error.validations.isEmpty)
        #expect(rendered(error.validations).contains(text), "\(rendered(error.validations))")
    case let (.filter, .failure(error)):
        Issue.record("unexpected errors:\n\(rendered(error.validations))")
    case let (.errorContaining, .success(actual)):
        Issue.record("expected an error, got \(actual)")
    }
}

/// Exact validation lists, where the whole text matters.
@Test(arguments: [
    ("id:nope,4fe722f0-49bc-4a90-a3eb-4ac439bfce20,", [
        ValidationFailure(field: "id", detail: "Query param \"id\" has invalid values: invalid UUID length: 4\ninvalid UUID length: 0"),
    ]),
    ("id:4fe722f0x49bc-4a90-a3eb-4ac439bfce20", [
        ValidationFailure(field: "id", detail: "Query param \"id\" has invalid values: invalid UUID format"),
    ]),
    ("organization:nope", [
        ValidationFailure(field: "organization", detail: "Query param \"organization\" has invalid value: "
            + "organization \"nope\" either does not exist, or you are unauthorized to view it"),
    ]),
    ("shared_with_user:me", [
        ValidationFailure(field: "shared_with_user", detail: "Query param \"shared_with_user\" has invalid value: "
            + "user \"me\" either does not exist, or you are unauthorized to view them"),
    ]),
    ("shared_with_group:devs", [
        ValidationFailure(field: "shared_with_group", detail: "Query param \"shared_with_group\" has invalid value: "
            + "group \"devs\" either does not exist, does not belong to the organization \"coder\", "
            + "or you are unauthorized to view it"),
    ]),
    ("shared_with_group:/devs", [
        ValidationFailure(field: "shared_with_group", detail: "Query param \"shared_with_group\" has invalid value: "
            + "invalid organization name must be >= 1 character"),
    ]),
    ("shared_with_group:wibble/new", [
        ValidationFailure(field: "shared_with_group", detail: "Query param \"shared_with_group\" has invalid value: "
            + "invalid group name cannot use \"new\" as a name"),
    ]),
    ("shared_with_group:wibble/", [
        ValidationFailure(field: "shared_with_group", detail: "Query param \"shared_with_group\" has invalid value: "
            + "invalid group name must be alphanumeric with hyphens"),
    ]),
    ("status:bogus", [
        ValidationFailure(field: "status", detail: "Query param \"status\" has invalid value: \"bogus\" is not a valid value"),
    ]),
    ("shared:yes", [
        ValidationFailure(field: "shared", detail: "Query param \"shared\" must be a valid boolean: "
            + "strconv.ParseBool: parsing \"yes\": invalid syntax"),
    ]),
    ("param:foo=", [
        ValidationFailure(field: "param", detail: "Query param \"param\" has invalid values: query element \"foo=\" "
            + "has an empty value. omit the '=' to match just on the parameter name"),
    ]),
    ("param:a=b=c", [
        ValidationFailure(field: "param", detail: "Query param \"param\" has invalid values: "
            + "query element \"a=b=c\" can only contain 1 '='"),
    ]),
    ("template:a template:b template:c", [
        ValidationFailure(field: "template", detail: "Query param \"template\" provided more than once, found 3 times. "
            + "Only provide 1 instance of this query param."),
    ]),
    (#"last_used_after:"yesterday""#, [
        ValidationFailure(field: "last_used_after", detail: "Query param \"last_used_after\" must be a valid date format "
            + "(2006-01-02T15:04:05.999999999Z07:00): parsing time \"YESTERDAY\" as "
            + "\"2006-01-02T15:04:05.999999999Z07:00\": cannot parse \"YESTERDAY\" as \"2006\""),
    ]),
    // Key errors in Coder's reading order, then unknown keys in query order.
    ("zzz:1 dormant:maybe status:nope foo:bar organization:nope name:a name:b", [
        ValidationFailure(field: "name", detail: "Query param \"name\" provided more than once, found 2 times. "
            + "Only provide 1 instance of this query param."),
        ValidationFailure(field: "status", detail: "Query param \"status\" has invalid value: \"nope\" is not a valid value"),
        ValidationFailure(field: "dormant", detail: "Query param \"dormant\" must be a valid boolean: "
            + "strconv.ParseBool: parsing \"maybe\": invalid syntax"),
        ValidationFailure(field: "organization", detail: "Query param \"organization\" has invalid value: "
            + "organization \"nope\" either does not exist, or you are unauthorized to view it"),
        ValidationFailure(field: "zzz", detail: "\"zzz\" is not a valid query param"),
        ValidationFailure(field: "foo", detail: "\"foo\" is not a valid query param"),
    ]),
    // A tokenising error comes alone, even with key errors around it.
    ("dormant:maybe foo/bar/baz", [
        ValidationFailure(field: "q", detail: "Query element \"foo/bar/baz\" can only contain 1 '/'"),
    ]),
])
func workspaceSearchReportsExactValidations(query: String, expected: [ValidationFailure]) async {
    let result = await parse(query)
    guard case let .failure(error) = result else {
        Issue.record("expected errors for \(query)")
        return
    }
    #expect(error.validations == expected)
}

@Test func workspaceSearchParsesTimestampsToUTC() async throws {
    let result = await parse(#"last_used_after:"2025-01-02t03:04:05.5+02:00" last_used_before:"2025-01-02T03:04:05Z""#)
    let filter = try result.get()
    // 2025-01-02T03:04:05Z is 1735787045 seconds after the Unix epoch.
    #expect(filter.lastUsedBefore == Date(timeIntervalSince1970: 1_735_787_045))
    #expect(filter.lastUsedAfter == Date(timeIntervalSince1970: 1_735_787_045 - 7_200 + 0.5))
}

@Test(arguments: ["2025-13-01T00:00:00Z", "2025-02-30T00:00:00Z", "2025-01-01T24:00:00Z", "2025-01-01", "2025-01-01T00:00:00+0200"])
func workspaceSearchRejectsBadTimestamps(_ value: String) async {
    let result = await parse("last_used_before:\"\(value)\"")
    guard case let .failure(error) = result else {
        Issue.record("expected an error for \(value)")
        return
    }
    #expect(error.validations.count == 1)
    #expect(error.validations.first?.field == "last_used_before")
    #expect(error.validations.first?.detail.hasPrefix("Query param \"last_used_before\" must be a valid date format "
        + "(2006-01-02T15:04:05.999999999Z07:00): parsing time \"\(value.uppercased())\"") == true)
}

@Test func workspaceSearchTreatsLookupFailuresAsNotFound() async {
    var lookup = SearchFixture.lookup
    lookup.failing = true
    let result = await parse("organization:foobar shared_with_user:wibble shared_with_group:wibble", lookup: lookup)
    guard case let .failure(error) = result else {
        Issue.record("expected errors")
        return
    }
    #expect(error.validations.map(\.field) == ["organization", "shared_with_user", "shared_with_group"])
    #expect(error.validations.last?.detail == "Query param \"shared_with_group\" has invalid value: fetching default organization")
}

@Test func workspaceSearchAcceptsGoUUIDSpellings() async throws {
    let filter = try await parse(#"id:"urn:uuid:4fe722f0-49bc-4a90-a3eb-4ac439bfce20" organization:{08eb6715-02f8-45c5-b86d-03786fcfbb4e}"#).get()
    #expect(filter.workspaceIDs == [SearchFixture.existingOrg])
    #expect(filter.organizationID == SearchFixture.foobarOrg)
}
