-- Migration 0002-list-order: the task list's order (tasks-api.md §6.6: running first, owner
-- name, name, id; the requester's favourites before all, fetched apart as they are few) kept
-- on the workspace as one text key, so every list form reads its page from an index in order
-- instead of sorting every visible task.

-- The order key, defined once: the triggers below copy it onto the workspace. Components are
-- joined by char(1), which sorts below every character a name can hold, so comparing keys
-- compares (not running, lower(owner name), lower(name), id) in turn.
CREATE VIEW workspace_list_keys AS
SELECT w.id AS workspace_id,
       (1 - w.list_running) || char(1) || lower(u.username) || char(1) || lower(w.name) || char(1) || w.id AS list_key
FROM workspaces w JOIN users u ON u.id = w.owner_id;

ALTER TABLE workspaces ADD COLUMN list_key TEXT NOT NULL DEFAULT '';

CREATE TRIGGER workspaces_list_key_insert AFTER INSERT ON workspaces
BEGIN
    UPDATE workspaces SET list_key = (SELECT list_key FROM workspace_list_keys WHERE workspace_id = NEW.id)
    WHERE id = NEW.id;
END;

CREATE TRIGGER workspaces_list_key_update AFTER UPDATE OF list_running, name, owner_id ON workspaces
BEGIN
    UPDATE workspaces SET list_key = (SELECT list_key FROM workspace_list_keys WHERE workspace_id = NEW.id)
    WHERE id = NEW.id;
END;

CREATE TRIGGER users_list_key_update AFTER UPDATE OF username ON users
BEGIN
    UPDATE workspaces SET list_key = (SELECT list_key FROM workspace_list_keys WHERE workspace_id = workspaces.id)
    WHERE owner_id = NEW.id;
END;

UPDATE workspaces SET list_key = (SELECT list_key FROM workspace_list_keys WHERE workspace_id = workspaces.id);

-- One index per filter family, each ending in the order key (and the name, which a name
-- search tests while it walks the index); the old ones sorted nothing.
DROP INDEX workspaces_list_owner;
DROP INDEX workspaces_list_all;
CREATE INDEX workspaces_list_owner ON workspaces (owner_id, list_task, list_key, name) WHERE deleted = 0;
CREATE INDEX workspaces_list_owner_status ON workspaces (owner_id, list_task, list_status, list_key, name) WHERE deleted = 0;
CREATE INDEX workspaces_list_all ON workspaces (list_task, list_key, name) WHERE deleted = 0;
CREATE INDEX workspaces_list_status ON workspaces (list_task, list_status, list_key, name) WHERE deleted = 0;
CREATE INDEX workspaces_favorites ON workspaces (owner_id, favorite) WHERE deleted = 0 AND favorite = 1;

-- How many live workspaces share each (owner, organization, task, status), kept by triggers:
-- the list's total for the filters these keys answer (owner, organization, status, task and
-- the read filter, which tests only owner and organization) is a sum over a few rows instead
-- of a count over every visible task. A workspace without a build has list_status ''.
CREATE TABLE workspace_list_totals (
    owner_id         TEXT NOT NULL,
    organization_id  TEXT NOT NULL,
    list_task        INTEGER NOT NULL,
    list_status      TEXT NOT NULL,
    n                INTEGER NOT NULL,
    PRIMARY KEY (owner_id, organization_id, list_task, list_status)
) STRICT, WITHOUT ROWID;

CREATE TRIGGER workspaces_totals_insert AFTER INSERT ON workspaces WHEN NEW.deleted = 0
BEGIN
    INSERT INTO workspace_list_totals VALUES (NEW.owner_id, NEW.organization_id, NEW.list_task, coalesce(NEW.list_status, ''), 1)
    ON CONFLICT DO UPDATE SET n = n + 1;
END;

CREATE TRIGGER workspaces_totals_delete AFTER DELETE ON workspaces WHEN OLD.deleted = 0
BEGIN
    UPDATE workspace_list_totals SET n = n - 1
    WHERE owner_id = OLD.owner_id AND organization_id = OLD.organization_id
      AND list_task = OLD.list_task AND list_status = coalesce(OLD.list_status, '');
END;

CREATE TRIGGER workspaces_totals_update AFTER UPDATE OF owner_id, organization_id, list_task, list_status, deleted ON workspaces
BEGIN
    UPDATE workspace_list_totals SET n = n - 1
    WHERE OLD.deleted = 0 AND owner_id = OLD.owner_id AND organization_id = OLD.organization_id
      AND list_task = OLD.list_task AND list_status = coalesce(OLD.list_status, '');
    INSERT INTO workspace_list_totals
    SELECT NEW.owner_id, NEW.organization_id, NEW.list_task, coalesce(NEW.list_status, ''), 1 WHERE NEW.deleted = 0
    ON CONFLICT DO UPDATE SET n = n + 1;
END;

INSERT INTO workspace_list_totals
SELECT owner_id, organization_id, list_task, coalesce(list_status, ''), count(*) FROM workspaces WHERE deleted = 0 GROUP BY 1, 2, 3, 4;
