import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
@testable import TaskboxCore

/// The §4 pagination table and the §5.5 search table through `GET /api/experimental/tasks`
/// on a real file: valid queries answer 200, invalid ones Coder's 400 with the parser's detail.
@Suite struct ListQueryHTTPTests {
    static let pagination: [(query: String, valid: Bool)] = [
        ("after_id=bogus", false), ("after_id=ff22a7b-bb6f-43d8-83e1-eefe0a1f5197", false),
        ("after_id=cff22a7b-bb6f-43d8-83e1-eefe0a1f51972", false), ("limit=bogus", false), ("limit=2147483648", false),
        ("limit=-1", false), ("offset=bogus", false), ("offset=2147483648", false), ("offset=-1", false),
        ("after_id=d6c1c331-bfc8-44ef-a0d2-d2294be6195a&limit=50&offset=100", true), ("limit=50", true),
        ("offset=150", true), ("after_id=5f2005fc-acc4-4e5e-a7fa-be017359c60b", true),
    ]

    /// §5.5 #1–#49 (the harness-only #49 is the empty query); groups do not exist in
    /// taskbox (taskbox.md §5), so #35–#37 name a group that is not there.
    static let search: [(query: String, error: String?)] = [
        ("", nil), ("Foo/Bar", nil), ("     Foo/Bar     ", nil), ("workspace-name", nil), ("workspace-name TEMPLATE:docker", nil),
        ("name:workspace-name template:docker OWNER:Alice", nil), (#"name:workspace-name template:"docker template" owner:alice"#, nil),
        (#""name":baz "template":foo "owner":bar"#, nil), (#"name:"workspace:name""#, nil), (#""name":"foo:bar:baz/baz/zoo:zonk""#, nil),
        (#""foo/bar""#, nil), (#""foo"/"bar""#, nil), ("outdated:true", nil), ("outdated:false", nil), ("param:foo", nil),
        ("param:foo param:bar param:baz", nil), ("param:foo=bar", nil), (#"param:"image=ghcr.io/coder/coder-preview:main""#, nil),
        ("param:foo=bar param:fuzz=buzz", nil), ("param:dot    param:foo=bar param:fuzz=buzz param:tot", nil),
        (#"param:"   dot "     param:"   foo=bar   ""#, nil), ("organization:4fe722f0-49bc-4a90-a3eb-4ac439bfce20", nil),
        ("organization:foobar", nil), ("has-ai-task:true", nil), ("has-ai-task:false", nil), ("has_external_agent:true", nil),
        ("has_external_agent:false", nil), ("shared:true", nil), ("shared:false", nil),
        ("shared_with_user:3dd8b1b8-dff5-4b22-8ae9-c243ca136ecf", nil), ("shared_with_user:wibble", nil),
        ("shared_with_group:wibble", "either does not exist"), ("shared_with_group:wibble/wobble", "either does not exist"),
        ("shared_with_group:a7d1ba00-53c7-4aa6-92ea-83157dd57480", nil),
        ("param:foo=bar=baz", "can only contain 1 '='"), ("param:foo=", "omit the '=' to match"), (":foo", "cannot start or end"),
        ("name:foo name:bar", "provided more than once"), ("foo/bar/baz", "can only contain 1 '/'"),
        ("owner:name:extra", "can only contain 1 ':'"), ("foo:bar", #""foo" is not a valid query param"#),
        ("param:foo:value", "can only contain 1 ':'"), ("shared_with_group:acme/devs/extra", "the filter must be in the pattern of <organization name>/<group name>"),
        ("shared_with_group:/devs", "invalid organization name"), ("shared_with_group:acme/", #"organization "acme" either does not exist"#),
    ]

    static func encode(_ q: String) -> String {
        q.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? q
    }

    @Test func paginationAndSearchTablesThroughHTTP() async throws {
        let dir = TestDirectory()
        let db = try dir.openDatabase()
        _ = try db.createOrganization(name: "foobar")
        let (_, token) = try Fixture(db: db).user("alice")
        _ = try Fixture(db: db).user("wibble")
        try await testApplication(db).test(.router) { client in
            for (query, valid) in Self.pagination {
                let r = try await client.call(.get, "/api/experimental/tasks?\(query)", token: token)
                #expect(r.status == (valid ? 200 : 400), "\(query)")
                if !valid { #expect(r.object["message"] as? String == "Query parameters have invalid values.") }
            }
            for (query, error) in Self.search {
                let r = try await client.call(.get, "/api/experimental/tasks?q=\(Self.encode(query))", token: token)
                if let error {
                    #expect(r.status == 400, "\(query)")
                    #expect(r.object["message"] as? String == "Invalid workspace search query.")
                    // Coder's encoder escapes quotes, < and >.
                    let escaped = error.replacingOccurrences(of: "\"", with: "\\\"")
                        .replacingOccurrences(of: "<", with: "\\u003c").replacingOccurrences(of: ">", with: "\\u003e")
                    #expect(r.text.contains(escaped), "\(query): \(r.text)")
                } else {
                    #expect(r.status == 200, "\(query): \(r.text)")
                }
            }
        }
    }
}
