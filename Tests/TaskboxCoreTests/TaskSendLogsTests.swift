import Foundation
import GRDB
import Hummingbird
import HummingbirdTesting
import Synchronization
import Testing
@testable import TaskboxCore

/// A fake agentapi the test controls (tasks-api.md §10 #10–#15): forced status, upstream
/// failures, and the bodies it received.
final class FakeAgentAPI: Sendable {
    enum Mode: Sendable { case normal, fail500, badRole, textPlain }
    struct State: Sendable {
        var status = "stable"
        var mode = Mode.normal
        var received: [String] = []
    }
    let state = Mutex(State())

    func application() -> some ApplicationProtocol {
        let router = Router()
        router.get("/status") { _, _ -> Response in
            let (status, mode) = self.state.withLock { ($0.status, $0.mode) }
            if mode == .fail500 { return Self.text(.internalServerError, "boom") }
            if mode == .textPlain { return Self.text(.ok, "stable") }
            return Self.json(#"{"$schema":"http://localhost/schemas/StatusResponseBody.json","status":"\#(status)","agent_type":"custom","transport":"pty"}"#)
        }
        router.post("/message") { request, _ -> Response in
            let body = String(buffer: try await request.body.collect(upTo: 1 << 20))
            self.state.withLock { $0.received.append(body) }
            return Self.json(#"{"ok": true}"#)
        }
        router.get("/messages") { _, _ -> Response in
            switch self.state.withLock({ $0.mode }) {
            case .fail500: return Self.text(.internalServerError, "boom")
            case .badRole: return Self.json(#"{"messages":[{"id":0,"content":"x","role":"system","time":"2025-09-25T10:42:48Z"}]}"#)
            default:
                return Self.json("""
                    {"messages":[
                      {"id":0,"content":"Welcome, user!","role":"agent","time":"2025-09-25T10:42:48.751774125Z"},
                      {"id":1,"content":"Hello, agent!","role":"user","time":"2025-09-25T10:42:50.1Z"},
                      {"id":2,"content":"What would you like to work on today?","role":"agent","time":"2025-09-25T10:42:51Z"}]}
                    """)
            }
        }
        return Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)))
    }

