-- taskbox schema, version 1: the single source of truth of the database layout.
-- Applied to a new file by migration "v1-schema"; later changes are numbered migrations in
-- Sources/TaskboxCore/Store/Migrations.swift and never edit this text (a test compares it with
-- the copy the binary carries).
--
-- Conventions: ids are lower-case UUID text (API key ids: 10 alphanumerics); times are UTC text
-- in the fixed form 2006-01-02T15:04:05.000000Z, so text order is time order and the JSON layer
-- emits them as stored; booleans are 0/1 integers.

CREATE TABLE users (
    id          TEXT PRIMARY KEY,
    username    TEXT NOT NULL,
    email       TEXT NOT NULL DEFAULT '',
    name        TEXT NOT NULL DEFAULT '',
    avatar_url  TEXT NOT NULL DEFAULT '',
    status      TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended', 'dormant')),
    deleted     INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1)),
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
) STRICT;
CREATE UNIQUE INDEX users_username_unique ON users (lower(username)) WHERE deleted = 0;

-- Explicit site roles; `member` is implicit for every user and never stored.
CREATE TABLE user_site_roles (
    user_id  TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role     TEXT NOT NULL CHECK (role IN ('owner', 'template-admin', 'user-admin', 'auditor')),
    PRIMARY KEY (user_id, role)
) STRICT, WITHOUT ROWID;

CREATE TABLE organizations (
    id            TEXT PRIMARY KEY,
    name          TEXT NOT NULL,
    display_name  TEXT NOT NULL DEFAULT '',
    description   TEXT NOT NULL DEFAULT '',
    icon          TEXT NOT NULL DEFAULT '',
    is_default    INTEGER NOT NULL DEFAULT 0 CHECK (is_default IN (0, 1)),
    deleted       INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1)),
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
) STRICT;
CREATE UNIQUE INDEX organizations_name_unique ON organizations (lower(name)) WHERE deleted = 0;
CREATE UNIQUE INDEX organizations_one_default ON organizations (is_default) WHERE is_default = 1;

CREATE TABLE organization_members (
    organization_id  TEXT NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    user_id          TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    PRIMARY KEY (organization_id, user_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX organization_members_user ON organization_members (user_id);

CREATE TABLE organization_member_roles (
    organization_id  TEXT NOT NULL,
    user_id          TEXT NOT NULL,
    role             TEXT NOT NULL CHECK (role IN ('organization-admin', 'organization-template-admin',
                                                   'organization-user-admin', 'organization-auditor')),
    PRIMARY KEY (organization_id, user_id, role),
    FOREIGN KEY (organization_id, user_id)
        REFERENCES organization_members (organization_id, user_id) ON DELETE CASCADE
) STRICT, WITHOUT ROWID;
CREATE INDEX organization_member_roles_user ON organization_member_roles (user_id, role);

-- Session tokens are `<id>-<secret>`; only SHA-256 of the secret is kept.
CREATE TABLE api_keys (
    id                TEXT PRIMARY KEY CHECK (length(id) = 10),
    hashed_secret     BLOB NOT NULL CHECK (length(hashed_secret) = 32),
    user_id           TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    token_name        TEXT NOT NULL DEFAULT '',
    lifetime_seconds  INTEGER NOT NULL CHECK (lifetime_seconds > 0),
    expires_at        TEXT NOT NULL,
    last_used         TEXT NOT NULL,
    created_at        TEXT NOT NULL
) STRICT;
CREATE INDEX api_keys_user ON api_keys (user_id);
CREATE UNIQUE INDEX api_keys_name_unique ON api_keys (user_id, lower(token_name)) WHERE token_name <> '';

-- Provisioner jobs: template imports and workspace builds. job_status follows tasks-api.md §7.1.
CREATE TABLE provisioner_jobs (
    id               TEXT PRIMARY KEY,
    type             TEXT NOT NULL CHECK (type IN ('template_version_import', 'workspace_build')),
    organization_id  TEXT NOT NULL REFERENCES organizations (id),
    -- NULL for jobs started by the admin command line, which acts as no user.
    initiator_id     TEXT REFERENCES users (id),
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    started_at       TEXT,
    canceled_at      TEXT,
    completed_at     TEXT,
    error            TEXT,
    job_status       TEXT GENERATED ALWAYS AS (CASE
        WHEN completed_at IS NOT NULL AND coalesce(error, '') <> '' THEN 'failed'
        WHEN completed_at IS NOT NULL AND canceled_at IS NOT NULL THEN 'canceled'
        WHEN completed_at IS NOT NULL THEN 'succeeded'
        WHEN coalesce(error, '') <> '' THEN 'failed'
        WHEN canceled_at IS NOT NULL THEN 'canceling'
        WHEN started_at IS NULL THEN 'pending'
        ELSE 'running' END) VIRTUAL
) STRICT;
-- The runner's queue: unfinished jobs in creation order.
CREATE INDEX provisioner_jobs_unfinished ON provisioner_jobs (created_at) WHERE completed_at IS NULL;

CREATE TABLE templates (
    id                 TEXT PRIMARY KEY,
    organization_id    TEXT NOT NULL REFERENCES organizations (id),
    name               TEXT NOT NULL,
    display_name       TEXT NOT NULL DEFAULT '',
    description        TEXT NOT NULL DEFAULT '',
    icon               TEXT NOT NULL DEFAULT '',
    active_version_id  TEXT NOT NULL REFERENCES template_versions (id) DEFERRABLE INITIALLY DEFERRED,
    deprecated         TEXT NOT NULL DEFAULT '',
    allow_user_cancel  INTEGER NOT NULL DEFAULT 1 CHECK (allow_user_cancel IN (0, 1)),
    deleted            INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1)),
    created_by         TEXT REFERENCES users (id),
    created_at         TEXT NOT NULL,
    updated_at         TEXT NOT NULL
) STRICT;
CREATE UNIQUE INDEX templates_name_unique ON templates (organization_id, lower(name)) WHERE deleted = 0;

