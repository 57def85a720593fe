-- Migration 0008-heartbeat-rows (issue #19): the supervisor's heartbeat refreshes
-- `last_connected_at` of every agent it supervises every 15 s (44,875 rows at 100,000
-- workspaces). Through 0007's trigger each of those updates also moved its workspace's
-- `row_version`: 4.5 s of writing and 14,000 WAL pages per heartbeat, and every cached task
-- row thrown away. A task row shows `last_connected_at` only through its agent's health (the
-- 60 s inactivity rule), and the row cache rereads any row it kept longer than 20 s, so the
-- heartbeat's column alone no longer moves the version (0.28 s and 4,000 pages per heartbeat).
DROP TRIGGER workspace_agents_row_version;
CREATE TRIGGER workspace_agents_row_version AFTER UPDATE OF id, resource_id, parent_id, name, lifecycle_state,
    first_connected_at, disconnected_at, connection_timeout_seconds, deleted, created_at ON workspace_agents
BEGIN
    UPDATE workspaces SET row_version = row_version + 1
    WHERE latest_build_id IN (SELECT id FROM workspace_builds WHERE agent_id IN (OLD.id, NEW.id));
END;
