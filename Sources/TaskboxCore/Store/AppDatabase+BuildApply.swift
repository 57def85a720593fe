import Foundation
import GRDB

/// An app of an applied start build that the supervisor may have to run.
public struct AppliedApp: Sendable, Equatable {
    public var id: String
    public var agentID: String
    public var slug: String
    public var url: String?
    public var command: [String]?
    public var port: Int
    public var healthcheckURL: String?
    public var healthcheckInterval: Int
    public var healthcheckThreshold: Int
}

/// What a job's "apply" produced: for a start build the agents (with tokens) and apps.
public struct AppliedBuild: Sendable {
    public var buildID: String
    public var workspaceID: String
    public var transition: WorkspaceTransition
    public var agents: [(id: String, name: String, token: String)]
    public var apps: [AppliedApp]
}

/// The provisioner's bookkeeping, each step one transaction, so the workspace status of
/// tasks-api.md §7 can always be read from the database.
extension AppDatabase {
    /// pending → running. False when the job is no longer pending (canceled meanwhile).
    public func startJob(id: String) async throws -> Bool {
        try await write { db in try Self.startJob(db, id: id) }
    }

    static func startJob(_ db: Database, id: String) throws -> Bool {
        let now = Timestamp.now()
        try db.executeCached(
            sql: "UPDATE provisioner_jobs SET started_at = ?, updated_at = ? WHERE id = ? AND started_at IS NULL AND completed_at IS NULL AND canceled_at IS NULL",
            arguments: [now, now, id])
        return db.changesCount == 1
    }

    /// What `beginJob` came to.
    public enum BegunJob: Sendable {
        /// No longer pending (canceled, or taken by another runner): nothing was written.
        case notPending
        /// Started, but its apply failed; the job is running and the caller fails it.
        case applyFailed(any Error)
        /// Started and applied; a start build comes with what the supervisor needs.
        case applied(AppliedBuild, SupervisedBuild?)
    }

    /// A job's first steps in one transaction (issue #19: one commit instead of three, and no
    /// thread hops between them): pending → running, its apply, and for a start build the
    /// supervisor's view of it. An apply that throws is rolled back alone, as when it had its
    /// own transaction, and the job stays started so that it fails as before.
    public func beginJob(id: String, ports: @escaping @Sendable () -> Int = LoopbackPort.free) async throws -> BegunJob {
        try await write { db in
            guard try Self.startJob(db, id: id) else { return .notPending }
            let applied: AppliedBuild
            do {
                var result: AppliedBuild?
                try db.inSavepoint {
                    result = try Self.applyBuild(db, jobID: id, ports: ports)
                    return .commit
                }
                applied = result!
            } catch {
                return .applyFailed(error)
            }
            guard applied.transition == .start else { return .applied(applied, nil) }
            return .applied(applied, try Self.supervisedBuild(db, buildID: applied.buildID))
        }
    }

    /// Records a build's resources from its template version's manifest (taskbox.md §3):
    /// for `start`, one resource with the manifest's agents (fresh UUIDv4 tokens) and apps
    /// (`{port}` and `{param:NAME}` substituted per argument). `ports` chooses each app's port.
    public func applyBuild(jobID: String, ports: @escaping @Sendable () -> Int = LoopbackPort.free) async throws -> AppliedBuild {
        try await write { db in try Self.applyBuild(db, jobID: jobID, ports: ports) }
    }

