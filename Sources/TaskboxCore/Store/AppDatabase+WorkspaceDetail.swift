import Foundation
import GRDB

/// The parts of Coder's Workspace JSON beyond `WorkspaceView`: the latest build's job and
/// its resources → agents → apps (taskbox.md §4).
public struct WorkspaceDetail: Sendable {
    public struct Job: Sendable {
        public var id: String
        public var status: ProvisionerJobStatus
        public var error: String?
        public var createdAt: String
        public var startedAt: String?
        public var completedAt: String?
        public var canceledAt: String?
    }

    public struct App: Sendable {
        public var id: String
        public var slug: String
        public var displayName: String
        public var url: String?
        public var health: AppHealth
    }

    public struct Agent: Sendable {
        public var id: String
        public var name: String
        public var parentID: String?
        public var connection: AgentConnection
        public var apps: [App]
    }

    public struct Resource: Sendable {
        public var id: String
        public var type: String
        public var name: String
        public var createdAt: String
        public var agents: [Agent]
    }

    public var view: WorkspaceView
    public var job: Job?
    public var initiatorID: String?
    public var reason: String
    public var buildUpdatedAt: String
    public var resources: [Resource]
    /// The task (deleted or not) whose workspace this is (tasks-v2.md §0.2).
    public var taskID: String? = nil
}

extension AppDatabase {
    public func workspaceDetail(id: String) async throws -> WorkspaceDetail? {
        try await pool.read { db in
            guard let view = try Self.workspaceView(db, id: id) else { return nil }
            var detail = WorkspaceDetail(view: view, job: nil, initiatorID: nil, reason: "", buildUpdatedAt: view.updatedAt, resources: [])
            detail.taskID = try String.fetchOne(
                db, sql: "SELECT id FROM tasks WHERE workspace_id = ? ORDER BY deleted_at IS NULL DESC, created_at DESC LIMIT 1",
                arguments: [id])
            guard let build = view.build else { return detail }
            if let row = try Row.fetchOne(
                db,
                sql: """
                    SELECT j.id, j.job_status, j.error, j.created_at, j.started_at, j.completed_at, j.canceled_at,
                           b.initiator_id, b.reason, b.updated_at
                    FROM workspace_builds b JOIN provisioner_jobs j ON j.id = b.job_id WHERE b.id = ?
                    """,
                arguments: [build.id]) {
                let id: String = row["id"], status: ProvisionerJobStatus = try row.decode(forColumn: "job_status")
                let created: String = row["created_at"]
                let error: String? = row["error"], started: String? = row["started_at"]
                let completed: String? = row["completed_at"], canceled: String? = row["canceled_at"]
                detail.job = .init(
                    id: id, status: status, error: error, createdAt: created,
                    startedAt: started, completedAt: completed, canceledAt: canceled)
                detail.initiatorID = row["initiator_id"]
                detail.reason = row["reason"]
                detail.buildUpdatedAt = row["updated_at"]
            }
            let apps = try Row.fetchAll(
                db,
                sql: """
                    SELECT p.id, p.agent_id, p.slug, p.display_name, p.url, p.health FROM workspace_apps p
                    JOIN workspace_agents a ON a.id = p.agent_id JOIN workspace_resources r ON r.id = a.resource_id
                    WHERE r.job_id = ? ORDER BY p.created_at, p.slug
                    """,
                arguments: [build.jobID])
            let agents = try Row.fetchAll(
                db,
                sql: """
                    SELECT a.* FROM workspace_agents a JOIN workspace_resources r ON r.id = a.resource_id
                    WHERE r.job_id = ? AND a.deleted = 0 ORDER BY a.created_at, a.id
                    """,
                arguments: [build.jobID])
            for resource in try Row.fetchAll(
                db, sql: "SELECT id, type, name, created_at FROM workspace_resources WHERE job_id = ? ORDER BY created_at, id",
                arguments: [build.jobID]) {
                let resourceID: String = resource["id"]
                let own = try agents.filter { ($0["resource_id"] as String) == resourceID }.map { a -> WorkspaceDetail.Agent in
                    let agentID: String = a["id"]
                    let connection = AgentConnection(
                        lifecycle: try a.decode(forColumn: "lifecycle_state"), createdAt: a["created_at"], firstConnectedAt: a["first_connected_at"],
                        lastConnectedAt: a["last_connected_at"], disconnectedAt: a["disconnected_at"],
                        connectionTimeoutSeconds: a["connection_timeout_seconds"])
                    let own = try apps.filter { ($0["agent_id"] as String) == agentID }.map { p -> WorkspaceDetail.App in
                        WorkspaceDetail.App(
                            id: p["id"], slug: p["slug"], displayName: p["display_name"], url: p["url"], health: try p.decode(forColumn: "health"))
                    }
                    return WorkspaceDetail.Agent(id: agentID, name: a["name"], parentID: a["parent_id"], connection: connection, apps: own)
                }
                detail.resources.append(.init(
                    id: resourceID, type: resource["type"], name: resource["name"], createdAt: resource["created_at"], agents: own))
            }
            return detail
        }
    }
}

