import Foundation
import GRDB
import Hummingbird
import HummingbirdTesting
import Testing
@testable import TaskboxCore

/// tasks-v2.md §1.5 (`TestTaskParam`), §3.3–§3.5 and §9.1 #2–#11, #27–#33, over real HTTP.
@Suite(.timeLimit(.minutes(2))) struct TasksV2ReadTests {
    let dir = TestDirectory()
    static let notFound = #"{"message":"Resource not found or you do not have access to this resource"}"# + "\n"

    func withServer(
        _ body: @escaping @Sendable (TaskFixture, any TestClientProtocol, _ alice: String, _ bob: String) async throws -> Void
    ) async throws {
        try await withV2Server(dir, body)
    }

    @Test func getByIdAndByNameAnswerTheSameTask() async throws {
        try await withServer { f, client, alice, bob in
            let task = try await f.task(in: .active, token: alice, client: client, name: "my-task")
            let byID = try await client.call(.get, "/api/v2/tasks/me/\(task.id)", token: alice)
            #expect(byID.status == 200)
            let o = byID.object
            #expect(o["id"] as? String == task.id && o["name"] as? String == "my-task" && o["initial_prompt"] as? String == "do work")
            #expect(o["workspace_id"] as? String == task.workspaceID && o["workspace_name"] as? String == "my-task")
            #expect(o["workspace_build_number"] as? Int == 1 && o["workspace_status"] as? String == "running")
            #expect(o["workspace_agent_id"] is String && o["workspace_app_id"] is String)
            #expect(o["workspace_agent_lifecycle"] as? String == "ready")
            #expect((o["workspace_agent_health"] as? [String: Any])?["healthy"] as? Bool == true)
            #expect(o["status"] as? String == "active")
            let byName = try await client.call(.get, "/api/v2/tasks/alice/MY-TASK", token: alice)
            #expect(byName.text == byID.text)
            #expect(try await client.call(.get, "/api/v2/tasks/me/\(task.id)", token: bob).text == Self.notFound)
            #expect(try await client.call(.get, "/api/v2/tasks/alice/my-task", token: bob).status == 404)
            #expect(try await client.call(.get, "/api/v2/tasks/me/my-task", token: bob).status == 404)
        }
    }

    @Test func namesAreScopedPerOwnerAndIdsAreGlobal() async throws {
        try await withServer { f, client, alice, bob in
            let (_, boss) = try f.user("boss", roles: [.owner])
            let hers = try await f.task(in: .pending, token: alice, client: client, name: "same-name")
            let his = try await f.task(in: .pending, token: bob, client: client, name: "same-name")
            #expect(try await client.call(.get, "/api/v2/tasks/me/same-name", token: alice).object["id"] as? String == hers.id)
            #expect(try await client.call(.get, "/api/v2/tasks/me/same-name", token: bob).object["id"] as? String == his.id)
            #expect(try await client.call(.get, "/api/v2/tasks/bob/same-name", token: alice).status == 404)
            #expect(try await client.call(.get, "/api/v2/tasks/bob/same-name", token: boss).object["id"] as? String == his.id)
            // {user} does not scope a UUID (quirk 1).
            #expect(try await client.call(.get, "/api/v2/tasks/me/\(his.id)", token: boss).object["id"] as? String == his.id)
            #expect(try await client.call(.get, "/api/v2/tasks/alice/\(his.id)", token: boss).object["id"] as? String == his.id)
            #expect(try await client.call(.get, "/api/v2/tasks/alice/\(his.id)", token: bob).status == 404, "{user} is resolved first")
        }
    }

    @Test func uuidTakesPrecedenceAndAUUIDLookingNameStillResolves() async throws {
        try await withServer { f, client, alice, _ in
            let a = try await f.task(in: .pending, token: alice, client: client, name: "task-a")
            let b = try await f.task(in: .pending, token: alice, client: client, name: "task-b")
            let lookalike = UUID().uuidString.lowercased()
            try await f.db.pool.write { db in
                try db.execute(sql: "UPDATE tasks SET name = ? WHERE id = ?", arguments: [b.id, a.id])
                try db.execute(sql: "UPDATE tasks SET name = ? WHERE id = ?", arguments: [lookalike, b.id])
            }
            #expect(try await client.call(.get, "/api/v2/tasks/me/\(b.id)", token: alice).object["id"] as? String == b.id)
            #expect(try await client.call(.get, "/api/v2/tasks/me/\(lookalike)", token: alice).object["id"] as? String == b.id)
            #expect(try await client.call(.get, "/api/v2/tasks/me/\(lookalike.uppercased())", token: alice).object["id"] as? String == b.id)
        }
    }

    @Test func workspacesAndUnknownNamesDoNotResolve() async throws {
        try await withServer { f, client, alice, _ in
            let aliceID = try #require(try await f.db.pool.read { try String.fetchOne($0, sql: "SELECT id FROM users WHERE username = 'alice'") })
            let plain = try await f.plainWorkspace(
                owner: UserRecord(id: aliceID, username: "alice", email: "", roles: [], status: "active"), name: "plain-ws")
            #expect(try await client.call(.get, "/api/v2/tasks/me/plain-ws", token: alice).text == Self.notFound)
            #expect(try await client.call(.get, "/api/v2/tasks/me/\(plain)", token: alice).text == Self.notFound)
            #expect(try await client.call(.delete, "/api/v2/tasks/me/\(plain)", token: alice).status == 404)
            #expect(try await client.call(.get, "/api/v2/workspaces/\(plain)", token: alice).object["task_id"] is NSNull)
            #expect(try await client.call(.get, "/api/v2/tasks/me/\(UUID().uuidString)", token: alice).status == 404)
            #expect(try await client.call(.get, "/api/v2/tasks/me/no-such-task", token: alice).status == 404)
            #expect(try await client.call(.get, "/api/v2/tasks/nobody/x", token: alice).text == Self.notFound)
        }
    }

    @Test func deleteHidesTheTaskAtOnceAndTheWorkspaceFollows() async throws {
        try await withServer { f, client, alice, bob in
            let task = try await f.task(in: .active, token: alice, client: client)
            #expect(try await client.call(.delete, "/api/v2/tasks/me/\(task.id)", token: bob).status == 404)
            let r = try await client.call(.delete, "/api/v2/tasks/me/\(task.id)", token: alice)
            #expect(r.status == 202 && r.text.isEmpty)
            #expect(try await client.call(.get, "/api/v2/tasks/me/\(task.id)", token: alice).status == 404)
            #expect((try await client.call(.get, "/api/v2/tasks", token: alice).object["tasks"] as? [Any])?.isEmpty == true)
            try await f.finishBuild(task.workspaceID)
            let workspace = try await client.call(.get, "/api/v2/workspaces/\(task.workspaceID)?deleted=true", token: alice)
            #expect((workspace.object["latest_build"] as? [String: Any])?["status"] as? String == "deleted")
            #expect(try await client.call(.delete, "/api/v2/tasks/me/\(UUID().uuidString)", token: alice).status == 404)
        }
    }

    @Test func deleteWhileTheFirstBuildRunsIs409() async throws {
        try await withServer { f, client, alice, _ in
            let task = try await f.task(in: .pending, token: alice, client: client)
            let r = try await client.call(.delete, "/api/v2/tasks/me/\(task.id)", token: alice)
            #expect(r.status == 409 && r.object["message"] as? String == "A workspace build is already active.")
            #expect(try await client.call(.get, "/api/v2/tasks/me/\(task.id)", token: alice).status == 200)
        }
    }

    @Test func taskWhoseWorkspaceIsDeletedIsStillServedAndDeletable() async throws {
        try await withServer { f, client, alice, _ in
            let task = try await f.task(in: .paused, token: alice, client: client)
            // Marked deleted behind the task's back, as Coder's DeletedWorkspace test does.
            try await f.db.pool.write { db in
                try db.execute(sql: "DROP TRIGGER tasks_workspace_deleted")
                try db.execute(sql: "UPDATE workspaces SET deleted = 1 WHERE id = ?", arguments: [task.workspaceID])
            }
            #expect(try await client.call(.get, "/api/v2/tasks/me/\(task.id)", token: alice).status == 200)
            let ownerID = try await f.ownerID(task)
            #expect(try await client.call(.delete, "/api/v2/tasks/\(ownerID)/\(task.id)", token: alice).status == 202)
        }
    }

    @Test func deleteDropsOnlyItsOwnSnapshot() async throws {
        try await withServer { f, client, alice, _ in
            let a = try await f.task(in: .paused, token: alice, client: client, name: "task-a")
            let b = try await f.task(in: .paused, token: alice, client: client, name: "task-b")
            let c = try await f.task(in: .paused, token: alice, client: client, name: "task-c")
            try await f.storeRawSnapshot(a.id, twoMessageSnapshot)
            try await f.storeRawSnapshot(b.id, twoMessageSnapshot)
            #expect(try await client.call(.delete, "/api/v2/tasks/me/\(a.id)", token: alice).status == 202)
            #expect(try await client.call(.delete, "/api/v2/tasks/me/\(c.id)", token: alice).status == 202)
            #expect(try await f.db.taskSnapshot(taskID: a.id) == nil)
            #expect(try await f.db.taskSnapshot(taskID: b.id) != nil)
        }
    }

    @Test func deletingTheWorkspaceThroughTheWorkspaceAPIDeletesTheTask() async throws {
        try await withServer { f, client, alice, _ in
            let task = try await f.task(in: .paused, token: alice, client: client)
            try await f.storeRawSnapshot(task.id, twoMessageSnapshot)
            let r = try await client.call(.post, "/api/v2/workspaces/\(task.workspaceID)/builds", token: alice, json: #"{"transition":"delete"}"#)
            #expect(r.status == 201)
            #expect(try await client.call(.get, "/api/v2/tasks/me/\(task.id)", token: alice).object["status"] as? String == "unknown")
            try await f.finishBuild(task.workspaceID)
            #expect(try await client.call(.get, "/api/v2/tasks/me/\(task.id)", token: alice).status == 404)
            #expect(try await f.db.taskSnapshot(taskID: task.id) == nil)
        }
    }

    @Test func inputChangesOnlyWhilePaused() async throws {
        try await withServer { f, client, alice, bob in
            let pending = try await f.task(in: .pending, token: alice, client: client, name: "pending-task")
            let paused = try await f.task(in: .paused, token: alice, client: client, name: "paused-task")
            let failed = try await f.task(in: .error, token: alice, client: client, name: "error-task")
            let body = #"{"input":"  a new prompt  "}"#
            for task in [pending, failed] {
                let r = try await client.call(.patch, "/api/v2/tasks/me/\(task.id)/input", token: alice, json: body)
                #expect(r.status == 409)
                #expect(r.text == #"{"message":"Unable to update task input, task must be paused.","detail":"Please stop the task's workspace before updating the input."}"# + "\n")
                #expect(try await f.db.task(id: task.id)?.prompt == "do work")
            }
            var r = try await client.call(.patch, "/api/v2/tasks/me/\(paused.id)/input", token: alice, json: #"{"input":" \t "}"#)
            #expect(r.status == 400 && r.text == #"{"message":"Task input is required."}"# + "\n")
            r = try await client.call(.patch, "/api/v2/tasks/me/\(paused.id)/input", token: bob, json: body)
            #expect(r.status == 404)
            r = try await client.call(.patch, "/api/v2/tasks/me/\(paused.id)/input", token: alice, json: body)
            #expect(r.status == 204 && r.text.isEmpty)
            let got = try await client.call(.get, "/api/v2/tasks/me/\(paused.id)", token: alice)
            #expect(got.object["initial_prompt"] as? String == "  a new prompt  ", "stored untrimmed")
            r = try await client.call(.patch, "/api/v2/tasks/me/\(UUID().uuidString)/input", token: alice, json: body)
            #expect(r.status == 404)
            _ = try await client.call(.delete, "/api/v2/tasks/me/\(paused.id)", token: alice)
            r = try await client.call(.patch, "/api/v2/tasks/me/\(paused.id)/input", token: alice, json: body)
            #expect(r.text == Self.notFound)
        }
    }
}
