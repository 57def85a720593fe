import Foundation
import GRDB

/// The workspace listing query of tasks-api.md §6 on SQLite: every filter of the search
/// grammar, the caller's read filter (inside the SQL, before ordering and counting), the
/// ordering of §6.6, limit/offset and `after_id`, and the total count.
struct WorkspaceQuery {
    var filter: WorkspaceFilter
    var readFilter: (sql: String, arguments: StatementArguments)
    /// Whose favourites come first.
    var requesterID: String
    var pagination: Pagination
    var now: Date = Date()

    /// The WHERE clause and its arguments.
    func whereClause() -> (sql: String, arguments: StatementArguments) {
        var conditions = ["w.deleted = 0"]
        var arguments: StatementArguments = []
        func add(_ sql: String, _ args: StatementArguments = []) {
            conditions.append(sql)
            arguments += args
        }
        let f = filter

        // §6.3: the latest build's status, kept on the workspace by schema.sql's triggers
        // (the §7.2 mapping, which for every value the parser accepts is the §6.3 table).
        if !f.status.isEmpty { add("w.list_status = ?", [f.status]) }
        if let owner = f.ownerID { add("w.owner_id = ?", [owner.lowercased]) }
        if let org = f.organizationID { add("w.organization_id = ?", [org.lowercased]) }
        if !f.hasParam.isEmpty {
            let any = f.hasParam.map { _ in "p.name LIKE ?" }.joined(separator: " OR ")
            add("EXISTS (SELECT 1 FROM workspace_build_parameters p WHERE p.workspace_build_id = b.id AND (\(any)))",
                StatementArguments(f.hasParam))
        }
        if !f.paramNames.isEmpty {
            let pairs = zip(f.paramNames, f.paramValues)
            let any = pairs.map { _ in "(lower(p.name) = lower(?) AND lower(p.value) = lower(?))" }.joined(separator: " OR ")
            add("EXISTS (SELECT 1 FROM workspace_build_parameters p WHERE p.workspace_build_id = b.id AND (\(any)))",
                StatementArguments(pairs.flatMap { [$0, $1] }))
        }
        if !f.ownerUsername.isEmpty {
            add("w.owner_id = (SELECT id FROM users WHERE lower(username) = lower(?) AND deleted = 0)", [f.ownerUsername])
        }
        if !f.templateName.isEmpty {
            add("w.template_id IN (SELECT id FROM templates WHERE lower(name) = lower(?) AND deleted = 0)", [f.templateName])
        }
        if !f.workspaceIDs.isEmpty {
            add("w.id IN (\(f.workspaceIDs.map { _ in "?" }.joined(separator: ", ")))",
                StatementArguments(f.workspaceIDs.map(\.lowercased)))
        }
        // ILIKE '%name%': `%` and `_` in the value act as wildcards, as in Coder.
        if !f.name.isEmpty { add("w.name LIKE '%' || ? || '%'", [f.name]) }
        if !f.hasAgent.isEmpty {
            let timeout = f.agentInactiveDisconnectTimeoutSeconds > 0
                ? f.agentInactiveDisconnectTimeoutSeconds : AgentConnection.inactiveDisconnectTimeoutSeconds
            // §6.5; the same rule as AgentConnection.status(now:).
            add("""
                b.transition = 'start' AND EXISTS (
                  SELECT 1 FROM workspace_resources r JOIN workspace_agents a ON a.resource_id = r.id
                  WHERE r.job_id = b.job_id AND a.deleted = 0 AND ? = CASE
                    WHEN a.first_connected_at IS NULL OR a.last_connected_at IS NULL THEN
                      CASE WHEN a.connection_timeout_seconds > 0
                             AND (julianday(?) - julianday(a.created_at)) * 86400 > a.connection_timeout_seconds
                           THEN 'timeout' ELSE 'connecting' END
                    WHEN a.disconnected_at IS NOT NULL AND a.disconnected_at > a.last_connected_at THEN 'disconnected'
                    WHEN (julianday(?) - julianday(a.last_connected_at)) * 86400 > ? THEN 'disconnected'
                    ELSE 'connected' END)
                """, [f.hasAgent, Timestamp.format(now), Timestamp.format(now), timeout])
        }
        if f.dormant { add("w.dormant_at IS NOT NULL") }
        if let after = f.lastUsedAfter { add("w.last_used_at >= ?", [Timestamp.format(after)]) }
        if let before = f.lastUsedBefore { add("w.last_used_at <= ?", [Timestamp.format(before)]) }
        if let usingActive = f.usingActive {
            add("(b.template_version_id = t.active_version_id) = ?", [usingActive])
        }
        // §6.4, kept on the workspace by schema.sql's triggers.
        if let hasAITask = f.hasAITask { add("w.list_task = ?", [hasAITask]) }
        // taskbox has no external agents (taskbox.md §5).
        if let external = f.hasExternalAgent { add("0 = ?", [external]) }
        if let shared = f.shared { add("(w.user_acl <> '{}' OR w.group_acl <> '{}') = ?", [shared]) }
        if let user = f.sharedWithUserID {
            add("EXISTS (SELECT 1 FROM json_each(w.user_acl) WHERE key = ?)", [user.lowercased])
        }
        if let group = f.sharedWithGroupID {
            add("EXISTS (SELECT 1 FROM json_each(w.group_acl) WHERE key = ?)", [group.lowercased])
        }
        add(readFilter.sql, readFilter.arguments)
        return (conditions.joined(separator: "\n  AND "), arguments)
    }

