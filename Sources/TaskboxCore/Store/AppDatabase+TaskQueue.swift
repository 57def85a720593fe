import Foundation
import GRDB

/// A follow-up input waiting for its task's agent (issue #17); `position` 1 is delivered next.
public struct QueuedInput: Sendable, Equatable {
    public var id: String
    public var taskID: String
    public var input: String
    public var createdAt: String
    public var position: Int
    public var attempts: Int
    public var lastError: String?
}

extension AppDatabase {
    /// Puts `input` at the end of the task's queue; returns the stored entry with its position.
    public func enqueueInput(taskID: String, input: String, createdBy: String?) async throws -> QueuedInput {
        try await write { db in
            let id = ID.new()
            let now = Timestamp.now()
            try db.execute(
                sql: "INSERT INTO task_queued_inputs (id, task_id, input, created_by, created_at) VALUES (?, ?, ?, ?, ?)",
                arguments: [id, taskID, input, createdBy, now])
            let position = try Int.fetchOne(
                db, sql: "SELECT count(*) FROM task_queued_inputs WHERE task_id = ?", arguments: [taskID]) ?? 1
            return QueuedInput(id: id, taskID: taskID, input: input, createdAt: now, position: position, attempts: 0)
        }
    }

    /// The task's queue in delivery order.
    public func queuedInputs(taskID: String) async throws -> [QueuedInput] {
        try await pool.read { db in
            try Row.fetchAll(
                db.cachedStatement(sql: """
                    SELECT id, task_id, input, created_at, attempts, last_error FROM task_queued_inputs
                    WHERE task_id = ? ORDER BY seq
                    """),
                arguments: [taskID]
            ).enumerated().map { index, row in
                QueuedInput(id: row["id"], taskID: row["task_id"], input: row["input"], createdAt: row["created_at"],
                            position: index + 1, attempts: row["attempts"], lastError: row["last_error"])
            }
        }
    }

    /// Whether the task has anything queued.
    public func hasQueuedInputs(taskID: String) async throws -> Bool {
        try await pool.read { db in
            try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM task_queued_inputs WHERE task_id = ?)", arguments: [taskID]) ?? false
        }
    }

    /// Withdraws one entry of the task's queue; false when it is not (or no longer) there.
    public func withdrawQueuedInput(taskID: String, id: String) async throws -> Bool {
        try await write { db in
            try db.execute(sql: "DELETE FROM task_queued_inputs WHERE task_id = ? AND id = ?", arguments: [taskID, id])
            return db.changesCount > 0
        }
    }

    /// The head of every live task's queue, oldest first: what the delivery worker may send next.
    public func queueHeads() async throws -> [QueuedInput] {
        // Read after every commit of this process that touches a task: on the caller's thread.
        try await quickRead(statement: true) { db in
            try Row.fetchAll(
                db.cachedStatement(sql: """
                    SELECT q.id, q.task_id, q.input, q.created_at, q.attempts, q.last_error FROM task_queued_inputs q
                    JOIN tasks t ON t.id = q.task_id AND t.deleted_at IS NULL
                    WHERE q.seq = (SELECT min(seq) FROM task_queued_inputs WHERE task_id = q.task_id)
                    ORDER BY q.seq
                    """)
            ).map { row in
                QueuedInput(id: row["id"], taskID: row["task_id"], input: row["input"], createdAt: row["created_at"],
                            position: 1, attempts: row["attempts"], lastError: row["last_error"])
            }
        }
    }

    /// The agent accepted the entry: it leaves the queue.
    public func markQueuedInputDelivered(id: String) async throws {
        try await write { db in
            try db.execute(sql: "DELETE FROM task_queued_inputs WHERE id = ?", arguments: [id])
        }
    }

    /// A delivery attempt failed for another reason than a busy agent; the entry stays at the head.
    public func recordQueuedInputFailure(id: String, error: String) async throws {
        try await write { db in
            try db.execute(
                sql: "UPDATE task_queued_inputs SET attempts = attempts + 1, last_error = ? WHERE id = ?", arguments: [error, id])
        }
    }
}