-- A version's manifest is the JSON of taskbox.md §2, kept verbatim; its parameters and presets
-- are also stored as rows so builds and queries need not parse it.
CREATE TABLE template_versions (
    id               TEXT PRIMARY KEY,
    template_id      TEXT REFERENCES templates (id) DEFERRABLE INITIALLY DEFERRED,
    organization_id  TEXT NOT NULL REFERENCES organizations (id),
    name             TEXT NOT NULL,
    manifest         TEXT NOT NULL CHECK (json_valid(manifest)),
    has_ai_task      INTEGER CHECK (has_ai_task IN (0, 1)),
    archived         INTEGER NOT NULL DEFAULT 0 CHECK (archived IN (0, 1)),
    job_id           TEXT NOT NULL UNIQUE REFERENCES provisioner_jobs (id),
    created_by       TEXT REFERENCES users (id),
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL
) STRICT;
CREATE INDEX template_versions_template ON template_versions (template_id, created_at);

CREATE TABLE template_version_parameters (
    template_version_id  TEXT NOT NULL REFERENCES template_versions (id) ON DELETE CASCADE,
    name                 TEXT NOT NULL,
    ordinal              INTEGER NOT NULL,
    type                 TEXT NOT NULL CHECK (type IN ('string', 'number', 'bool')),
    default_value        TEXT NOT NULL DEFAULT '',
    options              TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(options)),
    PRIMARY KEY (template_version_id, name)
) STRICT, WITHOUT ROWID;

CREATE TABLE template_version_presets (
    id                   TEXT PRIMARY KEY,
    template_version_id  TEXT NOT NULL REFERENCES template_versions (id) ON DELETE CASCADE,
    name                 TEXT NOT NULL,
    UNIQUE (template_version_id, name)
) STRICT;

CREATE TABLE template_version_preset_parameters (
    preset_id  TEXT NOT NULL REFERENCES template_version_presets (id) ON DELETE CASCADE,
    name       TEXT NOT NULL,
    value      TEXT NOT NULL,
    PRIMARY KEY (preset_id, name)
) STRICT, WITHOUT ROWID;

