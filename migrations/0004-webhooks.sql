-- Migration 0004-webhooks (issue #18): webhook subscriptions, the outbox of task events (one
-- event, one delivery per subscription it goes to, written in the transaction of the change
-- that caused it) and every delivery attempt.

-- A subscription: where events go and how they are signed. `user_id` NULL means the tasks
-- of every user (site owners and the admin CLI only). `events` is a JSON array; [] means all.
CREATE TABLE webhook_subscriptions (
    id                          TEXT PRIMARY KEY,
    user_id                     TEXT REFERENCES users (id) ON DELETE CASCADE,
    created_by                  TEXT REFERENCES users (id) ON DELETE SET NULL,
    url                         TEXT NOT NULL,
    events                      TEXT NOT NULL DEFAULT '[]',
    secret                      TEXT NOT NULL,
    previous_secret             TEXT,
    previous_secret_expires_at  TEXT,
    status                      TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'failing')),
    consecutive_failures        INTEGER NOT NULL DEFAULT 0,
    created_at                  TEXT NOT NULL,
    updated_at                  TEXT NOT NULL
) STRICT;
CREATE INDEX webhook_subscriptions_user ON webhook_subscriptions (user_id);

-- An event as it is sent: `payload` is the exact body that is signed.
CREATE TABLE webhook_events (
    id            TEXT PRIMARY KEY,
    type          TEXT NOT NULL CHECK (type IN ('task.created', 'task.working', 'task.idle', 'task.complete',
                                                'task.failed', 'task.paused', 'task.resumed', 'task.deleted',
                                                'task.needs_input')),
    workspace_id  TEXT NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
    payload       TEXT NOT NULL,
    created_at    TEXT NOT NULL
) STRICT;

-- The outbox: per subscription, deliveries go out in `seq` order, one at a time.
CREATE TABLE webhook_deliveries (
    seq              INTEGER PRIMARY KEY AUTOINCREMENT,
    subscription_id  TEXT NOT NULL REFERENCES webhook_subscriptions (id) ON DELETE CASCADE,
    event_id         TEXT NOT NULL REFERENCES webhook_events (id) ON DELETE CASCADE,
    status           TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  TEXT NOT NULL,
    created_at       TEXT NOT NULL,
    completed_at     TEXT,
    last_error       TEXT
) STRICT;
CREATE INDEX webhook_deliveries_pending ON webhook_deliveries (subscription_id, seq) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_subscription ON webhook_deliveries (subscription_id, seq);

-- Every attempt: `status_code` NULL when no response came (refused, timeout, not allowed).
CREATE TABLE webhook_attempts (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    delivery_seq  INTEGER NOT NULL REFERENCES webhook_deliveries (seq) ON DELETE CASCADE,
    attempted_at  TEXT NOT NULL,
    status_code   INTEGER,
    error         TEXT,
    duration_ms   INTEGER NOT NULL
) STRICT;
CREATE INDEX webhook_attempts_delivery ON webhook_attempts (delivery_seq);
