import Foundation
import GRDB

/// A webhook subscription as it is listed: never with its secret.
public struct WebhookSubscription: Codable, Equatable, Sendable {
    public var id: String
    /// Whose tasks it hears of; nil for every user's.
    public var user_id: String?
    public var url: String
    /// The event types it receives; empty means all.
    public var events: [String]
    public var status: String
    public var consecutive_failures: Int
    public var created_at: String
    public var updated_at: String
}

/// A subscription and its secret, the only time the secret is shown.
public struct CreatedWebhook: Sendable {
    public var subscription: WebhookSubscription
    public var secret: String
}

/// One event's way to one subscription, with every attempt.
public struct WebhookDeliveryRecord: Codable, Equatable, Sendable {
    public struct Attempt: Codable, Equatable, Sendable {
        public var attempted_at: String
        public var status_code: Int?
        public var error: String?
        public var duration_ms: Int
    }

    public var id: Int
    public var subscription_id: String
    /// The `webhook-id` the receiver sees on every attempt.
    public var event_id: String
    public var event_type: String
    public var status: String
    public var created_at: String
    public var next_attempt_at: String?
    public var completed_at: String?
    public var last_error: String?
    public var attempts: [Attempt]
}

extension AppDatabase {
    /// How long the previous secret keeps signing after a rotation.
    public static let secretRotationOverlapSeconds: Double = 24 * 3600

    /// Creates a subscription with a fresh secret. `userID` nil: the tasks of every user.
    public func createWebhook(url: String, events: [TaskEventType], userID: String?, createdBy: String?) async throws -> CreatedWebhook {
        let secret = WebhookSecret.generate()
        let id = ID.new()
        let names = events.map(\.rawValue)
        let eventsJSON = try JSONWriter.text(names)
        return try await pool.write { db in
            let now = Timestamp.now()
            try db.execute(
                sql: """
                    INSERT INTO webhook_subscriptions (id, user_id, created_by, url, events, secret, created_at, updated_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [id, userID, createdBy, url, eventsJSON, secret, now, now])
            return CreatedWebhook(subscription: try Self.webhook(db, id: id)!, secret: secret)
        }
    }

    /// Subscriptions, oldest first: all of them (`userID` nil) or those about one user's tasks.
    public func webhooks(userID: String? = nil) async throws -> [WebhookSubscription] {
        try await pool.read { db in
            try Row.fetchAll(
                db,
                sql: "SELECT \(Self.subscriptionColumns) FROM webhook_subscriptions WHERE ?1 IS NULL OR user_id = ?1 ORDER BY created_at, id",
                arguments: [userID]
            ).map(Self.subscription(row:))
        }
    }

    public func webhook(id: String) async throws -> WebhookSubscription? {
        try await pool.read { db in try Self.webhook(db, id: id) }
    }

    /// Deletes a subscription and its undelivered events. False when there was none.
    @discardableResult
    public func deleteWebhook(id: String) async throws -> Bool {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM webhook_subscriptions WHERE id = ?", arguments: [id])
            return db.changesCount == 1
        }
    }

    /// A new secret; the previous one keeps signing alongside for `secretRotationOverlapSeconds`.
    public func rotateWebhookSecret(id: String) async throws -> String {
        let secret = WebhookSecret.generate()
        return try await pool.write { db in
            let now = Date()
            try db.execute(
                sql: """
                    UPDATE webhook_subscriptions SET previous_secret = secret, previous_secret_expires_at = ?,
                      secret = ?, updated_at = ? WHERE id = ?
                    """,
                arguments: [Timestamp.format(now.addingTimeInterval(Self.secretRotationOverlapSeconds)), secret,
                            Timestamp.format(now), id])
            guard db.changesCount == 1 else { throw StoreError.notFound("webhook \(id) not found") }
            return secret
        }
    }

    /// The newest deliveries first, of one subscription or of all, each with its attempts.
    public func webhookDeliveries(subscriptionID: String?, limit: Int = 100) async throws -> [WebhookDeliveryRecord] {
        try await pool.read { db in
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT d.seq, d.subscription_id, d.event_id, e.type, d.status, d.created_at, d.next_attempt_at,
                           d.completed_at, d.last_error
                    FROM webhook_deliveries d JOIN webhook_events e ON e.id = d.event_id
                    WHERE ?1 IS NULL OR d.subscription_id = ?1 ORDER BY d.seq DESC LIMIT ?2
                    """,
                arguments: [subscriptionID, limit])
            return try rows.map { row in
                let seq: Int = row[0]
                let status: String = row[4]
                let next: String = row[6]
                let attempts = try Row.fetchAll(
                    db,
                    sql: "SELECT attempted_at, status_code, error, duration_ms FROM webhook_attempts WHERE delivery_seq = ? ORDER BY id",
                    arguments: [seq]
                ).map { WebhookDeliveryRecord.Attempt(attempted_at: $0[0], status_code: $0[1], error: $0[2], duration_ms: $0[3]) }
                return WebhookDeliveryRecord(
                    id: seq, subscription_id: row[1], event_id: row[2], event_type: row[3], status: status, created_at: row[5],
                    next_attempt_at: status == "pending" ? next : nil, completed_at: row[7], last_error: row[8],
                    attempts: attempts)
            }
        }
    }

    static let subscriptionColumns = "id, user_id, url, events, status, consecutive_failures, created_at, updated_at"

    static func webhook(_ db: Database, id: String) throws -> WebhookSubscription? {
        try Row.fetchOne(
            db, sql: "SELECT \(subscriptionColumns) FROM webhook_subscriptions WHERE id = ?", arguments: [id]
        ).map(subscription(row:))
    }

    static func subscription(row: Row) -> WebhookSubscription {
        let events = (try? JSONDecoder().decode([String].self, from: Data((row[3] as String).utf8))) ?? []
        return WebhookSubscription(
            id: row[0], user_id: row[1], url: row[2], events: events, status: row[4], consecutive_failures: row[5],
            created_at: row[6], updated_at: row[7])
    }
}
