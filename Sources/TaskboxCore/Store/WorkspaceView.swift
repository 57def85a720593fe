import Foundation
import GRDB

/// A workspace joined with what the task endpoints show of it: owner, template, latest
/// build and its job, the build's prompt, its first top-level agent, and the workspace's
/// latest app status (tasks-api.md §6.1, §1.9).
public struct WorkspaceView: Sendable, Equatable {
    public var id: String
    public var name: String
    public var ownerID: String
    public var ownerName: String
    public var organizationID: String
    public var templateID: String
    public var templateName: String
    public var templateDisplayName: String
    public var templateIcon: String
    public var templateDeleted: Bool
    public var createdAt: String
    public var updatedAt: String
    public var lastUsedAt: String
    public var favorite: Bool
    public var deleted: Bool
    public var dormant: Bool
    public var build: Build?
    public var prompt: String?
    public var agent: AgentConnection?
    public var agentID: String?
    public var appStatus: AppStatus?

    public struct Build: Sendable, Equatable {
        public var id: String
        public var number: Int
        public var transition: WorkspaceTransition
        public var createdAt: String
        public var templateVersionID: String
        public var hasAITask: Bool?
        public var sidebarAppID: String?
        public var jobID: String
        public var jobStatus: ProvisionerJobStatus

        public var status: WorkspaceStatus { WorkspaceStatus(job: jobStatus, transition: transition) }
    }

    public struct AppStatus: Sendable, Equatable {
        public var createdAt: String
        public var state: AppStatusState
        public var message: String
        public var uri: String?
    }

    public var object: WorkspaceObject {
        WorkspaceObject(ownerID: ownerID, organizationID: organizationID, dormant: dormant)
    }

    /// The columns `init(row:)` reads, over `workspaces w`, `users u`, `templates t`,
    /// `workspace_builds b` (the latest build) and `provisioner_jobs j`.
    static let columns = """
        w.id, w.name, w.owner_id, u.username AS owner_name, w.organization_id, w.template_id,
        t.name AS template_name, t.display_name AS template_display_name, t.icon AS template_icon,
        t.deleted AS template_deleted, w.created_at, w.updated_at, w.last_used_at, w.favorite, w.deleted,
        w.dormant_at IS NOT NULL AS dormant,
        b.id AS build_id, b.build_number, b.transition, b.created_at AS build_created_at, b.template_version_id,
        b.has_ai_task, b.ai_task_sidebar_app_id, b.job_id, j.job_status,
        (SELECT p.value FROM workspace_build_parameters p
          WHERE p.workspace_build_id = b.id AND p.name = 'AI Prompt') AS prompt,
        ag.id AS agent_id, \(AgentConnection.columns("ag")),
        st.created_at AS status_created_at, st.state AS status_state, st.message AS status_message, st.uri AS status_uri
        """

    /// The joins behind `columns`; `b` is the latest build (kept by a trigger, schema.sql).
    static let joins = "FROM workspaces w\n" + rowJoins

    /// What `columns` needs joined to a workspace row `w`.
    static let rowJoins = """
        JOIN users u ON u.id = w.owner_id
        JOIN templates t ON t.id = w.template_id
        LEFT JOIN workspace_builds b ON b.id = w.latest_build_id
        LEFT JOIN provisioner_jobs j ON j.id = b.job_id
        \(agentAndStatusJoins)
        """

    /// The first top-level agent of the latest build (§1.9; kept on the build by migration
    /// 0006's triggers) and the workspace's newest app status (§8.3), joined by id so the
    /// page's rows need no per-row decoding.
    static let agentAndStatusJoins = """
        LEFT JOIN workspace_agents ag ON ag.id = b.agent_id
        LEFT JOIN workspace_app_statuses st ON st.id = (
          SELECT s.id FROM workspace_app_statuses s WHERE s.workspace_id = w.id ORDER BY s.created_at DESC LIMIT 1)
        """

    /// Reads `columns` by position: name lookups cost more than the query on a hot page.
    init(row: Row) throws {
        id = row[0]
        name = row[1]
        ownerID = row[2]
        ownerName = row[3]
        organizationID = row[4]
        templateID = row[5]
        templateName = row[6]
        templateDisplayName = row[7]
        templateIcon = row[8]
        templateDeleted = row[9]
        createdAt = row[10]
        updatedAt = row[11]
        lastUsedAt = row[12]
        favorite = row[13]
        deleted = row[14]
        dormant = row[15]
        if let buildID: String = row[16] {
            build = Build(
                id: buildID, number: row[17], transition: try row.decode(atIndex: 18), createdAt: row[19],
                templateVersionID: row[20], hasAITask: row[21], sidebarAppID: row[22], jobID: row[23],
                jobStatus: try row.decode(atIndex: 24))
        }
        prompt = row[25]
        if let id: String = row[26] {
            agentID = id
            agent = try AgentConnection(row: row, at: 27)
        }
        if let created: String = row[33] {
            appStatus = AppStatus(createdAt: created, state: try row.decode(atIndex: 34), message: row[35], uri: row[36])
        }
    }
}
