import Foundation
import GRDB
import Testing
@testable import TaskboxCore

/// Migration "0003-v2-tasks" on a database made under the experimental contract (tasks-v2.md §0.2,
/// Coder's migration 000387): one task per AI-task workspace, deleted workspaces give deleted
/// tasks, and each build gets its binding row.
@Suite struct TasksMigrationTests {
    @Test func experimentalTaskWorkspacesBecomeTasks() async throws {
        let dir = TestDirectory()
        var db = try dir.openDatabase()
        let f = try TaskFixture(db: db)
        let (alice, _) = try f.user("alice")
        let version = try #require(try await db.templateVersionInfo(id: f.aiVersionID))
        func workspace(_ name: String, prompt: String) async throws -> String {
            try await db.createWorkspace(NewWorkspace(
                name: name, ownerID: alice.id, organizationID: version.organizationID, templateID: f.aiTemplateID,
                templateVersionID: f.aiVersionID, presetID: nil, parameters: [("AI Prompt", prompt)], initiatorID: alice.id,
                audit: nil))
        }
        let kept = try await workspace("kept-task", prompt: "keep me")
        try await f.finishBuild(kept)
        let gone = try await workspace("gone-task", prompt: "delete me")
        try await f.finishBuild(gone)
        try await db.createBuild(workspaceID: gone, transition: .delete, initiatorID: alice.id)
        try await f.finishBuild(gone)
        let plain = try await f.plainWorkspace(owner: alice)
        // Back to a file that has only seen "v1-schema".
        try await db.pool.write { db in
            try db.execute(sql: """
                DROP VIEW tasks_with_status; DROP TRIGGER tasks_build_binding; DROP TRIGGER tasks_build_bound;
                DROP TRIGGER tasks_workspace_deleted; DROP TABLE task_snapshots; DROP TABLE task_workspace_apps; DROP TABLE tasks;
                DELETE FROM grdb_migrations WHERE identifier = '0003-v2-tasks';
                """)
        }
        db = try dir.openDatabase()
        #expect(try db.appliedMigrations() == SchemaTests.allMigrations)
        let task = try #require(try await db.task(workspaceID: kept))
        #expect(task.name == "kept-task" && task.prompt == "keep me" && task.ownerID == alice.id && task.id != kept)
        #expect(task.status == .active && task.buildNumber == 1 && task.appID != nil && task.agentID != nil)
        #expect(try await db.task(workspaceID: gone) == nil)
        let deleted = try await db.pool.read { db in
            try String.fetchOne(db, sql: "SELECT deleted_at FROM tasks WHERE workspace_id = ?", arguments: [gone])
        }
        #expect(deleted != nil)
        #expect(try await db.task(workspaceID: plain) == nil)
    }
}
