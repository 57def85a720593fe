import Foundation
import GRDB
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing
@testable import TaskboxCore

/// `PATCH /api/v2/workspaceagents/me/app-status` (tasks-api.md §8, §10 TestWorkspaceAgentAppStatus
/// and TestTasksNotification).
@Suite struct AppStatusTests {
    let dir = TestDirectory()

    struct Built {
        var workspaceID: String
        var agentToken: String
        var appID: String
        var agentID: String
    }

    func built(_ f: TaskFixture, owner: UserRecord, token: String, client: some TestClientProtocol, prompt: String = "do it",
               task: Bool = true) async throws -> Built {
        let id: String
        if task {
            id = try #require(try await client.createTask(token, version: f.aiVersionID, input: prompt).object["id"] as? String)
            try await f.finishBuild(id)
        } else {
            id = try await f.plainWorkspace(owner: owner)
        }
        let row = try #require(try await f.db.pool.read { db in
            try Row.fetchOne(db, sql: """
                SELECT a.auth_token, a.id AS agent, p.id AS app FROM workspace_agents a
                JOIN workspace_apps p ON p.agent_id = a.id JOIN workspace_resources r ON r.id = a.resource_id
                JOIN workspace_builds b ON b.job_id = r.job_id WHERE b.workspace_id = ?
                """, arguments: [id])
        })
        return Built(workspaceID: id, agentToken: row["auth_token"], appID: row["app"], agentID: row["agent"])
    }

    func patch(_ client: some TestClientProtocol, token: String?, _ body: String) async throws -> (status: Int, text: String, object: [String: Any]) {
        var headers: HTTPFields = [.contentType: "application/json"]
        if let token { headers[HTTPField.Name("Coder-Session-Token")!] = token }
        return try await client.execute(
            uri: "/api/v2/workspaceagents/me/app-status", method: .patch, headers: headers, body: ByteBuffer(string: body)
        ) { (Int($0.status.code), $0.text, $0.object) }
    }

    @Test func successAndEachValidationError() async throws {
        let db = try dir.openDatabase()
        let f = try TaskFixture(db: db)
        let (alice, token) = try f.user("alice")
        try await testApplication(db).test(.router) { client in
            let b = try await built(f, owner: alice, token: token, client: client)
            var r = try await patch(client, token: b.agentToken,
                                    #"{"app_slug":"task-sidebar","state":"complete","message":"all <b>done</b>\u001b[31m  now ","uri":"https://example.com","icon":"x","needs_user_attention":true}"#)
            #expect(r.status == 200 && r.text == "null\n")
            let rows = try await db.pool.read { try Row.fetchAll($0, sql: "SELECT * FROM workspace_app_statuses WHERE app_id = ?", arguments: [b.appID]) }
            #expect(rows.count == 1)
            #expect(rows.first?["state"] == "complete")
            #expect(rows.first?["message"] == "all done now")
            #expect(rows.first?["uri"] == "https://example.com")
            // The task shows it as its current state.
            let task = try await client.call(.get, "/api/experimental/tasks/me/\(b.workspaceID)", token: token)
            #expect((task.object["current_state"] as? [String: Any])?["state"] as? String == "complete")
            #expect((task.object["current_state"] as? [String: Any])?["uri"] as? String == "https://example.com")

            r = try await patch(client, token: b.agentToken, #"{"app_slug":"unknown","state":"working","message":"x"}"#)
            #expect(r.status == 400)
            #expect(r.text == #"{"message":"Failed to get workspace app.","detail":"No app found with slug \"unknown\""}"# + "\n")
            r = try await patch(client, token: b.agentToken, #"{"app_slug":"task-sidebar","state":"unknown","message":"x"}"#)
            #expect(r.status == 400)
            #expect(r.text == #"{"message":"Invalid state provided.","detail":"invalid state: \"unknown\"","validations":[{"field":"state","detail":"State must be one of: complete, failure, working."}]}"# + "\n")
            let long = String(repeating: "a", count: 161)
            r = try await patch(client, token: b.agentToken, #"{"app_slug":"task-sidebar","state":"working","message":"\#(long)"}"#)
            #expect(r.status == 400)
            #expect(r.text == #"{"message":"Message is too long.","detail":"Message must be less than 160 characters.","validations":[{"field":"message","detail":"Message must be less than 160 characters."}]}"# + "\n")
            r = try await patch(client, token: b.agentToken, #"{"app_slug":"task-sidebar","state":"idle","message":"\#(String(repeating: "a", count: 160))"}"#)
            #expect(r.status == 200)
            let count = try await db.pool.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM workspace_app_statuses") }
            #expect(count == 2, "every accepted call adds a row; refused calls add none")
        }
    }

    @Test func agentTokenFailures() async throws {
        let db = try dir.openDatabase()
        let f = try TaskFixture(db: db)
        let (alice, token) = try f.user("alice")
        try await testApplication(db).test(.router) { client in
            let b = try await built(f, owner: alice, token: token, client: client)
            let body = #"{"app_slug":"task-sidebar","state":"idle","message":"x"}"#
            var r = try await patch(client, token: nil, body)
            #expect(r.status == 401 && r.text == #"{"message":"Cookie \"coder_session_token\" must be provided."}"# + "\n")
            r = try await patch(client, token: "not-a-uuid", body)
            #expect(r.status == 401 && r.object["message"] as? String == "Workspace agent token invalid.")
            #expect(r.object["detail"] as? String == "An agent token must be a valid UUIDv4. (len 10)")
            r = try await patch(client, token: UUID().uuidString, body)
            #expect(r.status == 401 && r.object["message"] as? String == "Workspace agent not authorized.")
            // A user's API key is not an agent token.
            r = try await patch(client, token: token, body)
            #expect(r.status == 401)
            // A newer build (a stop) retires the token.
            try await db.createBuild(workspaceID: b.workspaceID, transition: .stop, initiatorID: alice.id)
            r = try await patch(client, token: b.agentToken, body)
            #expect(r.status == 401 && r.object["message"] as? String == "Workspace agent not authorized.")
        }
    }

    struct NotificationCase: Sendable, CustomTestStringConvertible {
        var name: String
        var aiTask: Bool
        var previous: [String]
        var new: String
        var notification: String?
        var longPrompt = false
        var testDescription: String { name }
    }

    static let notificationCases: [NotificationCase] = [
        .init(name: "NoAITask", aiTask: false, previous: [], new: "working", notification: nil),
        .init(name: "NonNotifiedState", aiTask: true, previous: [], new: "complete", notification: nil),
        .init(name: "NonNotifiedTransition", aiTask: true, previous: ["working"], new: "working", notification: nil),
        .init(name: "TemplateTaskWorking", aiTask: true, previous: [], new: "working", notification: nil),
        .init(name: "InitialTemplateTaskIdle", aiTask: true, previous: [], new: "idle", notification: "Task Idle"),
        .init(name: "TemplateTaskWorkingFromIdle", aiTask: true, previous: ["working", "idle"], new: "working", notification: "Task Working"),
        .init(name: "TemplateTaskIdle", aiTask: true, previous: ["working"], new: "idle", notification: "Task Idle"),
        .init(name: "LongTaskPrompt", aiTask: true, previous: ["working"], new: "idle", notification: "Task Idle", longPrompt: true),
    ]

    @Test(arguments: notificationCases)
    func notificationsFollowSection8_4(c: NotificationCase) async throws {
        let db = try dir.openDatabase()
        let f = try TaskFixture(db: db)
        let (alice, token) = try f.user("alice")
        let prompt = c.longPrompt
            ? String(repeating: "word ", count: 40).trimmingCharacters(in: .whitespaces) + " end"
            : "fix the flaky test"
        try await testApplication(db).test(.router) { client in
            let b = try await built(f, owner: alice, token: token, client: client, prompt: prompt, task: c.aiTask)
            let slug = c.aiTask ? "task-sidebar" : "web"
            try await db.pool.write { db in
                for (i, state) in c.previous.enumerated() {
                    try db.execute(sql: """
                        INSERT INTO workspace_app_statuses (id, created_at, workspace_id, agent_id, app_id, state, message)
                        VALUES (?, ?, ?, ?, ?, ?, 'earlier')
                        """, arguments: [ID.new(), Timestamp.format(Date().addingTimeInterval(Double(i) - 10)), b.workspaceID, b.agentID, b.appID, state])
                }
            }
            let r = try await patch(client, token: b.agentToken,
                                    #"{"app_slug":"\#(slug)","state":"\#(c.new)","message":"testing","uri":"https://example.com"}"#)
            #expect(r.status == 200, "\(r.text)")
            let newest = try await db.pool.read {
                try String.fetchOne($0, sql: "SELECT state FROM workspace_app_statuses WHERE app_id = ? ORDER BY created_at DESC LIMIT 1", arguments: [b.appID])
            }
            #expect(newest == c.new)
            let sent = try await db.pool.read { try Row.fetchAll($0, sql: "SELECT * FROM notifications") }
            if let expected = c.notification {
                #expect(sent.count == 1)
                let n = try #require(sent.first)
                #expect(n["user_id"] == alice.id)
                #expect((n["template_id"] as String) == (expected == "Task Idle" ? TaskNotification.idleTemplate : TaskNotification.workingTemplate))
                let labels = try #require(try JSONSerialization.jsonObject(with: Data((n["labels"] as String).utf8)) as? [String: String])
                #expect(labels.count == 2)
                let taskLabel = try #require(labels["task"])
                #expect(taskLabel.unicodeScalars.count <= 160)
                if c.longPrompt {
                    #expect(taskLabel.hasSuffix("…") && prompt.hasPrefix(String(taskLabel.dropLast())))
                } else {
                    #expect(taskLabel == prompt)
                }
                let workspaceName = try #require(try await db.workspaceView(id: b.workspaceID)?.name)
                #expect(labels["workspace"] == workspaceName)
                #expect((n["title"] as String).contains(workspaceName))
            } else {
                #expect(sent.isEmpty)
            }
        }
    }
}