CREATE TABLE workspaces (
    id                  TEXT PRIMARY KEY,
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL,
    owner_id            TEXT NOT NULL REFERENCES users (id),
    organization_id     TEXT NOT NULL REFERENCES organizations (id),
    template_id         TEXT NOT NULL REFERENCES templates (id),
    name                TEXT NOT NULL,
    deleted             INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1)),
    -- The owner's favourite flag (Coder keeps it on the workspace, not per viewer).
    favorite            INTEGER NOT NULL DEFAULT 0 CHECK (favorite IN (0, 1)),
    last_used_at        TEXT NOT NULL,
    dormant_at          TEXT,
    deleting_at         TEXT,
    autostart_schedule  TEXT,
    ttl_ms              INTEGER,
    automatic_updates   TEXT NOT NULL DEFAULT 'never' CHECK (automatic_updates IN ('always', 'never')),
    next_start_at       TEXT,
    user_acl            TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(user_acl)),
    group_acl           TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(group_acl)),
    -- Derived from the latest build by the triggers below, never written by the application:
    -- the keys the task list filters and sorts on, so a page is read from one index.
    latest_build_id     TEXT,
    -- tasks-api.md §7.2 of the latest build; NULL without a build.
    list_status         TEXT,
    -- §6.6 order key: the latest build is a start that completed without error or cancel.
    list_running        INTEGER NOT NULL DEFAULT 0,
    -- §6.4: an AI task, or optimistically a build in progress with a non-empty prompt.
    list_task           INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE UNIQUE INDEX workspaces_owner_name_unique ON workspaces (owner_id, lower(name)) WHERE deleted = 0;
CREATE INDEX workspaces_list_owner ON workspaces (owner_id, list_task, list_status, favorite, list_running, name, id) WHERE deleted = 0;
CREATE INDEX workspaces_list_all ON workspaces (list_task, list_status, owner_id, organization_id, favorite, list_running, name, id) WHERE deleted = 0;
CREATE INDEX workspaces_latest_build ON workspaces (latest_build_id);
CREATE INDEX workspaces_organization ON workspaces (organization_id) WHERE deleted = 0;
CREATE INDEX workspaces_template ON workspaces (template_id);

CREATE TABLE workspace_builds (
    id                      TEXT PRIMARY KEY,
    workspace_id            TEXT NOT NULL REFERENCES workspaces (id),
    build_number            INTEGER NOT NULL CHECK (build_number > 0),
    transition              TEXT NOT NULL CHECK (transition IN ('start', 'stop', 'delete')),
    template_version_id     TEXT NOT NULL REFERENCES template_versions (id),
    initiator_id            TEXT NOT NULL REFERENCES users (id),
    reason                  TEXT NOT NULL DEFAULT 'initiator',
    job_id                  TEXT NOT NULL UNIQUE REFERENCES provisioner_jobs (id),
    created_at              TEXT NOT NULL,
    updated_at              TEXT NOT NULL,
    has_ai_task             INTEGER CHECK (has_ai_task IN (0, 1)),
    ai_task_sidebar_app_id  TEXT,
    UNIQUE (workspace_id, build_number),
    -- tasks-api.md §0.2: the sidebar app is set exactly when has_ai_task is true.
    CHECK ((has_ai_task = 1 AND ai_task_sidebar_app_id IS NOT NULL)
           OR (coalesce(has_ai_task, 0) = 0 AND ai_task_sidebar_app_id IS NULL))
) STRICT;

-- Build numbers count 1, 2, 3… per workspace, and a workspace has at most one unfinished build.
CREATE TRIGGER workspace_builds_sequence BEFORE INSERT ON workspace_builds
WHEN NEW.build_number <> 1 + coalesce(
    (SELECT max(build_number) FROM workspace_builds WHERE workspace_id = NEW.workspace_id), 0)
BEGIN
    SELECT RAISE(ABORT, 'workspace build numbers must be consecutive');
END;

CREATE TRIGGER workspace_builds_one_active BEFORE INSERT ON workspace_builds
WHEN EXISTS (
    SELECT 1 FROM workspace_builds b JOIN provisioner_jobs j ON j.id = b.job_id
    WHERE b.workspace_id = NEW.workspace_id AND j.completed_at IS NULL)
