import Foundation
import GRDB

/// The agent a workspace agent token belongs to, while it is valid: its build is the latest
/// build of a live workspace (taskbox.md §5, "Tokens").
public struct AuthenticatedAgent: Sendable {
    public var agentID: String
    public var workspaceID: String
    public var buildID: String
}

extension AppDatabase {
    public func agent(token: String) async throws -> AuthenticatedAgent? {
        try await pool.read { db in
            try Row.fetchOne(
                db.cachedStatement(sql: """
                    SELECT a.id, b.workspace_id, b.id AS build_id FROM workspace_agents a
                    JOIN workspace_resources r ON r.id = a.resource_id
                    JOIN workspace_builds b ON b.job_id = r.job_id
                    JOIN workspaces w ON w.id = b.workspace_id
                    WHERE a.auth_token = ? AND a.deleted = 0 AND w.deleted = 0
                      AND b.build_number = (SELECT max(build_number) FROM workspace_builds WHERE workspace_id = b.workspace_id)
                    """),
                arguments: [token]
            ).map { AuthenticatedAgent(agentID: $0["id"], workspaceID: $0["workspace_id"], buildID: $0["build_id"]) }
        }
    }

    public func appID(agentID: String, slug: String) async throws -> String? {
        try await pool.read { db in
            try String.fetchOne(cached: db, sql: "SELECT id FROM workspace_apps WHERE agent_id = ? AND slug = ?", arguments: [agentID, slug])
        }
    }

    /// Inserts a status row and, in the same transaction, the Task Working / Task Idle
    /// notification when tasks-api.md §8.4 says so. Returns the notification's template name, if any.
    @discardableResult
    public func insertAppStatus(
        agent: AuthenticatedAgent, appID: String, state: AppStatusState, message: String, uri: String
    ) async throws -> String? {
        try await write { db in
            let previous = try AppStatusState.fetchOne(cached: db, sql: "SELECT state FROM workspace_app_statuses WHERE app_id = ? ORDER BY created_at DESC LIMIT 1",
                arguments: [appID])
            let now = Timestamp.now()
            try db.executeCached(
                sql: """
                    INSERT INTO workspace_app_statuses (id, created_at, workspace_id, agent_id, app_id, state, message, uri)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [ID.new(), now, agent.workspaceID, agent.agentID, appID, state, message, uri.isEmpty ? nil : uri])
            try db.executeCached(sql: "UPDATE workspaces SET updated_at = ? WHERE id = ?", arguments: [now, agent.workspaceID])
            if previous != state {
                try Self.recordTaskEvent(db, TaskEventType(appStatusState: state), workspaceID: agent.workspaceID, message: message)
            }

            guard state == .working || state == .idle, previous != state, !(previous == nil && state == .working)
            else { return nil }
            guard let ws = try Row.fetchOne(cached: db,
                sql: """
                    SELECT w.name, w.owner_id, b.has_ai_task, b.ai_task_sidebar_app_id,
                           (SELECT value FROM workspace_build_parameters p WHERE p.workspace_build_id = b.id AND p.name = 'AI Prompt') AS prompt
                    FROM workspaces w JOIN workspace_builds b ON b.workspace_id = w.id
                    WHERE w.id = ? ORDER BY b.build_number DESC LIMIT 1
                    """,
                arguments: [agent.workspaceID]),
                  (ws["has_ai_task"] as Bool?) == true, (ws["ai_task_sidebar_app_id"] as String?) == appID
            else { return nil }
            let workspaceName: String = ws["name"]
            let prompt = (ws["prompt"] as String?).flatMap { $0.isEmpty ? nil : $0 } ?? workspaceName
            let task = TaskNotification.label(prompt)
            let notification = state == .working
                ? TaskNotification(templateID: TaskNotification.workingTemplate, name: "Task Working",
                                   title: "Task '\(workspaceName)' is working",
                                   body: "The task '\(task)' transitioned to a working state.")
                : TaskNotification(templateID: TaskNotification.idleTemplate, name: "Task Idle",
                                   title: "Task '\(workspaceName)' is idle",
                                   body: "The task '\(task)' is idle and ready for input.")
            let labels = try JSONWriter.text(["task": task, "workspace": workspaceName])
            let owner: String = ws["owner_id"]
            // Dedupe on the minute, as Coder does.
            let dedupe = "\(notification.templateID)|\(owner)|\(labels)|\(now.prefix(16))"
            try db.executeCached(
                sql: """
                    INSERT OR IGNORE INTO notifications (id, user_id, template_id, title, body, labels, dedupe_hash, created_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [ID.new(), owner, notification.templateID, notification.title, notification.body, labels, dedupe, now])
            return notification.name
        }
    }
}