    static func applyBuild(_ db: Database, jobID: String, ports: () -> Int) throws -> AppliedBuild {
        guard let build = try Row.fetchOne(cached: db,
            sql: """
                SELECT b.id, b.workspace_id, b.transition, v.manifest, t.id AS task_id, t.prompt FROM workspace_builds b
                JOIN template_versions v ON v.id = b.template_version_id
                LEFT JOIN tasks t ON t.workspace_id = b.workspace_id AND t.deleted_at IS NULL WHERE b.job_id = ?
                """,
            arguments: [jobID])
        else { throw StoreError.notFound("no build for job \(jobID)") }
        let buildID: String = build["id"]
        let transition: WorkspaceTransition = try build.decode(forColumn: "transition")
        var applied = AppliedBuild(
            buildID: buildID, workspaceID: build["workspace_id"], transition: transition, agents: [], apps: [])
        guard transition == .start else { return applied }
        let manifest = try JSONDecoder().decode(Manifest.self, from: Data((build["manifest"] as String).utf8))
        let task = (build["task_id"] as String?).map { (id: $0, prompt: build["prompt"] as String) }
        let parameters = Dictionary(
            try Row.fetchAll(cached: db, sql: "SELECT name, value FROM workspace_build_parameters WHERE workspace_build_id = ?",
                             arguments: [buildID]).map { ($0["name"] as String, $0["value"] as String) },
            uniquingKeysWith: { a, _ in a })
        let now = Timestamp.now()
        let resourceID = ID.new()
        try db.executeCached(
            sql: "INSERT INTO workspace_resources (id, job_id, transition, type, name, created_at) VALUES (?, ?, 'start', 'taskbox_workspace', 'workspace', ?)",
            arguments: [resourceID, jobID, now])
        for agent in manifest.agents ?? [] {
            let agentID = ID.new()
            let token = ID.random()
            try db.executeCached(
                sql: """
                    INSERT INTO workspace_agents (id, resource_id, name, auth_token, created_at, updated_at)
                    VALUES (?, ?, ?, ?, ?, ?)
                    """,
                arguments: [agentID, resourceID, agent.name, token, now, now])
            applied.agents.append((agentID, agent.name, token))
            for app in agent.apps ?? [] {
                let port = ports()
                func fill(_ text: String) -> String {
                    Placeholders.substitute(text, port: port, parameters: parameters, task: task)
                }
                let a = AppliedApp(
                    id: ID.new(), agentID: agentID, slug: app.slug, url: app.url.map(fill), command: app.command?.map(fill),
                    port: port, healthcheckURL: app.healthcheck.map { fill($0.url) },
                    healthcheckInterval: app.healthcheck?.interval_s ?? 0, healthcheckThreshold: app.healthcheck?.threshold ?? 0)
                let command = try a.command.map { try JSONWriter.text($0) }
                try db.executeCached(
                    sql: """
                        INSERT INTO workspace_apps (id, agent_id, slug, display_name, url, command, port, healthcheck_url,
                                                    healthcheck_interval, healthcheck_threshold, health, created_at)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [a.id, agentID, app.slug, app.display_name ?? "", a.url, command, port, a.healthcheckURL,
                                a.healthcheckInterval, a.healthcheckThreshold,
                                app.healthcheck == nil ? AppHealth.disabled : AppHealth.initializing, now])
                applied.apps.append(a)
            }
        }
        return applied
    }

    /// running → succeeded | failed, or canceled when it was canceled meanwhile (then without
    /// the success bookkeeping). On success the build gets `has_ai_task` and the sidebar app as
    /// Coder's provisioner sets them (tasks-api.md §0.2); a succeeded delete marks the workspace
    /// deleted.
    public func completeJob(id: String, error: String? = nil) async throws {
        try await write { db in
            let now = Timestamp.now()
            try db.executeCached(
                sql: "UPDATE provisioner_jobs SET completed_at = ?, updated_at = ?, error = ? WHERE id = ? AND completed_at IS NULL",
                arguments: [now, now, error, id])
            let completed = db.changesCount == 1
            if completed, let error { try Self.recordJobFailedEvent(db, jobID: id, error: error) }
            guard completed, error == nil,
                  let build = try Row.fetchOne(cached: db,
                    sql: """
                        SELECT b.id, b.workspace_id, b.build_number, b.transition, v.manifest, j.canceled_at
                        FROM workspace_builds b JOIN template_versions v ON v.id = b.template_version_id
                        JOIN provisioner_jobs j ON j.id = b.job_id WHERE b.job_id = ?
                        """,
                    arguments: [id])
            else { return }
            if (build["canceled_at"] as String?) != nil { return }
            let buildID: String = build["id"]
            let transition: WorkspaceTransition = try build.decode(forColumn: "transition")
            var hasAITask = false
            var appID: String?
            switch transition {
            case .start:
                let manifest = try JSONDecoder().decode(Manifest.self, from: Data((build["manifest"] as String).utf8))
                if let slug = manifest.ai_task?.app {
                    appID = try String.fetchOne(cached: db,
                        sql: """
                            SELECT a.id FROM workspace_apps a JOIN workspace_agents g ON g.id = a.agent_id
                            JOIN workspace_resources r ON r.id = g.resource_id WHERE r.job_id = ? AND a.slug = ?
                            """,
                        arguments: [id, slug])
                    hasAITask = appID != nil
                }
            case .stop where (build["build_number"] as Int) > 1:
                // Stopped tasks stay tasks: copy from the previous build.
                if let previous = try Row.fetchOne(cached: db, sql: "SELECT has_ai_task, ai_task_sidebar_app_id FROM workspace_builds WHERE workspace_id = ? AND build_number = ?",
                    arguments: [build["workspace_id"] as String, (build["build_number"] as Int) - 1]) {
                    hasAITask = (previous["has_ai_task"] as Bool?) ?? false
                    appID = previous["ai_task_sidebar_app_id"]
                    if !hasAITask { appID = nil }
                }
            case .stop, .delete:
                break
            }
            try db.executeCached(
                sql: "UPDATE workspace_builds SET has_ai_task = ?, ai_task_sidebar_app_id = ?, updated_at = ? WHERE id = ?",
                arguments: [hasAITask, hasAITask ? appID : nil, now, buildID])
            if transition == .delete {
                try db.executeCached(sql: "UPDATE workspaces SET deleted = 1, updated_at = ? WHERE id = ?",
                               arguments: [now, build["workspace_id"] as String])
                try Self.recordTaskEvent(db, .deleted, workspaceID: build["workspace_id"], message: "")
            }
        }
    }
}