BEGIN
    SELECT RAISE(ABORT, 'A workspace build is already active.');
END;

-- The list keys of a workspace follow its latest build, its job and its prompt.
CREATE TRIGGER workspace_builds_latest AFTER INSERT ON workspace_builds
BEGIN
    UPDATE workspaces SET latest_build_id = NEW.id WHERE id = NEW.workspace_id;
    UPDATE workspaces SET
        list_status = (SELECT CASE j.job_status
                WHEN 'pending' THEN 'pending'
                WHEN 'running' THEN CASE b.transition WHEN 'start' THEN 'starting' WHEN 'stop' THEN 'stopping' ELSE 'deleting' END
                WHEN 'succeeded' THEN CASE b.transition WHEN 'start' THEN 'running' WHEN 'stop' THEN 'stopped' ELSE 'deleted' END
                WHEN 'canceling' THEN 'canceling' WHEN 'canceled' THEN 'canceled' ELSE 'failed' END
            FROM workspace_builds b JOIN provisioner_jobs j ON j.id = b.job_id WHERE b.id = workspaces.latest_build_id),
        list_running = coalesce((SELECT j.completed_at IS NOT NULL AND j.canceled_at IS NULL AND j.error IS NULL AND b.transition = 'start'
            FROM workspace_builds b JOIN provisioner_jobs j ON j.id = b.job_id WHERE b.id = workspaces.latest_build_id), 0),
        list_task = coalesce((SELECT coalesce(b.has_ai_task, 0) = 1 OR (b.has_ai_task IS NULL AND j.completed_at IS NULL AND EXISTS (
                SELECT 1 FROM workspace_build_parameters p WHERE p.workspace_build_id = b.id AND p.name = 'AI Prompt' AND p.value <> ''))
            FROM workspace_builds b JOIN provisioner_jobs j ON j.id = b.job_id WHERE b.id = workspaces.latest_build_id), 0)
    WHERE id = NEW.workspace_id;
END;

CREATE TRIGGER workspace_builds_ai_task AFTER UPDATE OF has_ai_task ON workspace_builds
BEGIN
    UPDATE workspaces SET
        list_status = (SELECT CASE j.job_status
                WHEN 'pending' THEN 'pending'
                WHEN 'running' THEN CASE b.transition WHEN 'start' THEN 'starting' WHEN 'stop' THEN 'stopping' ELSE 'deleting' END
                WHEN 'succeeded' THEN CASE b.transition WHEN 'start' THEN 'running' WHEN 'stop' THEN 'stopped' ELSE 'deleted' END
                WHEN 'canceling' THEN 'canceling' WHEN 'canceled' THEN 'canceled' ELSE 'failed' END
            FROM workspace_builds b JOIN provisioner_jobs j ON j.id = b.job_id WHERE b.id = workspaces.latest_build_id),
        list_running = coalesce((SELECT j.completed_at IS NOT NULL AND j.canceled_at IS NULL AND j.error IS NULL AND b.transition = 'start'
            FROM workspace_builds b JOIN provisioner_jobs j ON j.id = b.job_id WHERE b.id = workspaces.latest_build_id), 0),
        list_task = coalesce((SELECT coalesce(b.has_ai_task, 0) = 1 OR (b.has_ai_task IS NULL AND j.completed_at IS NULL AND EXISTS (
                SELECT 1 FROM workspace_build_parameters p WHERE p.workspace_build_id = b.id AND p.name = 'AI Prompt' AND p.value <> ''))
            FROM workspace_builds b JOIN provisioner_jobs j ON j.id = b.job_id WHERE b.id = workspaces.latest_build_id), 0)
    WHERE latest_build_id = NEW.id;
END;

