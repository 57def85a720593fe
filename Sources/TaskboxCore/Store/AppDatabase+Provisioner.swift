import Foundation
import GRDB

/// A job the runner may start.
public struct QueuedJob: Sendable, Equatable {
    public var id: String
    public var workspaceID: String
    public var transition: WorkspaceTransition
    public var canceled: Bool
}

/// An app of a started build as the supervisor needs it (also after a restart).
public struct SupervisedApp: Sendable, Equatable {
    public var app: AppliedApp
    public var agentToken: String
    /// The template's `env` map as written: substituted only when the process starts, so
    /// `serve`'s variables are read then and never stored.
    public var environment: [String: String] = [:]
}

/// Everything a start build's processes need to know.
public struct SupervisedBuild: Sendable {
    public var buildID: String
    public var workspaceID: String
    public var workspaceName: String
    public var ownerName: String
    public var parameters: [(name: String, value: String)]
    public var agents: [(id: String, name: String, token: String)]
    public var apps: [SupervisedApp]
    /// The workspace's task, whose id and current prompt its apps receive (tasks-v2.md §11.2).
    public var task: (id: String, prompt: String)? = nil
}

extension AppDatabase {
    public static let restartError = "taskbox restarted while this job was running; the job was interrupted"

    /// Workspace build jobs not yet started, oldest first, skipping workspaces in `busy`.
    public func pendingJobs(limit: Int, excluding busy: Set<String>) async throws -> [QueuedJob] {
        guard limit > 0 else { return [] }
        // The busy workspaces are left out and the limit applied in SQL, so a long queue costs
        // `limit` rows from the unfinished-jobs index, not the whole queue at every dispatch.
        let busyJSON = try JSONWriter.text(busy.sorted())
        // Read at every dispatch of the job runner: on the caller's thread.
        return try await quickRead(statement: true) { db in
            try Row.fetchAll(
                db.cachedStatement(sql: """
                    SELECT j.id, b.workspace_id, b.transition, j.canceled_at IS NOT NULL AS canceled
                    FROM provisioner_jobs j JOIN workspace_builds b ON b.job_id = j.id
                    WHERE j.completed_at IS NULL AND j.started_at IS NULL AND j.type = 'workspace_build'
                      AND b.workspace_id NOT IN (SELECT value FROM json_each(?))
                    ORDER BY j.created_at, j.id
                    LIMIT ?
                    """),
                arguments: [busyJSON, limit]
            ).map {
                QueuedJob(id: $0["id"], workspaceID: $0["workspace_id"], transition: try $0.decode(forColumn: "transition"), canceled: $0["canceled"])
            }
        }
    }

    /// At start-up: jobs a previous process left running can never finish; fail them (taskbox.md §3).
    @discardableResult
    public func failInterruptedJobs() async throws -> Int {
        try await write { db in
            let now = Timestamp.now()
            try db.executeCached(
                sql: """
                    UPDATE provisioner_jobs SET completed_at = ?, updated_at = ?, error = ?
                    WHERE completed_at IS NULL AND started_at IS NOT NULL
                    """,
                arguments: [now, now, Self.restartError])
            return db.changesCount
        }
    }

    public func isJobCanceled(id: String) async throws -> Bool {
        try await quickRead(statement: true) { db in
            try Bool.fetchOne(cached: db, sql: "SELECT canceled_at IS NOT NULL FROM provisioner_jobs WHERE id = ?", arguments: [id]) ?? false
        }
    }

    /// A canceled job ends as `canceled` (completed with canceled_at, no error).
    public func finishCanceledJob(id: String) async throws {
        try await write { db in
            let now = Timestamp.now()
            try db.executeCached(
                sql: "UPDATE provisioner_jobs SET completed_at = ?, updated_at = ? WHERE id = ? AND completed_at IS NULL",
                arguments: [now, now, id])
        }
    }

    /// Latest builds that are succeeded starts of live workspaces: their apps should run.
    private static let resumableBuilds = """
        SELECT b.id, b.job_id FROM workspaces w
        JOIN workspace_builds b ON b.workspace_id = w.id
          AND b.build_number = (SELECT max(build_number) FROM workspace_builds WHERE workspace_id = w.id)
        JOIN provisioner_jobs j ON j.id = b.job_id
        WHERE w.deleted = 0 AND b.transition = 'start' AND j.job_status = 'succeeded'
        """