    /// Whether a filter reads the latest build (or its template) rather than the workspace's keys.
    var needsBuild: Bool {
        !filter.hasParam.isEmpty || !filter.paramNames.isEmpty || !filter.hasAgent.isEmpty || filter.usingActive != nil
    }

    /// With the owner fixed, usernames are all equal and need no join.
    var ownerFixed: Bool { filter.ownerID != nil || !filter.ownerUsername.isEmpty }

    /// The rows the ranking reads: the workspace alone when it can, so a page of one
    /// owner's tasks comes from one index.
    var rankingSource: String {
        var from = "FROM workspaces w"
        if !ownerFixed { from += " JOIN users u ON u.id = w.owner_id" }
        if needsBuild {
            from += " JOIN templates t ON t.id = w.template_id LEFT JOIN workspace_builds b ON b.id = w.latest_build_id"
        }
        return from
    }

    /// §6.6, with the id last so that `after_id` has a total order to count from.
    var orderBy: String {
        "CASE WHEN w.owner_id = ? AND w.favorite = 1 THEN 0 ELSE 1 END, w.list_running DESC, "
            + (ownerFixed ? "" : "lower(u.username), ") + "lower(w.name), w.id"
    }

    /// One page of workspaces and the total number that match: the ranking reads only the
    /// workspaces' list keys; the full rows are joined for the page alone.
    func run(_ db: Database) throws -> (workspaces: [WorkspaceView], total: Int) {
        let (whereSQL, whereArguments) = whereClause()
        let limit = pagination.limit > 0 ? pagination.limit : -1
        var arguments: StatementArguments = []
        let pageSQL: String
        if let after = pagination.afterID {
            // The page starts right after `after_id` in list order; an id not in the list gives nothing.
            pageSQL = """
                WITH ranked AS (
                  SELECT w.id AS id, row_number() OVER (ORDER BY \(orderBy)) AS rn
                  \(rankingSource) WHERE \(whereSQL)
                ), page AS (
                  SELECT id, rn FROM ranked WHERE rn > (SELECT rn FROM ranked WHERE id = ?)
                  ORDER BY rn LIMIT ? OFFSET ?
                )
                SELECT \(WorkspaceView.columns), (SELECT count(*) FROM ranked) AS total
                FROM page JOIN workspaces w ON w.id = page.id
                \(WorkspaceView.rowJoins)
                ORDER BY page.rn
                """
            arguments += [requesterID]
            arguments += whereArguments
            arguments += [after.lowercased, limit, pagination.offset]
        } else {
            pageSQL = """
                WITH page AS (
                  SELECT w.id AS id, CASE WHEN w.owner_id = ? AND w.favorite = 1 THEN 0 ELSE 1 END AS k1,
                         w.list_running AS k2, \(ownerFixed ? "''" : "lower(u.username)") AS k3, lower(w.name) AS k4
                  \(rankingSource) WHERE \(whereSQL)
                  ORDER BY k1, k2 DESC, k3, k4, w.id LIMIT ? OFFSET ?
                )
                SELECT \(WorkspaceView.columns)
                FROM page JOIN workspaces w ON w.id = page.id
                \(WorkspaceView.rowJoins)
                ORDER BY page.k1, page.k2 DESC, page.k3, page.k4, w.id
                """
            arguments += [requesterID]
            arguments += whereArguments
            arguments += [limit, pagination.offset]
        }
        let rows = try Row.fetchAll(db.cachedStatement(sql: pageSQL), arguments: arguments)
        let workspaces = rows.map(WorkspaceView.init(row:))
        // The page carries the total when it has rows (after_id form) or is the whole list;
        // otherwise one count over the same filter, from the same index.
        if let first = rows.first, pagination.afterID != nil, let total: Int = first["total"] {
            return (workspaces, total)
        }
        if pagination.afterID == nil, pagination.offset == 0, pagination.limit == 0 || workspaces.count < pagination.limit {
            return (workspaces, workspaces.count)
        }
        let total = try Int.fetchOne(
            db.cachedStatement(sql: "SELECT count(*) \(rankingSource) WHERE \(whereSQL)"), arguments: whereArguments) ?? 0
        return (workspaces, total)
    }
}
