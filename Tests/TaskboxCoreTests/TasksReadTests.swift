import Foundation
import GRDB
import Hummingbird
import HummingbirdTesting
import Testing
@testable import TaskboxCore

/// List, get, delete and prompts (tasks-api.md §1.1, §1.3–§1.5, §10 #1–#9).
@Suite struct TasksReadTests {
    let dir = TestDirectory()

    @Test func listShowsOwnTasksWithPromptAndCount() async throws {
        let db = try dir.openDatabase()
        let f = try TaskFixture(db: db)
        let (_, token) = try f.user("alice")
        let (_, bobToken) = try f.user("bob")
        try await testApplication(db).test(.router) { client in
            let created = try await client.createTask(token, version: f.aiVersionID, input: "build me a web app", name: "web-app")
            let id = try #require(created.object["id"] as? String)
            _ = try await client.createTask(bobToken, version: f.aiVersionID, input: "bob's", name: "bobs-task")
            // Pending tasks are listed at once (the optimistic rule of §6.4).
            var list = try await client.call(.get, "/api/experimental/tasks?q=owner:%22me%22", token: token)
            #expect(list.status == 200, "\(list.text)")
            var tasks = try #require(list.object["tasks"] as? [[String: Any]])
            #expect(tasks.map { $0["id"] as? String } == [id])
            #expect(tasks.first?["initial_prompt"] as? String == "build me a web app")
            #expect(tasks.first?["status"] as? String == "pending")
            #expect(list.object["count"] as? Int == 1)
            try await f.finishBuild(id)
            list = try await client.call(.get, "/api/experimental/tasks?q=owner:me", token: token)
            tasks = try #require(list.object["tasks"] as? [[String: Any]])
            #expect(tasks.first?["status"] as? String == "running")
            #expect(tasks.first?["name"] as? String == "web-app")
            #expect(tasks.first?["workspace_id"] as? String == id)
            // A member sees only their own tasks even without a filter.
            list = try await client.call(.get, "/api/experimental/tasks", token: token)
            #expect((list.object["tasks"] as? [[String: Any]])?.count == 1)
        }
    }

    @Test func listExcludesNonTasksFailedFirstBuildsAndDeleted() async throws {
        let db = try dir.openDatabase()
        let f = try TaskFixture(db: db)
        let (alice, token) = try f.user("alice")
        try await testApplication(db).test(.router) { client in
            _ = try await f.plainWorkspace(owner: alice)
            let failed = try #require(try await client.createTask(token, version: f.aiVersionID, name: "fails").object["id"] as? String)
            try await f.finishBuild(failed, error: "boom")
            let ok = try #require(try await client.createTask(token, version: f.aiVersionID, name: "works").object["id"] as? String)
            try await f.finishBuild(ok)
            var list = try await client.call(.get, "/api/experimental/tasks", token: token)
            #expect((list.object["tasks"] as? [[String: Any]])?.map { $0["name"] as? String } == ["works"])
            // Deleting: still listed while the delete build runs, gone once it succeeds.
            #expect(try await client.call(.delete, "/api/experimental/tasks/me/\(ok)", token: token).status == 202)
            list = try await client.call(.get, "/api/experimental/tasks?q=status:pending", token: token)
            #expect((list.object["tasks"] as? [[String: Any]])?.count == 1)
            try await f.finishBuild(ok)
            list = try await client.call(.get, "/api/experimental/tasks", token: token)
            #expect((list.object["tasks"] as? [[String: Any]])?.isEmpty == true)
            #expect(list.object["count"] as? Int == 0)
            let view = try #require(try await db.workspaceView(id: ok))
            #expect(view.deleted && view.build?.status.rawValue == "deleted")
        }
    }

