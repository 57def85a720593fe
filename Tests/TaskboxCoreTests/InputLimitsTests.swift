import Foundation
import GRDB
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Synchronization
import Testing
@testable import TaskboxCore

/// Inputs at the limits (issue 13 items 8, 9, 11): hostile input is a 4xx, no 500 shows its
/// cause, no text is cut short, numbers are numbers.
@Suite struct InputLimitsTests {
    let dir = TestDirectory()

    @Test func aFiftyThousandCharacterQueryIsA400WithoutSQL() async throws {
        let db = try dir.openDatabase()
        let f = try TaskFixture(db: db)
        let (_, token) = try f.user("alice", roles: [.owner])
        try await testApplication(db).test(.router) { client in
            let long = try await client.call(.get, "/api/experimental/tasks?q=name:" + String(repeating: "a", count: 50_000), token: token)
            #expect(long.status == 400, "\(long.text.prefix(300))")
            #expect(long.object["message"] as? String == "Invalid workspace search query.")
            let validations = long.object["validations"] as? [[String: Any]]
            #expect(validations?.first?["field"] as? String == "q")
            #expect(validations?.first?["detail"] as? String == "The query is 50005 bytes long; the limit is 16384 bytes.")
            #expect(!long.text.contains("SELECT") && !long.text.contains("LIKE"))
            // Under the limit a long name is only a name that matches nothing.
            let fine = try await client.call(.get, "/api/experimental/tasks?q=name:" + String(repeating: "a", count: 16_000), token: token)
            #expect(fine.status == 200 && fine.object["count"] as? Int == 0, "\(fine.text.prefix(300))")
        }
    }

    @Test func aDatabaseFailureAnswers500WithoutItsCause() async throws {
        let db = try dir.openDatabase()
        let f = try TaskFixture(db: db)
        let (_, token) = try f.user("alice", roles: [.owner])
        try await db.pool.write { try $0.execute(sql: "ALTER TABLE workspaces RENAME TO gone") }
        try await testApplication(db).test(.router) { client in
            let r = try await client.call(.get, "/api/experimental/tasks", token: token)
            #expect(r.status == 500)
            #expect(r.object["message"] as? String == "Internal error processing the request.")
            let detail = try #require(r.object["detail"] as? String)
            #expect(detail.hasPrefix("The cause is in the server log under request id "), "\(detail)")
            for secret in ["SELECT", "workspaces", "no such table", "SQLite"] {
                #expect(!r.text.contains(secret), "the 500 shows \(secret): \(r.text)")
            }
        }
    }

    @Test func aNULInAnyTextFieldIsRefusedNotCut() async throws {
        let db = try dir.openDatabase()
        let f = try TaskFixture(db: db)
        let (_, token) = try f.user("alice")
        try await testApplication(db).test(.router) { client in
            for field in ["input", "name"] {
                var body = ["template_version_id": f.aiVersionID, "input": "fine", "name": "fine-name"]
                body[field] = "a\u{0}b"
                let json = String(decoding: try JSONSerialization.data(withJSONObject: body), as: UTF8.self)
                #expect(json.contains("\\u0000"))
                let r = try await client.call(.post, "/api/experimental/tasks/me", token: token, json: json)
                #expect(r.status == 400, "\(field): \(r.text)")
                #expect(r.object["message"] as? String == "Invalid request body: \"\(field)\" contains a NUL character.")
                let validations = r.object["validations"] as? [[String: Any]]
                #expect(validations?.first?["field"] as? String == field)
            }
            // Nothing was stored, and text with every other control character round-trips.
            let list = try await client.call(.get, "/api/experimental/tasks", token: token)
            #expect(list.object["count"] as? Int == 0)
            let text = "a\u{1}b\tc\nd\u{7f}e"
            let created = try await client.createTask(token, version: f.aiVersionID, input: text)
            #expect(created.status == 201)
            let id = try #require(created.object["id"] as? String)
            let got = try await client.call(.get, "/api/experimental/tasks/me/\(id)", token: token)
            #expect(got.object["initial_prompt"] as? String == text)
        }
    }

