import Foundation
import GRDB

/// A delivery whose turn has come: the head of its subscription's queue, due now.
public struct DueDelivery: Sendable, Equatable {
    public var seq: Int
    public var subscriptionID: String
    public var eventID: String
    public var attempts: Int
    public var createdAt: String
    public var payload: [UInt8]
    public var url: String
    /// The current secret, then the previous one while a rotation's overlap lasts.
    public var secrets: [String]
}

/// What one attempt came to.
public enum DeliveryOutcome: Sendable, Equatable {
    case delivered(statusCode: Int)
    /// `retryAt` nil: the delivery is given up.
    case failed(statusCode: Int?, error: String, retryAt: String?)
}

extension AppDatabase {
    /// After this many failed attempts in a row a subscription is marked `failing` (a success clears it).
    public static let failingThreshold = 5

    /// The one hook for task state changes: called inside the transaction that made the change,
    /// it puts the event in the outbox for every subscription that wants it, so the event exists
    /// exactly when the change does. Workspaces that are not tasks are ignored.
    static func recordTaskEvent(_ db: Database, _ type: TaskEventType, workspaceID: String, message: String) throws {
        guard try Bool.fetchOne(db.cachedStatement(sql: "SELECT EXISTS (SELECT 1 FROM webhook_subscriptions)")) == true,
              let view = try workspaceView(db, id: workspaceID),
              // A task: the prompt parameter (carried to every build) or an AI task build (tasks-api.md §1.4).
              view.prompt != nil || view.build?.hasAITask == true
        else { return }
        let subscribers = try String.fetchAll(
            db.cachedStatement(sql: """
                SELECT id FROM webhook_subscriptions
                WHERE (user_id IS NULL OR user_id = ?)
                  AND (events = '[]' OR EXISTS (SELECT 1 FROM json_each(events) WHERE value = ?))
                ORDER BY created_at, id
                """),
            arguments: [view.ownerID, type.rawValue])
        guard !subscribers.isEmpty else { return }
        let now = Timestamp.now()
        let eventID = "msg_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        var json = JSONWriter()
        TaskEventPayload(type: type, timestamp: now, task: view.task(), message: message).write(to: &json)
        try db.executeCached(
            sql: "INSERT INTO webhook_events (id, type, workspace_id, payload, created_at) VALUES (?, ?, ?, ?, ?)",
            arguments: [eventID, type.rawValue, workspaceID, String(decoding: json.bytes, as: UTF8.self), now])
        for subscription in subscribers {
            try db.executeCached(
                sql: "INSERT INTO webhook_deliveries (subscription_id, event_id, next_attempt_at, created_at) VALUES (?, ?, ?, ?)",
                arguments: [subscription, eventID, now, now])
        }
    }

    /// Records an event outside any other change (the benchmark's load).
    public func recordTaskEvent(_ type: TaskEventType, workspaceID: String, message: String) async throws {
        try await write { db in try Self.recordTaskEvent(db, type, workspaceID: workspaceID, message: message) }
    }

    /// The head of each subscription's queue, if it is due at `now`; subscriptions in `busy` are
    /// skipped. One index probe per subscription, however long the queues are.
    public func dueWebhookDeliveries(now: String, excluding busy: Set<String>, limit: Int) async throws -> [DueDelivery] {
        guard limit > 0 else { return [] }
        return try await pool.read { db in
            try Row.fetchAll(
                db.cachedStatement(sql: """
                    SELECT d.seq, d.subscription_id, d.event_id, d.attempts, d.created_at, e.payload, s.url, s.secret,
                           CASE WHEN s.previous_secret_expires_at > ?1 THEN s.previous_secret END
                    FROM webhook_subscriptions s
                    JOIN webhook_deliveries d ON d.seq = (
                      SELECT seq FROM webhook_deliveries WHERE subscription_id = s.id AND status = 'pending' ORDER BY seq LIMIT 1)
                    JOIN webhook_events e ON e.id = d.event_id
                    WHERE d.next_attempt_at <= ?1
                    ORDER BY d.next_attempt_at, d.seq
                    """),
                arguments: [now]
            ).lazy.map { row in
                DueDelivery(
                    seq: row[0], subscriptionID: row[1], eventID: row[2], attempts: row[3], createdAt: row[4],
                    payload: Array((row[5] as String).utf8), url: row[6], secrets: [row[7] as String?, row[8] as String?].compactMap { $0 })
            }.filter { !busy.contains($0.subscriptionID) }.prefix(limit).map { $0 }
        }
    }