    static func json(_ text: String) -> Response {
        Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    static func text(_ status: HTTPResponse.Status, _ text: String) -> Response {
        Response(status: status, headers: [.contentType: "text/plain"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}

@Suite struct TaskSendLogsTests {
    let dir = TestDirectory()

    /// Runs `body` with a task whose sidebar app points at a fake agentapi.
    func withTask(
        _ body: @escaping @Sendable (AppDatabase, TaskFixture, FakeAgentAPI, any TestClientProtocol, String, String) async throws -> Void
    ) async throws {
        let fake = FakeAgentAPI()
        let dbPath = dir
        try await fake.application().test(.live) { fakeClient in
            let port = try #require(fakeClient.port)
            let db = try dbPath.openDatabase()
            let f = try TaskFixture(db: db, appURL: "http://127.0.0.1:\(port)")
            let (_, token) = try f.user("alice")
            try await testApplication(db).test(.router) { client in
                let id = try #require(try await client.createTask(token, version: f.aiVersionID, input: "send a message").object["id"] as? String)
                try await f.finishBuild(id)
                try await body(db, f, fake, client, token, id)
            }
        }
    }

    func appID(_ db: AppDatabase, _ workspaceID: String) async throws -> String {
        try #require(try await db.workspaceView(id: workspaceID)?.build?.sidebarAppID)
    }

    @Test func sendChecksHealthThenStatusThenDelivers() async throws {
        try await withTask { db, _, fake, client, token, id in
            let send = #"{"input":"Hello, Agent!"}"#
            try await db.setAppHealth(try await appID(db, id), .unhealthy)
            var r = try await client.call(.post, "/api/experimental/tasks/me/\(id)/send", token: token, json: send)
            #expect(r.status == 503 && r.object["message"] as? String == "Task sidebar app is unhealthy.")
            try await db.setAppHealth(try await appID(db, id), .initializing)
            r = try await client.call(.post, "/api/experimental/tasks/me/\(id)/send", token: token, json: send)
            #expect(r.status == 503 && r.object["message"] as? String == "Task sidebar app is initializing. Try again shortly.")

            try await db.setAppHealth(try await appID(db, id), .healthy)
            fake.state.withLock { $0.status = "running" }
            r = try await client.call(.post, "/api/experimental/tasks/me/\(id)/send", token: token, json: send)
            #expect(r.status == 502)
            #expect(r.text == #"{"message":"Task app is not ready to accept input.","detail":"Status: running"}"# + "\n")

            fake.state.withLock { $0.status = "stable" }
            r = try await client.call(.post, "/api/experimental/tasks/me/\(id)/send", token: token, json: send)
            #expect(r.status == 204 && r.text.isEmpty)
            #expect(fake.state.withLock { $0.received } == [#"{"content":"Hello, Agent!","type":"user"}"#])

            fake.state.withLock { $0.mode = .fail500 }
            r = try await client.call(.post, "/api/experimental/tasks/me/\(id)/send", token: token, json: send)
            #expect(r.status == 502 && r.object["message"] as? String == "Failed to get status from task app.")
            #expect((r.object["detail"] as? String)?.isEmpty == false)
            fake.state.withLock { $0.mode = .textPlain }
            r = try await client.call(.post, "/api/experimental/tasks/me/\(id)/send", token: token, json: send)
            #expect(r.status == 502, "a 200 without a JSON content type is an error")
        }
    }

    @Test func sendInputRules() async throws {
        try await withTask { _, _, fake, client, token, id in
            var r = try await client.call(.post, "/api/experimental/tasks/me/\(id)/send", token: token, json: #"{"input":""}"#)
            #expect(r.status == 400 && r.text == #"{"message":"Task input is required."}"# + "\n")
            r = try await client.call(.post, "/api/experimental/tasks/me/\(id)/send", token: token, json: #"{"input":"  "}"#)
            #expect(r.status == 204, "whitespace is not trimmed away")
            r = try await client.call(.post, "/api/experimental/tasks/me/\(UUID().uuidString)/send", token: token, json: #"{"input":"hi"}"#)
            #expect(r.status == 404)
            r = try await client.call(.post, "/api/experimental/tasks/me/nope/send", token: token, json: #"{"input":"hi"}"#)
            #expect(r.status == 400)
            #expect(fake.state.withLock { $0.received } == [#"{"content":"  ","type":"user"}"#])
        }
    }

    @Test func logsMapRolesInOrderAndReportUpstreamFailures() async throws {
        try await withTask { _, _, fake, client, token, id in
            var r = try await client.call(.get, "/api/experimental/tasks/me/\(id)/logs", token: token)
            #expect(r.status == 200)
            let logs = try #require(r.object["logs"] as? [[String: Any]])
            #expect(logs.map { $0["id"] as? Int } == [0, 1, 2])
            #expect(logs.map { $0["type"] as? String } == ["output", "input", "output"])
            #expect(logs.map { $0["content"] as? String } == ["Welcome, user!", "Hello, agent!", "What would you like to work on today?"])
            #expect(logs.first?["time"] as? String == "2025-09-25T10:42:48.751774125Z")

            fake.state.withLock { $0.mode = .fail500 }
            r = try await client.call(.get, "/api/experimental/tasks/me/\(id)/logs", token: token)
            #expect(r.status == 502 && r.object["message"] as? String == "Failed to get messages from task app.")
            fake.state.withLock { $0.mode = .badRole }
            r = try await client.call(.get, "/api/experimental/tasks/me/\(id)/logs", token: token)
            #expect(r.status == 502)
            #expect(r.text == #"{"message":"Invalid task app response message role.","detail":"Expected \"user\" or \"agent\", got \"system\"."}"# + "\n")
        }
    }

    @Test func resolutionChecksInOrder() async throws {
        try await withTask { db, f, _, client, token, id in
            let alice = try #require(try db.user(nameOrID: "alice"))
            // Another member and an organization admin get 404 (no application_connect).
            let (_, bob) = try f.user("bob")
            let (_, oadmin) = try f.user("oadmin")
            try await db.pool.write { db in
                try db.execute(sql: "INSERT INTO organization_member_roles SELECT organization_id, user_id, 'organization-admin' FROM organization_members WHERE user_id = (SELECT id FROM users WHERE username = 'oadmin')")
            }
            for other in [bob, oadmin] {
                let r = try await client.call(.get, "/api/experimental/tasks/me/\(id)/logs", token: other)
                #expect(r.status == 404)
            }
            // The agent is not connected: 502.
            let agentID = try #require(try await db.workspaceView(id: id)?.agentID)
            try await db.setAgentLifecycle([agentID], .ready, connected: false)
            var r = try await client.call(.get, "/api/experimental/tasks/me/\(id)/logs", token: token)
            #expect(r.status == 502 && r.object["message"] as? String == "Failed to reach task app endpoint.")
            try await db.setAgentLifecycle([agentID], .ready, connected: true)
            // A URL problem and a non-http scheme.
            let app = try await appID(db, id)
            try await db.pool.write { try $0.execute(sql: "UPDATE workspace_apps SET url = 'https://127.0.0.1:1' WHERE id = ?", arguments: [app]) }
            r = try await client.call(.get, "/api/experimental/tasks/me/\(id)/logs", token: token)
            #expect(r.status == 400 && r.object["message"] as? String == "Only http scheme is supported for direct agent-dial.")
            try await db.pool.write { try $0.execute(sql: "UPDATE workspace_apps SET url = '' WHERE id = ?", arguments: [app]) }
            r = try await client.call(.get, "/api/experimental/tasks/me/\(id)/logs", token: token)
            #expect(r.status == 500 && r.object["message"] as? String == "Task sidebar app URL is not configured.")
            // A stopped task has no apps: 400.
            try await db.createBuild(workspaceID: id, transition: .stop, initiatorID: alice.id)
            try await f.finishBuild(id)
            r = try await client.call(.get, "/api/experimental/tasks/me/\(id)/logs", token: token)
            #expect(r.status == 400 && r.text == #"{"message":"Task sidebar app not found in latest build."}"# + "\n")
            // A plain workspace is not a task: 400 on send and logs.
            let plain = try await f.plainWorkspace(owner: alice)
            r = try await client.call(.post, "/api/experimental/tasks/me/\(plain)/send", token: token, json: #"{"input":"hello"}"#)
            #expect(r.status == 400 && r.object["message"] as? String == "Task is not configured with a sidebar app.")
        }
    }
}