    @Test(arguments: ["nan", "NaN", "inf", "-Infinity", "1e999"])
    func numberParametersMustBeFiniteNumbers(value: String) async throws {
        let db = try dir.openDatabase()
        let version = try db.pushTemplate(manifestData: Data(TaskFixture.aiManifest(
            name: "numbers", extraParameters: #",{"name":"count","type":"number","default":"1"}"#).utf8)).template_version_id
        let (user, token) = try Fixture(db: db).user("alice")
        try await testApplication(db).test(.router) { client in
            let body = """
                {"name":"n1","template_version_id":"\(version)","rich_parameter_values":[{"name":"count","value":"\(value)"}]}
                """
            let r = try await client.call(.post, "/api/v2/organizations/coder/members/\(user.username)/workspaces", token: token, json: body)
            #expect(r.status == 400, "\(r.text)")
            #expect(r.object["message"] as? String == "Unable to validate parameter \"count\"")
        }
        #expect(throws: ManifestError.self) {
            try Manifest.parse(Data(TaskFixture.aiManifest(
                name: "numbers", extraParameters: #",{"name":"count","type":"number","default":"\#(value)"}"#).utf8))
        }
    }

    @Test func appStatusURIIsCappedAt2048Bytes() async throws {
        let db = try dir.openDatabase()
        let f = try TaskFixture(db: db)
        let (owner, token) = try f.user("alice")
        try await testApplication(db).test(.router) { client in
            let b = try await AppStatusTests().built(f, owner: owner, token: token, client: client)
            let base = "https://example.com/"
            let atLimit = base + String(repeating: "a", count: 2048 - base.utf8.count)
            var r = try await AppStatusTests().patch(client, token: b.agentToken,
                #"{"app_slug":"task-sidebar","state":"working","message":"x","uri":"\#(atLimit)"}"#)
            #expect(r.status == 200, "\(r.text)")
            r = try await AppStatusTests().patch(client, token: b.agentToken,
                #"{"app_slug":"task-sidebar","state":"working","message":"x","uri":"\#(atLimit)a"}"#)
            #expect(r.status == 400)
            #expect(r.text == #"{"message":"URI is too long.","detail":"URI must be at most 2048 bytes.","validations":[{"field":"uri","detail":"URI must be at most 2048 bytes."}]}"# + "\n")
        }
    }

    @Test func agentCallsDoNotFollowRedirects() async throws {
        let followed = Mutex(false)
        let router = Router()
        router.get("/a/status") { _, _ in Response(status: .found, headers: [.location: "/b/status"]) }
        router.get("/b/status") { _, _ -> Response in
            followed.withLock { $0 = true }
            return Response(status: .ok, headers: [.contentType: "application/json"],
                            body: .init(byteBuffer: ByteBuffer(string: #"{"status":"stable"}"#)))
        }
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
        try await app.test(.live) { client in
            let port = try #require(client.port)
            let agent = AgentAPIClient(baseURL: "http://127.0.0.1:\(port)/a", token: "secret-agent-token")
            let error = await #expect(throws: AgentAPIError.self) { try await agent.status() }
            #expect(error?.description.contains("HTTP 302") == true, "\(String(describing: error))")
        }
        #expect(followed.withLock { $0 } == false, "the agent token went to the redirect's target")
    }

    @Test func adminCommandsRefuseAnAbsurdLifetimeAndTheUsernameMe() async throws {
        _ = try await runTaskbox(["users", "create", "--username", "alice"], db: dir.dbPath)
        for lifetime in ["99999999999h", "876601h"] {
            let r = try await runTaskbox(["tokens", "create", "--user", "alice", "--lifetime", lifetime], db: dir.dbPath)
            #expect(r.status == 1, "exit status \(r.status) for \(lifetime), stderr: \(r.stderr)")
            #expect(r.stderr.hasPrefix("error: ") && r.stderr.contains("876600h"), "\(r.stderr)")
            #expect(r.stdout.isEmpty)
        }
        #expect(try await runTaskbox(["tokens", "create", "--user", "alice", "--lifetime", "876600h"], db: dir.dbPath).status == 0)
        for name in ["me", "ME", "Me"] {
            let r = try await runTaskbox(["users", "create", "--username", name], db: dir.dbPath)
            #expect(r.status == 1)
            #expect(r.stderr == "error: invalid username \"\(name)\": \"me\" is reserved, it names the caller in API paths\n")
        }
        #expect(try await runTaskbox(["users", "create", "--username", "meg"], db: dir.dbPath).status == 0)
    }
}