CREATE TRIGGER provisioner_jobs_progress AFTER UPDATE OF started_at, canceled_at, completed_at, error ON provisioner_jobs
WHEN NEW.type = 'workspace_build'
BEGIN
    UPDATE workspaces SET
        list_status = (SELECT CASE j.job_status
                WHEN 'pending' THEN 'pending'
                WHEN 'running' THEN CASE b.transition WHEN 'start' THEN 'starting' WHEN 'stop' THEN 'stopping' ELSE 'deleting' END
                WHEN 'succeeded' THEN CASE b.transition WHEN 'start' THEN 'running' WHEN 'stop' THEN 'stopped' ELSE 'deleted' END
                WHEN 'canceling' THEN 'canceling' WHEN 'canceled' THEN 'canceled' ELSE 'failed' END
            FROM workspace_builds b JOIN provisioner_jobs j ON j.id = b.job_id WHERE b.id = workspaces.latest_build_id),
        list_running = coalesce((SELECT j.completed_at IS NOT NULL AND j.canceled_at IS NULL AND j.error IS NULL AND b.transition = 'start'
            FROM workspace_builds b JOIN provisioner_jobs j ON j.id = b.job_id WHERE b.id = workspaces.latest_build_id), 0),
        list_task = coalesce((SELECT coalesce(b.has_ai_task, 0) = 1 OR (b.has_ai_task IS NULL AND j.completed_at IS NULL AND EXISTS (
                SELECT 1 FROM workspace_build_parameters p WHERE p.workspace_build_id = b.id AND p.name = 'AI Prompt' AND p.value <> ''))
            FROM workspace_builds b JOIN provisioner_jobs j ON j.id = b.job_id WHERE b.id = workspaces.latest_build_id), 0)
    WHERE latest_build_id = (SELECT id FROM workspace_builds WHERE job_id = NEW.id);
END;

CREATE TABLE workspace_build_parameters (
    workspace_build_id  TEXT NOT NULL REFERENCES workspace_builds (id) ON DELETE CASCADE,
    name                TEXT NOT NULL,
    value               TEXT NOT NULL,
    PRIMARY KEY (workspace_build_id, name)
) STRICT, WITHOUT ROWID;

CREATE TRIGGER workspace_build_parameters_prompt AFTER INSERT ON workspace_build_parameters
WHEN NEW.name = 'AI Prompt'
BEGIN
    UPDATE workspaces SET
        list_status = (SELECT CASE j.job_status
                WHEN 'pending' THEN 'pending'
                WHEN 'running' THEN CASE b.transition WHEN 'start' THEN 'starting' WHEN 'stop' THEN 'stopping' ELSE 'deleting' END
                WHEN 'succeeded' THEN CASE b.transition WHEN 'start' THEN 'running' WHEN 'stop' THEN 'stopped' ELSE 'deleted' END
                WHEN 'canceling' THEN 'canceling' WHEN 'canceled' THEN 'canceled' ELSE 'failed' END
            FROM workspace_builds b JOIN provisioner_jobs j ON j.id = b.job_id WHERE b.id = workspaces.latest_build_id),
        list_running = coalesce((SELECT j.completed_at IS NOT NULL AND j.canceled_at IS NULL AND j.error IS NULL AND b.transition = 'start'
            FROM workspace_builds b JOIN provisioner_jobs j ON j.id = b.job_id WHERE b.id = workspaces.latest_build_id), 0),
        list_task = coalesce((SELECT coalesce(b.has_ai_task, 0) = 1 OR (b.has_ai_task IS NULL AND j.completed_at IS NULL AND EXISTS (
                SELECT 1 FROM workspace_build_parameters p WHERE p.workspace_build_id = b.id AND p.name = 'AI Prompt' AND p.value <> ''))
            FROM workspace_builds b JOIN provisioner_jobs j ON j.id = b.job_id WHERE b.id = workspaces.latest_build_id), 0)
    WHERE latest_build_id = NEW.workspace_build_id;
END;

CREATE TABLE workspace_resources (
    id          TEXT PRIMARY KEY,
    job_id      TEXT NOT NULL REFERENCES provisioner_jobs (id),
    transition  TEXT NOT NULL CHECK (transition IN ('start', 'stop', 'delete')),
    type        TEXT NOT NULL,
    name        TEXT NOT NULL,
    created_at  TEXT NOT NULL
) STRICT;
CREATE INDEX workspace_resources_job ON workspace_resources (job_id);

