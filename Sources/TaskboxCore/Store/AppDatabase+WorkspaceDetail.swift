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
                    SELECT a.id, a.name, a.parent_id, a.resource_id, \(AgentConnection.columns("a"))
                    FROM workspace_agents a JOIN workspace_resources r ON r.id = a.resource_id
                    WHERE r.job_id = ? AND a.deleted = 0 ORDER BY a.created_at, a.id
                    """,
                arguments: [build.jobID])
            for resource in try Row.fetchAll(
                db, sql: "SELECT id, type, name, created_at FROM workspace_resources WHERE job_id = ? ORDER BY created_at, id",
                arguments: [build.jobID]) {
                let resourceID: String = resource["id"]
                let own = try agents.filter { ($0["resource_id"] as String) == resourceID }.map { a -> WorkspaceDetail.Agent in
                    let agentID: String = a["id"]
                    guard let connection = try AgentConnection(row: a, at: 4) else { throw StoreError.notFound("agent \(agentID)") }
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
