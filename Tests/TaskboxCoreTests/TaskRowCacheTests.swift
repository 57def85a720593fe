import Foundation
import GRDB
import Hummingbird
import HummingbirdTesting
import Synchronization
import Testing
@testable import TaskboxCore

/// A list serves task rows it kept from an earlier page only while nothing they show changed
/// (migration 0007's `row_version`, issue #19): after each kind of change, the listed row shows
/// the new value and is byte for byte the row a get reads fresh.
@Suite struct TaskRowCacheTests {
    let dir = TestDirectory()

    @Test func everyChangeATaskRowShowsReachesTheNextList() async throws {
        let db = try dir.openDatabase()
        let f = try TaskFixture(db: db)
        let (alice, token) = try f.user("alice")
        try await testApplication(db).test(.router) { client in
            let id = try #require(try await client.createTask(token, version: f.aiVersionID, input: "first prompt").object["id"] as? String)
            _ = try await client.createTask(token, version: f.aiVersionID, input: "other")

            /// The task's row in the list, checked against a get of the same task.
            func listed() async throws -> [String: Any] {
                let list = try await client.call(.get, "/api/experimental/tasks?q=owner:me", token: token)
                let text = list.text
                // A get through a second store on the file, whose caches are empty: a fresh read.
                let fresh = try dir.openDatabase()
                let get = try await testApplication(fresh).test(.router) { other in
                    try await other.call(.get, "/api/experimental/tasks/me/\(id)", token: token).text
                }
                // And the get of this store, which may answer from its own cache.
                #expect(try await client.call(.get, "/api/experimental/tasks/me/\(id)", token: token).text == get)
                // The get's object appears verbatim in the list (the health's time may differ by
                // the second the two requests were made in: compare without it).
                let strip = { (s: String) in s.replacingOccurrences(of: #""workspace_agent_health":\{[^}]*\}"#, with: "", options: .regularExpression) }
                #expect(strip(text).contains(strip(get).trimmingCharacters(in: .whitespacesAndNewlines)), "list: \(text)\nget: \(get)")
                let rows = try #require(list.object["tasks"] as? [[String: Any]])
                return try #require(rows.first { $0["id"] as? String == id })
            }
            func sql(_ statement: String, _ arguments: StatementArguments = []) async throws {
                try await db.pool.write { try $0.execute(sql: statement, arguments: arguments) }
            }

            #expect(try await listed()["status"] as? String == "pending")
            // The build runs: job, agent, app.
            try await f.finishBuild(id)
            #expect(try await listed()["status"] as? String == "running")
            #expect(try await listed()["workspace_agent_lifecycle"] as? String == "ready")
            // The agent's lifecycle.
            let agent = try #require(try await listed()["workspace_agent_id"] as? String)
            try await db.setAgentLifecycle([agent], .shuttingDown)
            #expect(try await listed()["workspace_agent_lifecycle"] as? String == "shutting_down")
            // An app status.
            try await sql("""
                INSERT INTO workspace_app_statuses (id, created_at, workspace_id, agent_id, app_id, state, message)
                SELECT ?, ?, ?, a.agent_id, a.id, 'working', 'on it' FROM workspace_apps a WHERE a.agent_id = ?
                """, [ID.new(), Timestamp.now(), id, agent])
            #expect((try await listed()["current_state"] as? [String: Any])?["message"] as? String == "on it")
            // The owner's name, the template's display name, the prompt.
            try await sql("UPDATE users SET username = 'alicia' WHERE id = ?", [alice.id])
            #expect(try await listed()["owner_name"] as? String == "alicia")
            try await sql("UPDATE templates SET display_name = 'Renamed' WHERE id = ?", [f.aiTemplateID])
            #expect(try await listed()["template_display_name"] as? String == "Renamed")
            try await sql("""
                UPDATE workspace_build_parameters SET value = 'second prompt'
                WHERE name = 'AI Prompt' AND workspace_build_id = (SELECT latest_build_id FROM workspaces WHERE id = ?)
                """, [id])
            #expect(try await listed()["initial_prompt"] as? String == "second prompt")
            // A stop build: a new latest build, then its job.
            try await db.createBuild(workspaceID: id, transition: .stop, initiatorID: alice.id)
            #expect(try await listed()["status"] as? String == "pending")
            try await f.finishBuild(id)
            #expect(try await listed()["status"] as? String == "stopped")
            // Written by another connection, as the sqlite3 shell would.
            let shell = try DatabaseQueue(path: dir.dbPath)
            try await shell.write { try $0.execute(sql: "UPDATE templates SET icon = '/icon/other.svg' WHERE id = ?", arguments: [f.aiTemplateID]) }
            #expect(try await listed()["template_icon"] as? String == "/icon/other.svg")
        }
    }

    /// The heartbeat refreshes every supervised agent's `last_connected_at` every 15 s; since
    /// migration 0008 that moves no `row_version` (it cost 4.5 s per heartbeat at 100,000
    /// workspaces). Any other change of the agent still does.
    @Test func theHeartbeatMovesNoRowVersion() async throws {
        let db = try dir.openDatabase()
        let f = try TaskFixture(db: db)
        let (_, token) = try f.user("alice")
        let id = try await testApplication(db).test(.router) { client in
            try #require(try await client.createTask(token, version: f.aiVersionID).object["id"] as? String)
        }
        try await f.finishBuild(id)
        func state() throws -> (version: Int64, seen: String?, agent: String) {
            try db.pool.read { db in
                let row = try #require(try Row.fetchOne(db, sql: """
                    SELECT w.row_version, a.last_connected_at, a.id FROM workspaces w
                    JOIN workspace_builds b ON b.id = w.latest_build_id JOIN workspace_agents a ON a.id = b.agent_id
                    WHERE w.id = ?
                    """, arguments: [id]))
                return (row[0], row[1], row[2])
            }
        }
        let before = try state()
        try await Task.sleep(for: .milliseconds(5))
        try await db.heartbeat()
        let after = try state()
        #expect(after.seen != nil && after.seen != before.seen, "the heartbeat refreshed the agent")
        #expect(after.version == before.version)
        try await db.setAgentLifecycle([after.agent], .shuttingDown)
        #expect(try state().version > after.version)
    }

    /// So a kept row is served for at most its maximum age: after it, the row is read again
    /// and shows what the heartbeat's column says (here: an agent not seen for two minutes).
    @Test func aKeptRowIsReadAgainOnceOlderThanItsMaximumAge() async throws {
        let db = try AppDatabase(path: dir.dbPath, taskRowMaximumAge: .seconds(2))
        let f = try TaskFixture(db: db)
        let (_, token) = try f.user("alice")
        try await testApplication(db).test(.router) { client in
            let id = try #require(try await client.createTask(token, version: f.aiVersionID).object["id"] as? String)
            try await f.finishBuild(id)
            func health() async throws -> [String: Any]? {
                let list = try await client.call(.get, "/api/experimental/tasks?q=owner:me", token: token)
                let rows = try #require(list.object["tasks"] as? [[String: Any]])
                return rows.first { $0["id"] as? String == id }?["workspace_agent_health"] as? [String: Any]
            }
            #expect(try await health()?["healthy"] as? Bool == true)
            let twoMinutesAgo = Timestamp.format(Date().addingTimeInterval(-120))
            try await db.pool.write { db in
                try db.execute(sql: """
                    UPDATE workspace_agents SET last_connected_at = ?
                    WHERE id = (SELECT b.agent_id FROM workspaces w JOIN workspace_builds b ON b.id = w.latest_build_id WHERE w.id = ?)
                    """, arguments: [twoMinutesAgo, id])
            }
            // Within the maximum age the kept row is served as it was read (2 s: ample between
            // two requests even on a loaded machine).
            #expect(try await health()?["healthy"] as? Bool == true)
            try await Task.sleep(for: .milliseconds(2100))
            let stale = try await health()
            #expect(stale?["healthy"] as? Bool == false)
            #expect(stale?["reason"] as? String == "agent has lost connection")
        }
    }

    /// A list keeps each row's task JSON with the row (issue #19) and writes it again only when
    /// the row's version moves or the clock turns what it shows: here the agent's health, 60 s
    /// after its last heartbeat (tasks-api.md §6.5).
    @Test func aKeptTaskRenderingIsReusedUntilTheClockTurnsItsHealth() async throws {
        let db = try dir.openDatabase()
        let f = try TaskFixture(db: db)
        let (alice, token) = try f.user("alice")
        let id = try await testApplication(db).test(.router) { client in
            try #require(try await client.createTask(token, version: f.aiVersionID).object["id"] as? String)
        }
        try await f.finishBuild(id)
        let seen = try #require(try await db.pool.read { db in
            try String.fetchOne(db, sql: """
                SELECT a.last_connected_at FROM workspaces w JOIN workspace_builds b ON b.id = w.latest_build_id
                JOIN workspace_agents a ON a.id = b.agent_id WHERE w.id = ?
                """, arguments: [id])
        })
        let lastSeen = try #require(Timestamp.epochSeconds(seen))
        let renders = Mutex(0)
        var tasks = WorkspaceFilter()
        tasks.hasAITask = true
        func list(at now: Double) async throws -> [String: Any] {
            let (rows, total) = try await db.listRenderedWorkspaces(
                filter: tasks, authorizer: Authorizer(try #require(try await db.actor(userID: alice.id)).actor),
                pagination: Pagination(limit: 25), now: now
            ) { view in
                renders.withLock { $0 += 1 }
                return TasksController.renderedTask(view, now: now)
            }
            #expect(total == 1 && rows.count == 1)
            let object = try JSONSerialization.jsonObject(with: Data(try #require(rows.first))) as? [String: Any]
            return try #require(object?["workspace_agent_health"] as? [String: Any])
        }
        #expect(try await list(at: lastSeen + 1)["healthy"] as? Bool == true)
        #expect(renders.withLock { $0 } == 1)
        // Later, but before the agent's 60 s are up: the kept JSON, not rendered again.
        #expect(try await list(at: lastSeen + 59)["healthy"] as? Bool == true)
        #expect(renders.withLock { $0 } == 1)
        // Past them: rendered again, and it says so.
        let late = try await list(at: lastSeen + 61)
        #expect(late["healthy"] as? Bool == false)
        #expect(late["reason"] as? String == "agent has lost connection")
        #expect(renders.withLock { $0 } == 2)
        // A change of the row moves its version: rendered again even though the clock did not move.
        try await db.setAgentLifecycle([try #require(try await db.pool.read { db in
            try String.fetchOne(db, sql: "SELECT b.agent_id FROM workspaces w JOIN workspace_builds b ON b.id = w.latest_build_id WHERE w.id = ?",
                                arguments: [id])
        })], .shuttingDown)
        #expect(try await list(at: lastSeen + 61)["healthy"] as? Bool == false)
        #expect(renders.withLock { $0 } == 3)
    }

    /// `statusChangesAt(after:)` is when `status(now:)` turns by the clock alone: the same status
    /// at every moment before it, another just after; none for a status that never turns.
    @Test func anAgentsStatusHoldsUntilItsChangeTime() {
        let base = 1_800_000_000.0
        func at(_ offset: Double) -> String { Timestamp.format(Date(timeIntervalSince1970: base + offset)) }
        let agents: [AgentConnection] = [
            // connecting, with and without a connection timeout
            AgentConnection(lifecycle: .starting, createdAt: at(0), connectionTimeoutSeconds: 120),
            AgentConnection(lifecycle: .starting, createdAt: at(0), connectionTimeoutSeconds: 0),
            // connected, then silent
            AgentConnection(lifecycle: .ready, createdAt: at(0), firstConnectedAt: at(5), lastConnectedAt: at(30),
                            connectionTimeoutSeconds: 120),
            // disconnected on purpose
            AgentConnection(lifecycle: .off, createdAt: at(0), firstConnectedAt: at(5), lastConnectedAt: at(30),
                            disconnectedAt: at(40), connectionTimeoutSeconds: 120),
        ]
        for agent in agents {
            for start in stride(from: 0.0, through: 200, by: 7) {
                let now = base + start
                let status = agent.status(now: now)
                if let change = agent.statusChangesAt(after: now) {
                    #expect(change >= now)
                    for t in stride(from: now, to: change, by: max(0.5, (change - now) / 10)) {
                        #expect(agent.status(now: t) == status, "\(agent) at +\(t - base) (from +\(start))")
                    }
                    #expect(agent.status(now: change + 0.01) != status, "\(agent) just after its change at +\(change - base)")
                } else {
                    for t in [now + 1, now + 1000, now + 1_000_000] {
                        #expect(agent.status(now: t) == status, "\(agent) never turns, yet did at +\(t - base)")
                    }
                }
            }
        }
    }
}