    /// Records one attempt and moves the delivery on: delivered, retried at `retryAt`, or given up;
    /// the subscription's failure count and status follow.
    public func recordWebhookAttempt(
        _ delivery: DueDelivery, outcome: DeliveryOutcome, attemptedAt: String, durationMs: Int
    ) async throws {
        try await write { db in
            try Self.recordAttempt(db, delivery, outcome: outcome, attemptedAt: attemptedAt, durationMs: durationMs)
        }
    }

    private static func recordAttempt(
        _ db: Database, _ delivery: DueDelivery, outcome: DeliveryOutcome, attemptedAt: String, durationMs: Int
    ) throws {
        // Deleted meanwhile (with its subscription): nothing to record.
        guard try Bool.fetchOne(cached: db, sql: "SELECT 1 FROM webhook_deliveries WHERE seq = ? AND status = 'pending'", arguments: [delivery.seq]) == true
        else { return }
        let now = Timestamp.now()
        switch outcome {
        case .delivered(let code):
            try db.executeCached(
                sql: "INSERT INTO webhook_attempts (delivery_seq, attempted_at, status_code, duration_ms) VALUES (?, ?, ?, ?)",
                arguments: [delivery.seq, attemptedAt, code, durationMs])
            try db.executeCached(
                sql: """
                    UPDATE webhook_deliveries SET status = 'delivered', attempts = attempts + 1, completed_at = ?, last_error = NULL
                    WHERE seq = ?
                    """,
                arguments: [now, delivery.seq])
            try db.executeCached(
                sql: """
                    UPDATE webhook_subscriptions SET consecutive_failures = 0, status = 'active',
                      updated_at = CASE WHEN status = 'active' THEN updated_at ELSE ?1 END
                    WHERE id = ?2 AND (consecutive_failures <> 0 OR status <> 'active')
                    """,
                arguments: [now, delivery.subscriptionID])
        case .failed(let code, let error, let retryAt):
            try db.executeCached(
                sql: "INSERT INTO webhook_attempts (delivery_seq, attempted_at, status_code, error, duration_ms) VALUES (?, ?, ?, ?, ?)",
                arguments: [delivery.seq, attemptedAt, code, error, durationMs])
            try db.executeCached(
                sql: """
                    UPDATE webhook_deliveries SET attempts = attempts + 1, last_error = ?,
                      status = CASE WHEN ?2 IS NULL THEN 'failed' ELSE 'pending' END,
                      next_attempt_at = coalesce(?2, next_attempt_at), completed_at = CASE WHEN ?2 IS NULL THEN ?3 END
                    WHERE seq = ?4
                    """,
                arguments: [error, retryAt, now, delivery.seq])
            try db.executeCached(
                sql: """
                    UPDATE webhook_subscriptions SET consecutive_failures = consecutive_failures + 1,
                      status = CASE WHEN consecutive_failures + 1 >= ?1 THEN 'failing' ELSE status END, updated_at = ?2
                    WHERE id = ?3
                    """,
                arguments: [Self.failingThreshold, now, delivery.subscriptionID])
        }
    }
}

extension AppDatabase {
    /// Build creation: a stop pauses a task; a start after a stop resumes it.
    static func recordBuildEvent(
        _ db: Database, workspaceID: String, transition: WorkspaceTransition, previousTransition: WorkspaceTransition
    ) throws {
        switch (transition, previousTransition) {
        case (.stop, _): try recordTaskEvent(db, .paused, workspaceID: workspaceID, message: "")
        case (.start, .stop): try recordTaskEvent(db, .resumed, workspaceID: workspaceID, message: "")
        case (.start, .start), (.start, .delete), (.delete, _): break
        }
    }

    /// A start build that failed fails its task; the job's error is the message.
    static func recordJobFailedEvent(_ db: Database, jobID: String, error: String) throws {
        guard let build = try Row.fetchOne(cached: db, sql: "SELECT workspace_id, transition FROM workspace_builds WHERE job_id = ?", arguments: [jobID]),
              try build.decode(WorkspaceTransition.self, forColumn: "transition") == .start
        else { return }
        try recordTaskEvent(db, .failed, workspaceID: build["workspace_id"], message: error)
    }
}

extension AppDatabase {
    /// Many events in one transaction (the webhook benchmark's backlog).
    func recordTaskEvents(_ type: TaskEventType, workspaceID: String, messages: [String]) async throws {
        try await write { db in
            for message in messages { try Self.recordTaskEvent(db, type, workspaceID: workspaceID, message: message) }
        }
    }

    /// Calls `onChange` after every commit that touched the delivery queue (in this process);
    /// the observation lasts until the returned value is cancelled.
    func observeWebhookDeliveries(_ onChange: @escaping @Sendable () -> Void) -> AnyDatabaseCancellable {
        observeCommits(touching: ["webhook_deliveries"], onChange)
    }
}