    @Test func getShowsCurrentStateWithTheStaleRule() async throws {
        let db = try dir.openDatabase()
        let f = try TaskFixture(db: db)
        let (_, token) = try f.user("alice")
        try await testApplication(db).test(.router) { client in
            let id = try #require(try await client.createTask(token, version: f.aiVersionID, input: "review my code").object["id"] as? String)
            // Before the build completes, the prompt parameter marks the workspace as a task.
            var got = try await client.call(.get, "/api/experimental/tasks/me/\(id)", token: token)
            #expect(got.status == 200)
            try await f.finishBuild(id)
            try await db.pool.write { db in
                let row = try #require(try Row.fetchOne(db, sql: """
                    SELECT a.id AS app, a.agent_id FROM workspace_apps a JOIN workspace_agents g ON g.id = a.agent_id
                    JOIN workspace_resources r ON r.id = g.resource_id JOIN workspace_builds b ON b.job_id = r.job_id
                    WHERE b.workspace_id = ?
                    """, arguments: [id]))
                try db.execute(sql: """
                    INSERT INTO workspace_app_statuses (id, created_at, workspace_id, agent_id, app_id, state, message)
                    VALUES (?, ?, ?, ?, ?, 'complete', 'all done')
                    """, arguments: [ID.new(), Timestamp.now(), id, row["agent_id"] as String, row["app"] as String])
            }
            got = try await client.call(.get, "/api/experimental/tasks/me/\(id)", token: token)
            #expect(got.object["id"] as? String == id)
            #expect(got.object["initial_prompt"] as? String == "review my code")
            let state = try #require(got.object["current_state"] as? [String: Any])
            #expect(state["state"] as? String == "complete" && state["message"] as? String == "all done")
            #expect(state["uri"] as? String == "")
            let health = try #require(got.object["workspace_agent_health"] as? [String: Any])
            #expect(health["healthy"] is Bool)

            // Stop: the state stays; start again: it is stale and hidden.
            try await db.createBuild(workspaceID: id, transition: .stop, initiatorID: try #require(got.object["owner_id"] as? String))
            try await f.finishBuild(id)
            got = try await client.call(.get, "/api/experimental/tasks/me/\(id)", token: token)
            #expect(got.object["status"] as? String == "stopped")
            #expect((got.object["current_state"] as? [String: Any])?["message"] as? String == "all done")
            #expect(got.object["workspace_agent_id"] is NSNull)
            #expect(got.object["workspace_app_id"] is String, "a stop build keeps the sidebar app")
            try await db.createBuild(workspaceID: id, transition: .start, initiatorID: got.object["owner_id"] as! String)
            try await f.finishBuild(id)
            got = try await client.call(.get, "/api/experimental/tasks/me/\(id)", token: token)
            #expect(got.object["status"] as? String == "running")
            #expect(got.object["current_state"] is NSNull)
            #expect(got.object["workspace_build_number"] as? Int == 3)
            #expect(got.object["initial_prompt"] as? String == "review my code", "parameters are copied forward")
        }
    }

    @Test func getAndDeleteErrors() async throws {
        let db = try dir.openDatabase()
        let f = try TaskFixture(db: db)
        let (alice, token) = try f.user("alice")
        let (_, bobToken) = try f.user("bob")
        try await testApplication(db).test(.router) { client in
            var r = try await client.call(.get, "/api/experimental/tasks/me/not-a-uuid", token: token)
            #expect(r.status == 400)
            #expect(r.text == "{\"message\":\"Invalid UUID \\\"not-a-uuid\\\" for task ID.\"}\n")
            r = try await client.call(.delete, "/api/experimental/tasks/me/not-a-uuid", token: token)
            #expect(r.status == 400)
            r = try await client.call(.delete, "/api/experimental/tasks/me/\(UUID().uuidString)", token: token)
            #expect(r.status == 404 && r.object["message"] as? String == CoderText.resourceNotFound)
            // A plain workspace is not a task: 404 on get and delete.
            let plain = try await f.plainWorkspace(owner: alice)
            #expect(try await client.call(.get, "/api/experimental/tasks/me/\(plain)", token: token).status == 404)
            #expect(try await client.call(.delete, "/api/experimental/tasks/me/\(plain)", token: token).status == 404)

            let id = try #require(try await client.createTask(token, version: f.aiVersionID).object["id"] as? String)
            // Delete while the first build is unfinished: has_ai_task is still NULL → 404 (§13 #5).
            #expect(try await client.call(.delete, "/api/experimental/tasks/me/\(id)", token: token).status == 404)
            try await f.finishBuild(id)
            // Another member can neither see nor delete it.
            #expect(try await client.call(.get, "/api/experimental/tasks/me/\(id)", token: bobToken).status == 404)
            #expect(try await client.call(.delete, "/api/experimental/tasks/me/\(id)", token: bobToken).status == 404)
            // `{user}` is resolved but does not scope the lookup.
            #expect(try await client.call(.get, "/api/experimental/tasks/alice/\(id)", token: token).status == 200)
            #expect(try await client.call(.get, "/api/experimental/tasks/nobody/\(id)", token: token).status == 400)
            r = try await client.call(.delete, "/api/experimental/tasks/me/\(id)", token: token)
            #expect(r.status == 202 && r.text.isEmpty)
            // The pending delete build has no has_ai_task yet, so a second delete is a 404 (§1.5 step 4),
            // and any other build is refused while it is active.
            r = try await client.call(.delete, "/api/experimental/tasks/me/\(id)", token: token)
            #expect(r.status == 404)
            await #expect(throws: StoreRefusal.buildActive) {
                try await db.createBuild(workspaceID: id, transition: .stop, initiatorID: alice.id)
            }
            // Over HTTP, Coder's 409 with its text.
            r = try await client.call(.post, "/api/v2/workspaces/\(id)/builds", token: token, json: #"{"transition":"stop"}"#)
            #expect(r.status == 409 && r.object["message"] as? String == "A workspace build is already active.", "\(r.text)")
        }
    }

    @Test func promptsAreFilteredByReadRights() async throws {
        let db = try dir.openDatabase()
        let f = try TaskFixture(db: db)
        let (_, admin) = try f.user("admin", roles: [.owner])
        let (_, member) = try f.user("member")
        try await testApplication(db).test(.router) { client in
            var builds: [String] = []
            for (token, prompt) in [(member, "value2a"), (member, "value2b"), (admin, "value2c")] {
                let id = try #require(try await client.createTask(token, version: f.aiVersionID, input: prompt).object["id"] as? String)
                try await f.finishBuild(id)
                builds.append(try #require(try await db.workspaceView(id: id)?.build?.id))
            }
            let query = "/api/experimental/aitasks/prompts?build_ids=" + builds.joined(separator: ",%20")
            var r = try await client.call(.get, query, token: member)
            #expect(r.status == 200)
            #expect(r.object["prompts"] as? [String: String] == [builds[0]: "value2a", builds[1]: "value2b"])
            r = try await client.call(.get, query, token: admin)
            #expect((r.object["prompts"] as? [String: String])?[builds[2]] == "value2c")
            r = try await client.call(.get, "/api/experimental/aitasks/prompts?build_ids=\(UUID().uuidString)", token: admin)
            #expect(r.text == "{\"prompts\":{}}\n")
            r = try await client.call(.get, "/api/experimental/aitasks/prompts", token: admin)
            #expect(r.status == 400 && r.text == "{\"message\":\"build_ids query parameter is required\"}\n")
            r = try await client.call(.get, "/api/experimental/aitasks/prompts?build_ids=\(builds[0]),abc", token: admin)
            #expect(r.status == 400)
            #expect(r.object["message"] as? String == "Invalid build ID format: abc")
            #expect(r.object["detail"] as? String == "invalid UUID length: 3")
            r = try await client.call(.get, "/api/experimental/aitasks/prompts?build_ids=a,,b", token: admin)
            #expect(r.object["message"] as? String == "Invalid build ID format: a")
        }
    }

    @Test func listErrorsAreCodersEnvelopes() async throws {
        let db = try dir.openDatabase()
        let (_, token) = try Fixture(db: db).user("alice")
        try await testApplication(db).test(.router) { client in
            var r = try await client.call(.get, "/api/experimental/tasks?limit=bogus&offset=-1", token: token)
            #expect(r.status == 400)
            #expect(r.text == #"{"message":"Query parameters have invalid values.","validations":[{"field":"limit","detail":"Query param \"limit\" must be a valid 32-bit positive integer: strconv.ParseInt: parsing \"bogus\": invalid syntax"},{"field":"offset","detail":"Query param \"offset\" must be a valid 32-bit positive integer: value is negative"}]}"# + "\n")
            r = try await client.call(.get, "/api/experimental/tasks?q=status:bogus", token: token)
            #expect(r.status == 400)
            #expect(r.object["message"] as? String == "Invalid workspace search query.")
            #expect(r.text.contains(#"{"field":"status","detail":"Query param \"status\" has invalid value: \"bogus\" is not a valid value"}"#))
            r = try await client.call(.get, "/api/experimental/tasks?q=foo:bar", token: token)
            #expect(r.text.contains(#"\"foo\" is not a valid query param"#))
            r = try await client.call(.get, "/api/experimental/tasks?after_id=bogus", token: token)
            #expect(r.text.contains(#"Query param \"after_id\" must be a valid uuid"#))
            r = try await client.call(.get, "/api/experimental/tasks?q=owner:me&limit=25&offset=0", token: token)
            #expect(r.text == "{\"tasks\":[],\"count\":0}\n")
        }
    }
}
