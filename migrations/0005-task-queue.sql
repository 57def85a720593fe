-- Migration 0005-task-queue (issue #17): follow-up inputs queued for a task's agent, delivered
-- in `seq` order, one per idle agent. A row is deleted once the agent accepted it; withdrawing
-- deletes it too. Rows of a task that is deleted go with it.
CREATE TABLE task_queued_inputs (
    seq         INTEGER PRIMARY KEY AUTOINCREMENT,
    id          TEXT NOT NULL UNIQUE,
    task_id     TEXT NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    input       TEXT NOT NULL,
    created_by  TEXT REFERENCES users (id) ON DELETE SET NULL,
    created_at  TEXT NOT NULL,
    attempts    INTEGER NOT NULL DEFAULT 0,
    last_error  TEXT
) STRICT;
CREATE INDEX task_queued_inputs_task ON task_queued_inputs (task_id, seq);
