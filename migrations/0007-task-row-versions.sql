-- Migration 0007-task-row-versions (issue #19): `workspaces.row_version` moves whenever
-- anything a task row shows changes (WorkspaceView: the workspace, its owner's name, its
-- template, its latest build and job, the build's prompt and agent, the newest app status),
-- so `serve` can keep the rows of the pages it served and reread only those that changed.
-- Triggers keep it, so every writer (serve, an admin command, the sqlite3 shell) moves it.
ALTER TABLE workspaces ADD COLUMN row_version INTEGER NOT NULL DEFAULT 0;
CREATE INDEX workspace_builds_agent ON workspace_builds (agent_id) WHERE agent_id IS NOT NULL;

CREATE TRIGGER workspaces_row_version AFTER UPDATE OF name, owner_id, organization_id, template_id, created_at,
    updated_at, last_used_at, favorite, deleted, dormant_at, latest_build_id ON workspaces
BEGIN
    UPDATE workspaces SET row_version = row_version + 1 WHERE id = NEW.id;
END;

CREATE TRIGGER workspace_builds_row_version AFTER UPDATE ON workspace_builds
BEGIN
    UPDATE workspaces SET row_version = row_version + 1 WHERE latest_build_id = NEW.id;
END;

CREATE TRIGGER provisioner_jobs_row_version AFTER UPDATE ON provisioner_jobs
BEGIN
    UPDATE workspaces SET row_version = row_version + 1
    WHERE latest_build_id = (SELECT id FROM workspace_builds WHERE job_id = NEW.id);
END;

CREATE TRIGGER workspace_agents_row_version AFTER UPDATE ON workspace_agents
BEGIN
    UPDATE workspaces SET row_version = row_version + 1
    WHERE latest_build_id IN (SELECT id FROM workspace_builds WHERE agent_id IN (OLD.id, NEW.id));
END;

CREATE TRIGGER workspace_app_statuses_row_version_insert AFTER INSERT ON workspace_app_statuses
BEGIN
    UPDATE workspaces SET row_version = row_version + 1 WHERE id = NEW.workspace_id;
END;

CREATE TRIGGER workspace_app_statuses_row_version_update AFTER UPDATE ON workspace_app_statuses
BEGIN
    UPDATE workspaces SET row_version = row_version + 1 WHERE id IN (OLD.workspace_id, NEW.workspace_id);
END;

CREATE TRIGGER workspace_app_statuses_row_version_delete AFTER DELETE ON workspace_app_statuses
BEGIN
    UPDATE workspaces SET row_version = row_version + 1 WHERE id = OLD.workspace_id;
END;

CREATE TRIGGER workspace_build_parameters_row_version_insert AFTER INSERT ON workspace_build_parameters
BEGIN
    UPDATE workspaces SET row_version = row_version + 1 WHERE latest_build_id = NEW.workspace_build_id;
END;

CREATE TRIGGER workspace_build_parameters_row_version_update AFTER UPDATE ON workspace_build_parameters
BEGIN
    UPDATE workspaces SET row_version = row_version + 1 WHERE latest_build_id IN (OLD.workspace_build_id, NEW.workspace_build_id);
END;

CREATE TRIGGER workspace_build_parameters_row_version_delete AFTER DELETE ON workspace_build_parameters
BEGIN
    UPDATE workspaces SET row_version = row_version + 1 WHERE latest_build_id = OLD.workspace_build_id;
END;

CREATE TRIGGER users_row_version AFTER UPDATE OF username ON users
BEGIN
    UPDATE workspaces SET row_version = row_version + 1 WHERE owner_id = NEW.id;
END;

CREATE TRIGGER templates_row_version AFTER UPDATE OF name, display_name, icon, deleted ON templates
BEGIN
    UPDATE workspaces SET row_version = row_version + 1 WHERE template_id = NEW.id;
END;