extension WorkspaceDetail: JSONWritable {
    /// Coder's `Workspace`, with the fields taskbox.md §4 lists.
    public func write(to json: inout JSONWriter) {
        json.beginObject()
        json.field("id", view.id)
        json.field("created_at", view.createdAt)
        json.field("updated_at", view.updatedAt)
        json.field("owner_id", view.ownerID)
        json.field("owner_name", view.ownerName)
        json.field("organization_id", view.organizationID)
        json.field("template_id", view.templateID)
        json.field("template_name", view.templateName)
        json.field("template_display_name", view.templateDisplayName)
        json.field("template_icon", view.templateIcon)
        json.field("name", view.name)
        json.field("last_used_at", view.lastUsedAt)
        json.field("deleted", view.deleted)
        json.field("favorite", view.favorite)
        json.field("automatic_updates", "never")
        json.field("task_id", taskID)
        json.key("latest_build")
        writeLatestBuild(to: &json)
        json.endObject()
    }

    /// Coder's `WorkspaceBuild` of the latest build (`null` when there is none). The final API
    /// dropped `ai_task_sidebar_app_id` (tasks-v2.md §2.4): `sidebarApp` false leaves it out.
    public func writeLatestBuild(to json: inout JSONWriter, sidebarApp: Bool = true) {
        let now = Date().timeIntervalSince1970
        guard let build = view.build else { return json.null() }
        json.beginObject()
        json.field("id", build.id)
        json.field("created_at", build.createdAt)
        json.field("updated_at", buildUpdatedAt)
        json.field("workspace_id", view.id)
        json.field("workspace_name", view.name)
        json.field("workspace_owner_id", view.ownerID)
        json.field("workspace_owner_name", view.ownerName)
        json.field("template_version_id", build.templateVersionID)
        json.field("build_number", build.number)
        json.field("transition", build.transition.rawValue)
        json.field("initiator_id", initiatorID)
        json.field("reason", reason)
        json.field("status", build.status.rawValue)
        json.key("has_ai_task")
        if let flag = build.hasAITask { json.bool(flag) } else { json.null() }
        if sidebarApp { json.field("ai_task_sidebar_app_id", build.sidebarAppID) }
        json.key("job")
        if let job {
            json.beginObject()
            json.field("id", job.id)
            json.field("created_at", job.createdAt)
            json.field("started_at", job.startedAt)
            json.field("completed_at", job.completedAt)
            json.field("canceled_at", job.canceledAt)
            json.field("error", job.error)
            json.field("status", job.status.rawValue)
            json.endObject()
        } else {
            json.null()
        }
        json.key("resources")
        json.beginArray()
        for resource in resources {
            json.beginObject()
            json.field("id", resource.id)
            json.field("created_at", resource.createdAt)
            json.field("job_id", job?.id ?? "")
            json.field("workspace_transition", build.transition.rawValue)
            json.field("type", resource.type)
            json.field("name", resource.name)
            json.key("agents")
            json.beginArray()
            for agent in resource.agents {
                json.beginObject()
                json.field("id", agent.id)
                json.field("name", agent.name)
                json.field("parent_id", agent.parentID)
                json.field("created_at", agent.connection.createdAt)
                json.field("first_connected_at", agent.connection.firstConnectedAt)
                json.field("last_connected_at", agent.connection.lastConnectedAt)
                json.field("disconnected_at", agent.connection.disconnectedAt)
                json.field("status", agent.connection.status(now: now))
                json.field("lifecycle_state", agent.connection.lifecycle.rawValue)
                json.key("health")
                agent.connection.health(now: now).write(to: &json)
                json.key("apps")
                json.beginArray()
                for app in agent.apps {
                    json.beginObject()
                    json.field("id", app.id)
                    json.field("slug", app.slug)
                    json.field("display_name", app.displayName)
                    json.field("url", app.url ?? "")
                    json.field("health", app.health.rawValue)
                    json.endObject()
                }
                json.endArray()
                json.endObject()
            }
            json.endArray()
            json.endObject()
        }
        json.endArray()
        json.endObject()
    }
}