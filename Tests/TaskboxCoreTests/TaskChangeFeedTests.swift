import Foundation
import GRDB
import Testing
@testable import TaskboxCore

/// The in-process task-change feed (issue #17) wakes its listeners after every commit that
/// wrote a table a task is made of, WITHOUT ROWID tables included (SQLite reports no row
/// events for those).
@Suite(.serialized, .timeLimit(.minutes(2))) struct TaskChangeFeedTests {
    let dir = TestDirectory()

    /// True when `changes` yields within `timeout`.
    static func wakes(_ changes: AsyncStream<Void>, within timeout: Duration) async -> Bool {
        await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                for await _ in changes { return true }
                return false
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return false
            }
            let first = await group.next() ?? false
            group.cancelAll()
            return first
        }
    }

    /// An active task (bound to its app) and a feed listener made after it, so nothing is pending.
    func withActiveTaskAndListener(
        _ body: @escaping @Sendable (TaskFixture, _ taskID: String, _ changes: AsyncStream<Void>) async throws -> Void
    ) async throws {
        try await withV2Server(dir) { f, client, alice, _ in
            let task = try await f.task(in: .active, token: alice, client: client)
            let feed = TaskChangeFeed(database: f.db)
            let (id, changes) = feed.listen()
            defer { feed.stopListening(id) }
            try await body(f, task.id, changes)
        }
    }

    @Test func aCommitThatWritesOnlyTheTaskAppBindingWakesListeners() async throws {
        try await withActiveTaskAndListener { f, taskID, changes in
            // task_workspace_apps is written only by triggers of workspace_builds in the app;
            // here a statement writes it alone, as the sqlite3 shell or a future store method would.
            try await f.db.pool.write { db in
                try db.execute(
                    sql: "UPDATE task_workspace_apps SET workspace_app_id = NULL, workspace_agent_id = NULL WHERE task_id = ?",
                    arguments: [taskID])
            }
            #expect(try await f.db.task(id: taskID)?.status == .initializing)
            #expect(await Self.wakes(changes, within: .seconds(5)), "the feed missed a commit to task_workspace_apps")
        }
    }

    @Test func aRolledBackWriteDoesNotWakeListeners() async throws {
        struct Abort: Error {}
        try await withActiveTaskAndListener { f, taskID, changes throws in
            await #expect(throws: Abort.self) {
                try await f.db.pool.write { db in
                    try db.execute(sql: "UPDATE task_workspace_apps SET workspace_app_id = NULL WHERE task_id = ?", arguments: [taskID])
                    throw Abort()
                }
            }
            #expect(try await f.db.task(id: taskID)?.status == .active)
            #expect(await Self.wakes(changes, within: .milliseconds(500)) == false)
        }
    }
}
