import Foundation
import GRDB

struct SidebarApp: Sendable {
    var url: String?
    var health: AppHealth
    var agentID: String
    var agentToken: String
    var agent: AgentConnection
}

extension AppDatabase {
    /// The sidebar app among a build's resources → agents → apps (any build's when `jobID`
    /// is nil), with its agent.
    func sidebarApp(jobID: String?, appID: String) async throws -> SidebarApp? {
        try await pool.read { db in
            try Row.fetchOne(
                db.cachedStatement(sql: """
                    SELECT p.url, p.health, a.id AS agent_id, a.auth_token, \(AgentConnection.columns("a"))
                    FROM workspace_apps p JOIN workspace_agents a ON a.id = p.agent_id
                    JOIN workspace_resources r ON r.id = a.resource_id
                    WHERE p.id = ?1 AND (?2 IS NULL OR r.job_id = ?2)
                    """),
                arguments: [appID, jobID]
            ).map { row in
                // An inner join: every app row has its agent.
                guard let agent = try AgentConnection(row: row, at: 4) else { throw StoreError.notFound("agent of app \(appID)") }
                return SidebarApp(
                    url: row["url"], health: try row.decode(forColumn: "health"), agentID: row["agent_id"], agentToken: row["auth_token"],
                    agent: agent)
            }
        }
    }
}
