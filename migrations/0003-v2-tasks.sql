-- Migration 0003-v2-tasks: tasks as rows of their own (tasks-v2.md §0.2), kept current by
-- triggers on the builds the provisioner writes (§0.3 hooks 2-4), and the one status
-- derivation (§2.2) as the view `tasks_with_status`, which every reader of a task status
-- (the v2 routes, watch streams, webhooks) goes through.

CREATE TABLE tasks (
    id                   TEXT PRIMARY KEY,
    organization_id      TEXT NOT NULL REFERENCES organizations (id),
    owner_id             TEXT NOT NULL REFERENCES users (id),
    name                 TEXT NOT NULL,
    workspace_id         TEXT REFERENCES workspaces (id),
    template_version_id  TEXT NOT NULL REFERENCES template_versions (id),
    template_parameters  TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(template_parameters)),
    prompt               TEXT NOT NULL,
    created_at           TEXT NOT NULL,
    deleted_at           TEXT,
    display_name         TEXT NOT NULL DEFAULT '' CHECK (length(CAST(display_name AS BLOB)) <= 127)
) STRICT;
CREATE UNIQUE INDEX tasks_owner_name_unique ON tasks (owner_id, lower(name)) WHERE deleted_at IS NULL;
CREATE INDEX tasks_workspace ON tasks (workspace_id);
CREATE INDEX tasks_list ON tasks (created_at, id) WHERE deleted_at IS NULL;

-- One row per build of a task's workspace; the highest build number is the binding.
CREATE TABLE task_workspace_apps (
    task_id                 TEXT NOT NULL REFERENCES tasks (id) ON DELETE CASCADE,
    workspace_build_number  INTEGER NOT NULL,
    workspace_agent_id      TEXT REFERENCES workspace_agents (id),
    workspace_app_id        TEXT REFERENCES workspace_apps (id),
    PRIMARY KEY (task_id, workspace_build_number)
) STRICT, WITHOUT ROWID;

CREATE TABLE task_snapshots (
    task_id                  TEXT PRIMARY KEY REFERENCES tasks (id) ON DELETE CASCADE,
    log_snapshot             TEXT NOT NULL CHECK (json_valid(log_snapshot)),
    log_snapshot_created_at  TEXT NOT NULL
) STRICT;

-- Coder's migration 000387 for a database made under the experimental contract: one task per
-- workspace whose builds had an AI task (a fresh UUIDv4, the workspace's name, its latest
-- `AI Prompt` as prompt), deleted workspaces giving deleted tasks, and a binding row per build.
INSERT INTO tasks (id, organization_id, owner_id, name, workspace_id, template_version_id, prompt, created_at, deleted_at)
SELECT lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2) || '-'
             || substr('89ab', 1 + abs(random() % 4), 1) || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6))),
       w.organization_id, w.owner_id, w.name, w.id,
       (SELECT template_version_id FROM workspace_builds WHERE workspace_id = w.id ORDER BY build_number LIMIT 1),
       coalesce((SELECT p.value FROM workspace_builds b JOIN workspace_build_parameters p ON p.workspace_build_id = b.id
                 WHERE b.workspace_id = w.id AND p.name = 'AI Prompt' ORDER BY b.build_number DESC LIMIT 1), ''),
       w.created_at, CASE WHEN w.deleted = 1 THEN w.updated_at END
FROM workspaces w
WHERE EXISTS (SELECT 1 FROM workspace_builds b WHERE b.workspace_id = w.id AND b.has_ai_task = 1)
ORDER BY w.created_at, w.id;

INSERT INTO task_workspace_apps (task_id, workspace_build_number, workspace_agent_id, workspace_app_id)
SELECT t.id, b.build_number, CASE WHEN b.transition = 'start' THEN p.agent_id END, CASE WHEN b.transition = 'start' THEN p.id END
FROM tasks t JOIN workspace_builds b ON b.workspace_id = t.workspace_id
LEFT JOIN workspace_apps p ON p.id = b.ai_task_sidebar_app_id;

