import GRDB

public struct AgentTokenRecord: Codable, Equatable, Sendable {
    public var agent_id: String
    public var token: String
}

extension AppDatabase {
    /// The token of an agent of the workspace's latest build (taskbox.md §1 `agents token`).
    public func agentToken(workspaceID: String, agentName: String?) throws -> AgentTokenRecord {
        guard let id = ID.canonical(workspaceID) else { throw StoreError.invalid("invalid workspace id \"\(workspaceID)\"") }
        return try pool.read { db in
            guard try Bool.fetchOne(cached: db, sql: "SELECT 1 FROM workspaces WHERE id = ?", arguments: [id]) ?? false else {
                throw StoreError.notFound("workspace \"\(id)\" not found")
            }
            let rows = try Row.fetchAll(cached: db,
                sql: """
                    SELECT a.id, a.name, a.auth_token
                    FROM workspace_builds b
                    JOIN workspace_resources r ON r.job_id = b.job_id
                    JOIN workspace_agents a ON a.resource_id = r.id
                    WHERE b.workspace_id = ? AND a.deleted = 0
                      AND b.build_number = (SELECT max(build_number) FROM workspace_builds WHERE workspace_id = ?)
                    ORDER BY a.created_at, a.name
                    """,
                arguments: [id, id])
            guard !rows.isEmpty else {
                throw StoreError.notFound("the latest build of workspace \"\(id)\" has no agents")
            }
            let chosen: Row?
            if let agentName {
                chosen = rows.first { ($0["name"] as String) == agentName }
            } else {
                chosen = rows.first
            }
            guard let row = chosen else { throw StoreError.notFound("workspace \"\(id)\" has no agent \"\(agentName ?? "")\"") }
            return AgentTokenRecord(agent_id: row["id"], token: row["auth_token"])
        }
    }
}
