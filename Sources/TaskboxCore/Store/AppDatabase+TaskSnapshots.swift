import GRDB

/// A task's stored log snapshot and when it was taken (tasks-v2.md §0.2 `task_snapshots`).
public struct StoredTaskSnapshot: Sendable {
    public var json: String
    public var createdAt: String
}

/// The app a stop captures the conversation from: the task's newest bound app that taskbox
/// started itself (tasks-v2.md §3.11, taskbox).
public struct SnapshotSource: Sendable {
    public var taskID: String
    public var url: String
    /// The app's agent token, sent to the app as every agent call does.
    public var agentToken: String
}

extension AppDatabase {
    /// Stores a snapshot, replacing the task's previous one.
    public func storeTaskSnapshot(taskID: String, _ snapshot: TaskLogSnapshot) async throws {
        try await write { db in
            try db.execute(
                sql: """
                    INSERT INTO task_snapshots (task_id, log_snapshot, log_snapshot_created_at) VALUES (?, ?, ?)
                    ON CONFLICT (task_id) DO UPDATE SET log_snapshot = excluded.log_snapshot,
                        log_snapshot_created_at = excluded.log_snapshot_created_at
                    """,
                arguments: [taskID, snapshot.stored, Timestamp.now()])
        }
    }

    public func taskSnapshot(taskID: String) async throws -> StoredTaskSnapshot? {
        try await pool.read { db in
            try Row.fetchOne(
                db, sql: "SELECT log_snapshot, log_snapshot_created_at FROM task_snapshots WHERE task_id = ?", arguments: [taskID]
            ).map { StoredTaskSnapshot(json: $0[0], createdAt: $0[1]) }
        }
    }

    /// The workspace's non-deleted task and the URL of its newest bound app with a command.
    public func snapshotSource(workspaceID: String) async throws -> SnapshotSource? {
        try await pool.read { db in
            try Row.fetchOne(
                db,
                sql: """
                    SELECT t.id, p.url, a.auth_token FROM tasks t
                    JOIN task_workspace_apps bind ON bind.task_id = t.id
                    JOIN workspace_apps p ON p.id = bind.workspace_app_id
                    JOIN workspace_agents a ON a.id = p.agent_id
                    WHERE t.workspace_id = ? AND t.deleted_at IS NULL AND p.command IS NOT NULL AND coalesce(p.url, '') <> ''
                    ORDER BY bind.workspace_build_number DESC LIMIT 1
                    """,
                arguments: [workspaceID]
            ).map { SnapshotSource(taskID: $0[0], url: $0[1], agentToken: $0[2]) }
        }
    }
}
