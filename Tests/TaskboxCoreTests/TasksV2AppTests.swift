import Foundation
import GRDB
import Hummingbird
import HummingbirdTesting
import Testing
@testable import TaskboxCore

/// tasks-v2.md §3.6–§3.8 and §3.11, §9.1 #12–#26 and #47–#58: send, logs (live and from
/// the snapshot) and the agent's snapshot upload, against a fake agentapi on loopback.
@Suite(.serialized, .timeLimit(.minutes(2))) struct TasksV2AppTests {
    let dir = TestDirectory()

    func withServer(
        _ body: @escaping @Sendable (TaskFixture, FakeAgentAPI, any TestClientProtocol, _ alice: String) async throws -> Void
    ) async throws {
        let fake = FakeAgentAPI()
        let dir = self.dir
        try await fake.application().test(.live) { fakeClient in
            let port = try #require(fakeClient.port)
            try await withV2Server(dir, appURL: "http://127.0.0.1:\(port)") { f, client, alice, _ in
                try await body(f, fake, client, alice)
            }
        }
    }

    @Test func sendIsGatedOnStatusThenAgentapiStatus() async throws {
        try await withServer { f, fake, client, alice in
            let task = try await f.task(in: .active, token: alice, client: client)
            let path = "/api/v2/tasks/me/\(task.id)/send"
            let send = #"{"input":"Hello, Agent!"}"#
            let appID = try #require(try await f.db.task(id: task.id)?.appID)
            try await f.db.setAppHealth(appID, .unhealthy)
            var r = try await client.call(.post, path, token: alice, json: send)
            #expect(r.status == 400)
            #expect(r.text == #"{"message":"Task must be active.","detail":"Task status is \"error\", it must be \"active\" to interact with the task."}"# + "\n")
            try await f.db.setAppHealth(appID, .healthy)
            fake.state.withLock { $0.status = "running" }
            r = try await client.call(.post, path, token: alice, json: send)
            #expect(r.status == 409)
            #expect(r.text == #"{"message":"Task app is not ready to accept input.","detail":"Status: running"}"# + "\n")
            fake.state.withLock { $0.status = "stable" }
            r = try await client.call(.post, path, token: alice, json: send)
            #expect(r.status == 204 && r.text.isEmpty)
            #expect(fake.state.withLock { $0.received } == [#"{"content":"Hello, Agent!","type":"user"}"#])
            r = try await client.call(.post, path, token: alice, json: #"{"input":""}"#)
            #expect(r.status == 400 && r.text == #"{"message":"Task input is required."}"# + "\n")
            r = try await client.call(.post, "/api/v2/tasks/me/\(UUID().uuidString)/send", token: alice, json: send)
            #expect(r.status == 404)
        }
    }

    @Test func sendToTasksThatAreNotActive() async throws {
        try await withServer { f, _, client, alice in
            let cases: [(TaskStatus, Int, String)] = [
                (.paused, 409, #"{"message":"Task is paused.","detail":"Resume the task to send messages."}"#),
                (.initializing, 409, #"{"message":"Task is initializing.","detail":"The task is resuming. Wait for the task to become active before sending messages."}"#),
                (.pending, 409, #"{"message":"Task is pending.","detail":"The task is resuming. Wait for the task to become active before sending messages."}"#),
                (.error, 400, #"{"message":"Task must be active.","detail":"Task status is \"error\", it must be \"active\" to interact with the task."}"#),
                (.unknown, 400, #"{"message":"Task must be active.","detail":"Task status is \"unknown\", it must be \"active\" to interact with the task."}"#),
            ]
            for (status, code, text) in cases {
                let task = try await f.task(in: status, token: alice, client: client, name: "task-\(status.rawValue)")
                let r = try await client.call(.post, "/api/v2/tasks/me/\(task.id)/send", token: alice, json: #"{"input":"hi"}"#)
                #expect(r.status == code && r.text == text + "\n", "\(status)")
            }
        }
    }

    @Test func liveLogsOfAnActiveTask() async throws {
        try await withServer { f, fake, client, alice in
            let task = try await f.task(in: .active, token: alice, client: client)
            var r = try await client.call(.get, "/api/v2/tasks/me/\(task.id)/logs", token: alice)
            #expect(r.status == 200)
            #expect(r.text == """
                {"logs":[{"id":0,"content":"Welcome, user!","type":"output","time":"2025-09-25T10:42:48.751774125Z"},\
                {"id":1,"content":"Hello, agent!","type":"input","time":"2025-09-25T10:42:50.1Z"},\
                {"id":2,"content":"What would you like to work on today?","type":"output","time":"2025-09-25T10:42:51Z"}]}
                """ + "\n")
            fake.state.withLock { $0.mode = .badRole }
            r = try await client.call(.get, "/api/v2/tasks/me/\(task.id)/logs", token: alice)
            #expect(r.status == 502 && r.text == #"{"message":"Invalid task app response.","detail":"invalid agentapi message role \"system\""}"# + "\n")
            fake.state.withLock { $0.mode = .fail500 }
            r = try await client.call(.get, "/api/v2/tasks/me/\(task.id)/logs", token: alice)
            #expect(r.status == 502 && r.object["message"] as? String == "Failed to get messages from task app.")
        }
    }

    @Test(arguments: [TaskStatus.pending, .initializing, .paused])
    func logsOfAnInactiveTaskComeFromTheSnapshot(status: TaskStatus) async throws {
        try await withServer { f, _, client, alice in
            let task = try await f.task(in: status, token: alice, client: client)
            var r = try await client.call(.get, "/api/v2/tasks/me/\(task.id)/logs", token: alice)
            #expect(r.status == 200 && r.text == #"{"logs":[],"snapshot":true}"# + "\n")
            try await f.storeRawSnapshot(task.id, twoMessageSnapshot, at: "2026-03-01T11:02:03.456789Z")
            r = try await client.call(.get, "/api/v2/tasks/me/\(task.id)/logs", token: alice)
            #expect(r.status == 200)
            #expect(r.text == """
                {"logs":[{"id":0,"content":"First message","type":"output","time":"2026-03-01T11:00:00Z"},\
                {"id":1,"content":"Second message","type":"input","time":"2026-03-01T11:01:00Z"}],\
                "snapshot":true,"snapshot_at":"2026-03-01T11:02:03.456789Z"}
                """ + "\n")
        }
    }

    @Test func brokenSnapshotsAndErrorStates() async throws {
        try await withServer { f, _, client, alice in
            let task = try await f.task(in: .paused, token: alice, client: client, name: "paused-task")
            let path = "/api/v2/tasks/me/\(task.id)/logs"
            try await f.storeRawSnapshot(task.id, #"{"format":"unknown-format","data":{"messages":[]}}"#)
            var r = try await client.call(.get, path, token: alice)
            #expect(r.status == 500)
            #expect(r.text == #"{"message":"Unsupported task snapshot format.","detail":"Expected format \"agentapi\", got \"unknown-format\"."}"# + "\n")
            try await f.storeRawSnapshot(task.id, #"{"format":"agentapi","data":"not an object"}"#)
            r = try await client.call(.get, path, token: alice)
            #expect(r.status == 500 && r.object["message"] as? String == "Internal error decoding task snapshot.")
            try await f.storeRawSnapshot(task.id, #"{"format":"agentapi","data":{"messages":[{"id":0,"content":"x","role":"system","time":"2026-03-01T11:00:00Z"}]}}"#)
            r = try await client.call(.get, path, token: alice)
            #expect(r.status == 500 && r.text == #"{"message":"Invalid snapshot data.","detail":"invalid agentapi message role \"system\""}"# + "\n")
            for status in [TaskStatus.error, .unknown] {
                let other = try await f.task(in: status, token: alice, client: client, name: "task-\(status.rawValue)")
                r = try await client.call(.get, "/api/v2/tasks/me/\(other.id)/logs", token: alice)
                #expect(r.status == 409)
                #expect(r.text == #"{"message":"Cannot fetch logs for task in current state.","detail":"Task status is \"\#(status.rawValue)\"."}"# + "\n")
            }
        }
    }

    @Test func agentUploadsASnapshotThatLogsServe() async throws {
        try await withServer { f, _, client, alice in
            let task = try await f.task(in: .active, token: alice, client: client)
            let agent = try await f.agentToken(task.workspaceID)
            let path = "/api/v2/workspaceagents/me/tasks/\(task.id)/log-snapshot?format=agentapi"
            let payload = #"{"$schema":"x","messages":[{"id":1,"content":"test","role":"agent","time":"2026-03-01T11:00:00Z"}]}"#
            var r = try await client.call(.post, path, token: agent, json: payload)
            #expect(r.status == 204 && r.text.isEmpty)
            let first = try #require(try await f.db.taskSnapshot(taskID: task.id))
            #expect(first.json == #"{"format":"agentapi","data":{"messages":[{"id":1,"content":"test","role":"agent","time":"2026-03-01T11:00:00Z"}]}}"#)
            try await Task.sleep(for: .milliseconds(2))
            r = try await client.call(.post, path, token: agent, json: #"{"messages":[]}"#)
            #expect(r.status == 204)
            let second = try #require(try await f.db.taskSnapshot(taskID: task.id))
            #expect(second.json == #"{"format":"agentapi","data":{"messages":[]}}"# && second.createdAt > first.createdAt)
        }
    }

    @Test func snapshotUploadRefusals() async throws {
        try await withServer { f, _, client, alice in
            let task = try await f.task(in: .active, token: alice, client: client, name: "task-one")
            let other = try await f.task(in: .active, token: alice, client: client, name: "task-two")
            let agent = try await f.agentToken(task.workspaceID)
            let base = "/api/v2/workspaceagents/me/tasks"
            let ok = #"{"messages":[]}"#
            var r = try await client.call(.post, "\(base)/\(task.id)/log-snapshot", token: agent, json: ok)
            #expect(r.status == 400)
            #expect(r.text == #"{"message":"Invalid query parameters.","validations":[{"field":"format","detail":"Query param \"format\" is required and cannot be empty"}]}"# + "\n")
            r = try await client.call(.post, "\(base)/\(task.id)/log-snapshot?format=agentapi&coder_session_token=\(agent)", token: agent, json: ok)
            #expect(r.status == 400 && r.object["message"] as? String == "Invalid query parameters.")
            r = try await client.call(.post, "\(base)/\(task.id)/log-snapshot?format=unknown", token: agent, json: ok)
            #expect(r.text == #"{"message":"Invalid format parameter.","detail":"Only \"agentapi\" format is currently supported, got \"unknown\"."}"# + "\n")
            let big = #"{"messages":[{"id":0,"content":""# + String(repeating: "x", count: 65 * 1024) + #"","role":"agent","time":"2026-03-01T11:00:00Z"}]}"#
            r = try await client.call(.post, "\(base)/\(task.id)/log-snapshot?format=agentapi", token: agent, json: big)
            #expect(r.status == 413)
            #expect(r.text == #"{"message":"Request body too large.","detail":"Maximum request body size is 65536 bytes."}"# + "\n")
            r = try await client.call(.post, "\(base)/not-a-uuid/log-snapshot?format=agentapi", token: agent, json: ok)
            #expect(r.status == 400 && r.text == #"{"message":"Invalid task ID format.","detail":"invalid UUID length: 10"}"# + "\n")
            r = try await client.call(.post, "\(base)/\(UUID().uuidString)/log-snapshot?format=agentapi", token: agent, json: ok)
            #expect(r.status == 404)
            r = try await client.call(.post, "\(base)/\(other.id)/log-snapshot?format=agentapi", token: agent, json: ok)
            #expect(r.status == 404, "an agent uploads for its own workspace's task only")
            r = try await client.call(.post, "\(base)/\(task.id)/log-snapshot?format=agentapi", token: nil, json: ok)
            #expect(r.status == 401 && r.object["message"] as? String == "Cookie \"coder_session_token\" must be provided.")
            r = try await client.call(.post, "\(base)/\(task.id)/log-snapshot?format=agentapi", token: agent, json: "{")
            #expect(r.status == 400 && r.object["message"] as? String == "Request body must be valid JSON.")
            r = try await client.call(.post, "\(base)/\(task.id)/log-snapshot?format=agentapi", token: agent, json: #"{"truncated":false,"total_count":0}"#)
            #expect(r.status == 400)
            #expect(r.text == #"{"message":"Invalid agentapi payload structure.","detail":"Missing required \"messages\" field."}"# + "\n")
            #expect(try await client.call(.delete, "/api/v2/tasks/me/\(task.id)", token: alice).status == 202)
            r = try await client.call(.post, "\(base)/\(task.id)/log-snapshot?format=agentapi", token: agent, json: ok)
            #expect(r.status == 401, "the delete build retired the agent's token")
        }
    }
}
