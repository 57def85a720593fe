import Foundation
import GRDB
import Hummingbird
import HummingbirdTesting
import Testing
@testable import TaskboxCore

/// A task's `workspace_agent_id` is the first top-level, not deleted agent of its latest build,
/// resources and agents in creation order (tasks-api.md §1.9), in the list and in a get.
@Suite struct TaskAgentChoiceTests {
    let dir = TestDirectory()

    @Test func theFirstLiveAgentOfTheLatestBuildIsTheTasksAgent() async throws {
        let db = try dir.openDatabase()
        let f = try TaskFixture(db: db)
        let (_, token) = try f.user("alice")
        let manifest = """
            {"name":"two-agents","parameters":[{"name":"AI Prompt","type":"string","default":""}],
             "agents":[{"name":"first","apps":[{"slug":"web","url":"http://127.0.0.1:{port}"}]},
                       {"name":"second","apps":[{"slug":"task-sidebar","url":"http://127.0.0.1:{port}"}]}],
             "ai_task":{"app":"task-sidebar"}}
            """
        let version = try db.pushTemplate(manifestData: Data(manifest.utf8), organization: nil).template_version_id
        try await testApplication(db).test(.router) { client in
            let id = try #require(try await client.createTask(token, version: version, input: "x").object["id"] as? String)
            try await f.finishBuild(id)
            let agents = try await db.pool.read { db in
                try [String: String](uniqueKeysWithValues: Row.fetchAll(db, sql: """
                    SELECT a.name, a.id FROM workspace_agents a JOIN workspace_resources r ON r.id = a.resource_id
                    JOIN workspace_builds b ON b.job_id = r.job_id WHERE b.workspace_id = ?
                    """, arguments: [id]).map { ($0[0], $0[1]) })
            }
            #expect(agents.count == 2)
            func agentShown() async throws -> (get: String?, list: String?) {
                let get = try await client.call(.get, "/api/experimental/tasks/me/\(id)", token: token).object
                let list = try await client.call(.get, "/api/experimental/tasks?q=owner:me", token: token).object
                let row = (list["tasks"] as? [[String: Any]])?.first { $0["id"] as? String == id }
                return (get["workspace_agent_id"] as? String, row?["workspace_agent_id"] as? String)
            }
            // Both agents were created in one transaction; make the order explicit both ways.
            func created(_ name: String, _ time: String) async throws {
                try await db.pool.write { db in
                    try db.execute(sql: "UPDATE workspace_agents SET created_at = ? WHERE id = ?", arguments: [time, agents[name]])
                }
            }
            try await created("first", "2026-01-01T00:00:00Z")
            try await created("second", "2026-01-02T00:00:00Z")
            #expect(try await agentShown() == (agents["first"], agents["first"]))
            try await created("second", "2025-12-31T00:00:00Z")
            #expect(try await agentShown() == (agents["second"], agents["second"]))
            // The earlier agent gone: the next one in order is the task's agent.
            try await db.pool.write { db in
                try db.execute(sql: "UPDATE workspace_agents SET deleted = 1 WHERE id = ?", arguments: [agents["second"]])
            }
            #expect(try await agentShown() == (agents["first"], agents["first"]))
            // A sub-agent never is.
            try await db.pool.write { db in
                try db.execute(sql: "UPDATE workspace_agents SET parent_id = ? WHERE id = ?", arguments: [agents["second"], agents["first"]])
            }
            #expect(try await agentShown() == (nil, nil))
        }
    }
}