-- Hook 2: every new build of a task's workspace gets an unbound row.
CREATE TRIGGER tasks_build_binding AFTER INSERT ON workspace_builds
BEGIN
    INSERT OR REPLACE INTO task_workspace_apps (task_id, workspace_build_number)
    SELECT id, NEW.build_number FROM tasks WHERE workspace_id = NEW.workspace_id AND deleted_at IS NULL;
END;

-- Hook 3: a succeeded start binds the AI-task app and its agent (the provisioner sets
-- the build's app when the job succeeds); stop and delete builds stay unbound.
CREATE TRIGGER tasks_build_bound AFTER UPDATE OF ai_task_sidebar_app_id ON workspace_builds
WHEN NEW.transition = 'start' AND NEW.ai_task_sidebar_app_id IS NOT NULL
BEGIN
    UPDATE task_workspace_apps SET
        workspace_app_id = NEW.ai_task_sidebar_app_id,
        workspace_agent_id = (SELECT agent_id FROM workspace_apps WHERE id = NEW.ai_task_sidebar_app_id)
    WHERE workspace_build_number = NEW.build_number
      AND task_id IN (SELECT id FROM tasks WHERE workspace_id = NEW.workspace_id);
END;

-- Hook 4: a workspace deleted by a succeeded delete build takes its task along.
CREATE TRIGGER tasks_workspace_deleted AFTER UPDATE OF deleted ON workspaces
WHEN NEW.deleted = 1 AND OLD.deleted = 0
BEGIN
    DELETE FROM task_snapshots WHERE task_id IN (
        SELECT id FROM tasks WHERE workspace_id = NEW.id AND deleted_at IS NULL);
    UPDATE tasks SET deleted_at = NEW.updated_at WHERE workspace_id = NEW.id AND deleted_at IS NULL;
END;

-- tasks-v2.md §2.2: the status of every non-deleted task, from its binding's build,
-- agent and app.
CREATE VIEW tasks_with_status AS
SELECT t.id, t.organization_id, t.owner_id, t.name, t.workspace_id, t.template_version_id, t.prompt,
       t.created_at, t.display_name,
       CASE
         WHEN t.workspace_id IS NULL OR j.job_status IS NULL THEN 'pending'
         WHEN j.job_status IN ('failed', 'canceling', 'canceled') THEN 'error'
         WHEN b.transition IN ('stop', 'delete') AND j.job_status = 'succeeded' THEN 'paused'
         WHEN b.transition = 'start' AND j.job_status = 'pending' THEN 'pending'
         WHEN b.transition = 'start' AND j.job_status IN ('running', 'succeeded') THEN
           CASE
             WHEN ag.id IS NULL OR ag.lifecycle_state IN ('created', 'starting') THEN 'initializing'
             WHEN ag.lifecycle_state IN ('ready', 'start_timeout', 'start_error') THEN
               CASE app.health
                 WHEN 'initializing' THEN 'initializing'
                 WHEN 'unhealthy' THEN 'error'
                 WHEN 'healthy' THEN 'active'
                 WHEN 'disabled' THEN 'active'
                 ELSE 'unknown' END
             ELSE 'unknown' END
         ELSE 'unknown'
       END AS status,
       bind.workspace_build_number, bind.workspace_agent_id, bind.workspace_app_id,
       ag.lifecycle_state AS workspace_agent_lifecycle_state, app.health AS workspace_app_health
FROM tasks t
LEFT JOIN task_workspace_apps bind ON bind.task_id = t.id AND bind.workspace_build_number = (
    SELECT max(workspace_build_number) FROM task_workspace_apps WHERE task_id = t.id)
LEFT JOIN workspace_builds b ON b.workspace_id = t.workspace_id AND b.build_number = bind.workspace_build_number
LEFT JOIN provisioner_jobs j ON j.id = b.job_id
LEFT JOIN workspace_agents ag ON ag.id = bind.workspace_agent_id
LEFT JOIN workspace_apps app ON app.id = bind.workspace_app_id
WHERE t.deleted_at IS NULL;