CREATE TABLE workspace_agents (
    id                          TEXT PRIMARY KEY,
    resource_id                 TEXT NOT NULL REFERENCES workspace_resources (id),
    parent_id                   TEXT REFERENCES workspace_agents (id),
    name                        TEXT NOT NULL,
    -- A UUIDv4 that authenticates the agent (Coder keeps it in clear; it dies with its build).
    auth_token                  TEXT NOT NULL UNIQUE,
    lifecycle_state             TEXT NOT NULL DEFAULT 'created' CHECK (lifecycle_state IN (
        'created', 'starting', 'start_timeout', 'start_error', 'ready',
        'shutting_down', 'shutdown_timeout', 'shutdown_error', 'off')),
    directory                   TEXT NOT NULL DEFAULT '',
    first_connected_at          TEXT,
    last_connected_at           TEXT,
    disconnected_at             TEXT,
    connection_timeout_seconds  INTEGER NOT NULL DEFAULT 120,
    deleted                     INTEGER NOT NULL DEFAULT 0 CHECK (deleted IN (0, 1)),
    created_at                  TEXT NOT NULL,
    updated_at                  TEXT NOT NULL
) STRICT;
CREATE INDEX workspace_agents_resource ON workspace_agents (resource_id);

CREATE TABLE workspace_apps (
    id                     TEXT PRIMARY KEY,
    agent_id               TEXT NOT NULL REFERENCES workspace_agents (id),
    slug                   TEXT NOT NULL,
    display_name           TEXT NOT NULL DEFAULT '',
    url                    TEXT,
    -- JSON array of arguments after substitution; NULL for an external app.
    command                TEXT CHECK (command IS NULL OR json_valid(command)),
    port                   INTEGER,
    healthcheck_url        TEXT,
    healthcheck_interval   INTEGER NOT NULL DEFAULT 0,
    healthcheck_threshold  INTEGER NOT NULL DEFAULT 0,
    health                 TEXT NOT NULL DEFAULT 'disabled'
        CHECK (health IN ('disabled', 'initializing', 'healthy', 'unhealthy')),
    created_at             TEXT NOT NULL,
    UNIQUE (agent_id, slug)
) STRICT;

CREATE TABLE workspace_app_statuses (
    id            TEXT PRIMARY KEY,
    created_at    TEXT NOT NULL,
    workspace_id  TEXT NOT NULL REFERENCES workspaces (id),
    agent_id      TEXT NOT NULL REFERENCES workspace_agents (id),
    app_id        TEXT NOT NULL REFERENCES workspace_apps (id),
    state         TEXT NOT NULL CHECK (state IN ('working', 'idle', 'complete', 'failure')),
    message       TEXT NOT NULL DEFAULT '',
    uri           TEXT
) STRICT;
CREATE INDEX workspace_app_statuses_workspace ON workspace_app_statuses (workspace_id, created_at);
CREATE INDEX workspace_app_statuses_app ON workspace_app_statuses (app_id, created_at);

-- Task Working / Task Idle notifications (tasks-api.md §8.4), kept for the owner to read.
CREATE TABLE notifications (
    id           TEXT PRIMARY KEY,
    user_id      TEXT NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    template_id  TEXT NOT NULL,
    title        TEXT NOT NULL,
    body         TEXT NOT NULL,
    labels       TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(labels)),
    dedupe_hash  TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    read_at      TEXT,
    UNIQUE (dedupe_hash)
) STRICT;
CREATE INDEX notifications_user ON notifications (user_id, created_at);

CREATE TABLE audit_logs (
    id                 TEXT PRIMARY KEY,
    time               TEXT NOT NULL,
    user_id            TEXT NOT NULL,
    organization_id    TEXT NOT NULL,
    ip                 TEXT NOT NULL DEFAULT '',
    user_agent         TEXT NOT NULL DEFAULT '',
    resource_type      TEXT NOT NULL,
    resource_id        TEXT NOT NULL,
    resource_target    TEXT NOT NULL,
    action             TEXT NOT NULL,
    diff               TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(diff)),
    status_code        INTEGER NOT NULL,
    request_id         TEXT NOT NULL DEFAULT '',
    additional_fields  TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(additional_fields))
) STRICT;
CREATE INDEX audit_logs_time ON audit_logs (time);
