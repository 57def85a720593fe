import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
@testable import TaskboxCore

/// Every bad input gets Coder's envelope and a 4xx, and the server keeps serving (issue 8).
@Suite struct BadInputTests {
    let dir = TestDirectory()

    static let deep = String(repeating: "[", count: 5000) + String(repeating: "]", count: 5000)
    static let huge = "{\"input\":\"" + String(repeating: "x", count: 1_100_000) + "\"}"

    @Test func badBodiesPathsAndQueriesAreRefusedCleanly() async throws {
        let db = try dir.openDatabase()
        let f = try TaskFixture(db: db)
        let (_, token) = try f.user("alice")
        let create = "/api/experimental/tasks/me"
        let cases: [(HTTPRequest.Method, String, [UInt8]?, Int)] = [
            (.post, create, Array("{\"template_version_id\":".utf8), 400),
            (.post, create, Array("{\"template_version_id\":5}".utf8), 400),
            (.post, create, Array("{\"template_version_id\":\"\(f.aiVersionID)\",\"name\":[1]}".utf8), 400),
            (.post, create, Array("{\"template_version_id\":\"\(f.aiVersionID)\",\"input\":{\"a\":1}}".utf8), 400),
            (.post, create, Array(Self.deep.utf8), 400),
            (.post, create, Array(Self.huge.utf8), 413),
            (.post, create, [0x7B, 0x22, 0xFF, 0xFE, 0x22, 0x3A, 0x31, 0x7D], 400),
            (.post, create, Array("{\"template_version_id\":\"\(f.aiVersionID)\",\"name\":\"a\u{0}b\"}".utf8), 400),
            (.post, create, Array("{\"template_version_id\":\"\(f.aiVersionID)\",\"name\":\"\(String(repeating: "n", count: 5000))\"}".utf8), 400),
            (.post, create, Array("{\"template_version_id\":\"\(f.aiVersionID)\",\"name\":\"x'; DROP TABLE workspaces; --\"}".utf8), 400),
            (.get, "/api/experimental/tasks?q=" + String(repeating: "a:b%20", count: 3000), nil, 400),
            (.get, "/api/experimental/tasks?q=name:%22%27%20OR%201=1%20--%22", nil, 200),
            (.get, "/api/experimental/tasks?q=owner:%25%5F%27", nil, 200),
            (.get, "/api/experimental/tasks/me/..%2F..%2Fetc%2Fpasswd", nil, 400),
            (.get, "/api/experimental/tasks/a%2Fb/\(UUID().uuidString)", nil, 400),
            (.get, "/api/experimental/tasks/me/%00", nil, 400),
            (.get, "/api/experimental/tasks?limit=99999999999999999999", nil, 400),
            (.delete, "/api/experimental/tasks/me/\(String(repeating: "f", count: 10_000))", nil, 400),
            (.patch, "/api/experimental/tasks", nil, 404),
        ]
        try await testApplication(db).test(.router) { client in
            for (method, uri, body, status) in cases {
                var headers: HTTPFields = [.authorization: "Bearer \(token)", .contentType: "application/json"]
                headers[.accept] = "application/json"
                let r = try await client.execute(uri: uri, method: method, headers: headers, body: body.map { ByteBuffer(bytes: $0) }) {
                    (Int($0.status.code), $0.object, $0.headers[.contentType])
                }
                #expect(r.0 == status, "\(method) \(uri.prefix(80)) → \(r.0)")
                if status >= 400 {
                    #expect(r.1["message"] is String, "\(method) \(uri.prefix(80)) has no envelope: \(r)")
                } else {
                    #expect(r.1["tasks"] is [Any] && r.1["count"] as? Int == 0, "SQL metacharacters are only data")
                }
                #expect(r.2 == "application/json; charset=utf-8")
            }
            // Nothing was created, nothing was dropped, and the server still answers.
            let list = try await client.call(.get, "/api/experimental/tasks", token: token)
            #expect(list.status == 200 && list.object["count"] as? Int == 0)
            let ok = try await client.createTask(token, version: f.aiVersionID, name: "still-fine")
            #expect(ok.status == 201)
        }
    }
}

/// The search grammar never crashes: random and mutated queries give a filter or validations.
@Suite struct SearchFuzzTests {
    struct NoLookup: SearchLookup {
        func organizationID(named name: String) async throws -> UUID? { name == "coder" ? UUID() : nil }
        func organizationName(id: UUID) async throws -> String? { "coder" }
        func defaultOrganizationID() async throws -> UUID? { UUID() }
        func userID(username: String) async throws -> UUID? { username == "alice" ? UUID() : nil }
        func groupID(organizationID: UUID, name: String) async throws -> UUID? { nil }
    }

    static let seeds = [
        "owner:me status:running", "name:\"a b\" template:docker", "foo/bar", "param:x=y param:z", "id:\(UUID().uuidString)",
        "last_used_after:\"2025-01-02T03:04:05Z\"", "has-agent:connected dormant:true", "shared_with_group:acme/devs",
        "organization:coder outdated:false", "\"quoted:key\":value", "has-ai-task:1 has_external_agent:f shared:t",
    ]
    static let alphabet = Array(" :\"/=,-_abcdefghijklmnopqrstuvwxyzABCDEFXYZ0123456789éß\u{0}\t\n%'\\{}[]") + ["😀"]

    @Test func hundredThousandQueriesNeverCrash() async throws {
        var rng = SplitMix64(seed: 7)
        let lookup = NoLookup()
        var filters = 0, errors = 0
        for i in 0..<100_000 {
            var query: [Character]
            if i % 2 == 0 {
                query = Array(Self.seeds[Int(rng.next() % UInt64(Self.seeds.count))])
                for _ in 0..<(1 + Int(rng.next() % 4)) {
                    let position = query.isEmpty ? 0 : Int(rng.next() % UInt64(query.count + 1))
                    let c = Self.alphabet[Int(rng.next() % UInt64(Self.alphabet.count))]
                    switch rng.next() % 3 {
                    case 0: query.insert(c, at: position)
                    case 1: if position < query.count { query.remove(at: position) }
                    default: if position < query.count { query[position] = c }
                    }
                }
            } else {
                query = (0..<Int(rng.next() % 40)).map { _ in Self.alphabet[Int(rng.next() % UInt64(Self.alphabet.count))] }
            }
            do {
                _ = try await WorkspaceSearch.parse(String(query), lookup: lookup)
                filters += 1
            } catch {
                #expect(!error.validations.isEmpty)
                errors += 1
            }
        }
        #expect(filters + errors == 100_000)
        #expect(filters > 1000 && errors > 1000)
    }
}