    /// At start-up, in one statement: the agents of every running workspace are connected
    /// again (their lifecycle kept when it was a start error).
    @discardableResult
    public func reconnectRunningAgents() async throws -> Int {
        try await write { db in
            let now = Timestamp.now()
            try db.executeCached(
                sql: """
                    UPDATE workspace_agents SET
                      lifecycle_state = CASE WHEN lifecycle_state = 'start_error' THEN 'start_error' ELSE 'ready' END,
                      first_connected_at = coalesce(first_connected_at, ?), last_connected_at = ?, disconnected_at = NULL, updated_at = ?
                    WHERE deleted = 0 AND resource_id IN (
                      SELECT r.id FROM workspace_resources r WHERE r.job_id IN (SELECT job_id FROM (\(Self.resumableBuilds))))
                    """,
                arguments: [now, now, now])
            return db.changesCount
        }
    }

    /// The running builds that have something to supervise: a command or a healthcheck.
    public func buildsToResume() async throws -> [String] {
        try await pool.read { db in
            try String.fetchAll(cached: db,
                sql: """
                    SELECT DISTINCT rb.id FROM (\(Self.resumableBuilds)) rb
                    JOIN workspace_resources r ON r.job_id = rb.job_id
                    JOIN workspace_agents a ON a.resource_id = r.id
                    JOIN workspace_apps p ON p.agent_id = a.id
                    WHERE p.command IS NOT NULL OR p.healthcheck_url IS NOT NULL
                    """)
        }
    }

    public func supervisedBuild(buildID: String) async throws -> SupervisedBuild? {
        try await pool.read { db in try Self.supervisedBuild(db, buildID: buildID) }
    }

    static func supervisedBuild(_ db: Database, buildID: String) throws -> SupervisedBuild? {
        guard let build = try Row.fetchOne(cached: db,
            sql: """
                SELECT b.id, b.workspace_id, b.job_id, w.name, u.username, v.manifest, t.id AS task_id, t.prompt
                FROM workspace_builds b
                JOIN workspaces w ON w.id = b.workspace_id JOIN users u ON u.id = w.owner_id
                JOIN template_versions v ON v.id = b.template_version_id
                LEFT JOIN tasks t ON t.workspace_id = w.id AND t.deleted_at IS NULL WHERE b.id = ?
                """,
            arguments: [buildID])
        else { return nil }
        let parameters = try Row.fetchAll(cached: db, sql: "SELECT name, value FROM workspace_build_parameters WHERE workspace_build_id = ? ORDER BY name",
            arguments: [buildID]
        ).map { (name: $0["name"] as String, value: $0["value"] as String) }
        let agents = try Row.fetchAll(cached: db,
            sql: """
                SELECT a.id, a.name, a.auth_token FROM workspace_agents a JOIN workspace_resources r ON r.id = a.resource_id
                WHERE r.job_id = ? AND a.deleted = 0 ORDER BY a.created_at, a.id
                """,
            arguments: [build["job_id"] as String]
        ).map { (id: $0["id"] as String, name: $0["name"] as String, token: $0["auth_token"] as String) }
        let manifest = try? JSONDecoder().decode(Manifest.self, from: Data((build["manifest"] as String).utf8))
        let environments = Dictionary(
            (manifest?.allApps ?? []).map { ($0.slug, $0.env ?? [:]) }, uniquingKeysWith: { a, _ in a })
        let apps = try Row.fetchAll(cached: db,
            sql: """
                SELECT p.*, a.auth_token FROM workspace_apps p JOIN workspace_agents a ON a.id = p.agent_id
                JOIN workspace_resources r ON r.id = a.resource_id WHERE r.job_id = ? ORDER BY p.created_at, p.id
                """,
            arguments: [build["job_id"] as String]
        ).map { row in
            let slug: String = row["slug"]
            let command = (row["command"] as String?).flatMap { try? JSONDecoder().decode([String].self, from: Data($0.utf8)) }
            return SupervisedApp(
                app: AppliedApp(
                    id: row["id"], agentID: row["agent_id"], slug: row["slug"], url: row["url"], command: command,
                    port: row["port"] ?? 0, healthcheckURL: row["healthcheck_url"],
                    healthcheckInterval: row["healthcheck_interval"], healthcheckThreshold: row["healthcheck_threshold"]),
                agentToken: row["auth_token"], environment: environments[slug] ?? [:])
        }
        return SupervisedBuild(
            buildID: buildID, workspaceID: build["workspace_id"], workspaceName: build["name"], ownerName: build["username"],
            parameters: parameters, agents: agents, apps: apps,
            task: (build["task_id"] as String?).map { ($0, build["prompt"] as String) })
    }

    // MARK: Agents and apps

    public func setAgentLifecycle(_ agentIDs: [String], _ state: AgentLifecycleState, connected: Bool? = nil) async throws {
        guard !agentIDs.isEmpty else { return }
        try await write { db in
            let now = Timestamp.now()
            for id in agentIDs {
                try db.executeCached(sql: "UPDATE workspace_agents SET lifecycle_state = ?, updated_at = ? WHERE id = ?", arguments: [state, now, id])
                switch connected {
                case true?:
                    try db.executeCached(
                        sql: """
                            UPDATE workspace_agents SET first_connected_at = coalesce(first_connected_at, ?),
                              last_connected_at = ?, disconnected_at = NULL WHERE id = ?
                            """,
                        arguments: [now, now, id])
                case false?:
                    try db.executeCached(sql: "UPDATE workspace_agents SET disconnected_at = ? WHERE id = ?", arguments: [now, id])
                case nil:
                    break
                }
            }
        }
    }

    /// starting → ready, leaving an agent that already reached start_error alone.
    public func markAgentsReady(_ agentIDs: [String]) async throws {
        try await write { db in
            let now = Timestamp.now()
            for id in agentIDs {
                try db.executeCached(
                    sql: "UPDATE workspace_agents SET lifecycle_state = 'ready', updated_at = ? WHERE id = ? AND lifecycle_state = 'starting'",
                    arguments: [now, id])
            }
        }
    }

    /// Marks an agent's start-up as failed unless it has already moved past it.
    public func markAgentStartError(_ agentID: String) async throws {
        try await write { db in
            try db.executeCached(
                sql: "UPDATE workspace_agents SET lifecycle_state = 'start_error', updated_at = ? WHERE id = ? AND lifecycle_state IN ('starting', 'ready')",
                arguments: [Timestamp.now(), agentID])
        }
    }

    /// The heartbeat: every agent `serve` supervises (connected and not off) was seen now.
    public func heartbeat() async throws {
        try await write { db in
            try db.executeCached(
                sql: """
                    UPDATE workspace_agents SET last_connected_at = ?
                    WHERE disconnected_at IS NULL AND first_connected_at IS NOT NULL AND lifecycle_state <> 'off'
                    """,
                arguments: [Timestamp.now()])
        }
    }

    /// On shutdown: every supervised agent is off and disconnected (the builds stay started).
    public func disconnectAllAgents() async throws {
        try await write { db in
            let now = Timestamp.now()
            try db.executeCached(
                sql: """
                    UPDATE workspace_agents SET lifecycle_state = 'off', disconnected_at = ?, updated_at = ?
                    WHERE disconnected_at IS NULL AND first_connected_at IS NOT NULL AND lifecycle_state <> 'off'
                    """,
                arguments: [now, now])
        }
    }

    public func setAppHealth(_ appID: String, _ health: AppHealth) async throws {
        try await write { db in
            try db.executeCached(sql: "UPDATE workspace_apps SET health = ? WHERE id = ?", arguments: [health, appID])
        }
    }
}

extension AppDatabase {
    /// Agents of a workspace's builds that are not off begin shutting down.
    public func shutDownAgents(workspaceID: String) async throws {
        try await write { db in
            try db.executeCached(
                sql: "UPDATE workspace_agents SET lifecycle_state = 'shutting_down', updated_at = ? WHERE lifecycle_state <> 'off' AND \(Self.agentsOfWorkspace)",
                arguments: [Timestamp.now(), workspaceID])
        }
    }

    /// …and are off and disconnected once their processes are gone.
    public func turnOffAgents(workspaceID: String) async throws {
        try await write { db in
            let now = Timestamp.now()
            try db.executeCached(
                sql: "UPDATE workspace_agents SET lifecycle_state = 'off', disconnected_at = ?, updated_at = ? WHERE lifecycle_state <> 'off' AND \(Self.agentsOfWorkspace)",
                arguments: [now, now, workspaceID])
        }
    }

    private static let agentsOfWorkspace = """
        resource_id IN (SELECT r.id FROM workspace_resources r JOIN workspace_builds b ON b.job_id = r.job_id WHERE b.workspace_id = ?)
        """
}
