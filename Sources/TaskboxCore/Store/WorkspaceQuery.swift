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

    /// The WHERE clause and its arguments. With `totals`, for `workspace_list_totals w`,
    /// which holds live workspaces only and is read only when `countsFromTotals`.
    func whereClause(totals: Bool = false) -> (sql: String, arguments: StatementArguments) {
        var conditions = totals ? ["1"] : ["w.deleted = 0"]
        var arguments: StatementArguments = []
        func add(_ sql: String, _ args: StatementArguments = []) {
            conditions.append(sql)
            arguments += args
        }
        let f = filter

        // §6.3: the latest build's status, kept on the workspace by schema.sql's triggers
        // (the §7.2 mapping, which for every value the parser accepts is the §6.3 table).
        if let status = f.status { add("w.list_status = ?", [status]) }
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

    /// The rows the filter reads: the workspace alone when it can, so a page comes from one index.
    var source: String { source(index: nil) }

    /// `source`, reading the workspaces through `index` when one is named.
    func source(index: String?) -> String {
        var from = "FROM workspaces w"
        if let index { from += " INDEXED BY \(index)" }
        if needsBuild {
            from += " JOIN templates t ON t.id = w.template_id LEFT JOIN workspace_builds b ON b.id = w.latest_build_id"
        }
        return from
    }

    /// §6.6's first key: the requester's own favourites come before everything else.
    static let favoriteSQL = "(w.owner_id = ? AND w.favorite = 1)"

    /// The favourites are read from their own index (migration 0006), whatever else the filter
    /// names: left to choose, SQLite takes a filter's index (`status:` → the owner/status index)
    /// and reads every matching row to find the few favourites among them (565 table reads for
    /// `owner:me status:running` on the 100,000-workspace bench, against 122 favourites).
    static let favoritesIndex = "workspaces_favorites"

    /// One page of workspaces and the total number that match. The order is §6.6's with the id
    /// last (a total order for `after_id`): the requester's favourites, few, are read apart;
    /// the rest is read in `list_key` order (migration 0002) from an index, never sorted.
    /// With a `cache`, rows whose `row_version` it holds are not read again.
    func run(_ db: Database, cache: TaskRowCache? = nil) throws -> (workspaces: [WorkspaceView], total: Int) {
        let clause = whereClause()
        guard let page = try page(db, clause) else { return ([], try count(db, clause)) }
        let workspaces = try Self.views(db, page: page, cache: cache)
        return (workspaces, try total(db, clause, pageCount: workspaces.count))
    }

    /// `run`, each row rendered by `render` (the task list's JSON): a row whose version has
    /// not moved since its rendering was kept, and whose rendering is still valid at `now`, is
    /// neither read nor rendered again.
    func runRendered(
        _ db: Database, cache: TaskRowCache, now: Double, render: (WorkspaceView) -> TaskRowCache.Rendering
    ) throws -> (rows: [[UInt8]], total: Int) {
        let clause = whereClause()
        guard let page = try page(db, clause) else { return ([], try count(db, clause)) }
        var found = cache.lookupRendered(page, now: now)
        let missing = page.filter { found[$0.id] == nil }
        if !missing.isEmpty {
            for view in try Self.views(db, page: missing, cache: cache) { found[view.id] = .row(view) }
        }
        var rows: [[UInt8]] = []
        rows.reserveCapacity(page.count)
        var made: [(id: String, version: Int64, rendering: TaskRowCache.Rendering)] = []
        for (id, version) in page {
            switch found[id] {
            case .rendered(let bytes): rows.append(bytes)
            case .row(let view):
                let rendering = render(view)
                rows.append(rendering.bytes)
                made.append((id, version, rendering))
            case nil: continue
            }
        }
        if !made.isEmpty { cache.storeRenderings(made) }
        return (rows, try total(db, clause, pageCount: rows.count))
    }

    /// The page's ids with their row versions, in list order; nil when `after_id` names no
    /// match (an empty page, taskbox.md §5).
    private func page(_ db: Database, _ clause: SQLStatement) throws -> [(id: String, version: Int64)]? {
        let favoriteRows = try Self.idsAndVersions(db, favoritesStatement(clause))
        let favorites = favoriteRows.map(\.id)

        // Where the page starts: after `after_id` (among the favourites, or by its key among
        // the rest), then `offset` more.
        var favoriteStart = 0
        var afterKey: String?
        if let after = pagination.afterID?.lowercased {
            if let index = favorites.firstIndex(of: after) {
                favoriteStart = index + 1
            } else if let key = try fetchOne(db, String.self, afterKeyStatement(clause, id: after)) {
                favoriteStart = favorites.count
                afterKey = key
            } else {
                return nil
            }
        }
        var page = Array(favoriteRows.dropFirst(favoriteStart).dropFirst(pagination.offset))
        if pagination.limit > 0 { page = Array(page.prefix(pagination.limit)) }
        let restOffset = max(0, pagination.offset - max(0, favorites.count - favoriteStart))
        let restLimit = pagination.limit > 0 ? pagination.limit - page.count : -1
        if restLimit != 0 {
            page += try Self.idsAndVersions(db, restStatement(clause, afterKey: afterKey, limit: restLimit, offset: restOffset))
        }
        return page
    }

    /// The total: a first page that is not full holds the whole list; otherwise counted.
    private func total(_ db: Database, _ clause: SQLStatement, pageCount: Int) throws -> Int {
        if pagination.afterID == nil, pagination.offset == 0, pagination.limit == 0 || pageCount < pagination.limit {
            return pageCount
        }
        return try count(db, clause)
    }

    typealias SQLStatement = (sql: String, arguments: StatementArguments)

    /// The requester's favourites among the matches, in list order.
    func favoritesStatement(_ clause: SQLStatement) -> SQLStatement {
        let (whereSQL, arguments) = clause
        return ("SELECT w.id, w.row_version \(source(index: Self.favoritesIndex)) WHERE \(whereSQL) AND \(Self.favoriteSQL) ORDER BY w.list_key",
                arguments + [requesterID])
    }

    /// The list key of `after_id` when it is one of the matches.
    func afterKeyStatement(_ clause: SQLStatement, id: String) -> SQLStatement {
        let (whereSQL, arguments) = clause
        return ("SELECT w.list_key \(source) WHERE \(whereSQL) AND w.id = ?", arguments + [id])
    }

    /// The matches that are not the requester's favourites, in list order, after `afterKey`.
    func restStatement(_ clause: SQLStatement, afterKey: String?, limit: Int, offset: Int) -> SQLStatement {
        let (whereSQL, whereArguments) = clause
        var sql = "SELECT w.id, w.row_version \(source) WHERE \(whereSQL) AND NOT \(Self.favoriteSQL)"
        var arguments = whereArguments + [requesterID]
        if let afterKey {
            sql += " AND w.list_key > ?"
            arguments += [afterKey]
        }
        return (sql + " ORDER BY w.list_key LIMIT ? OFFSET ?", arguments + [limit, offset])
    }

    /// The number of matches: from `workspace_list_totals` when the filter is one it keeps.
    func countStatement(_ clause: SQLStatement) -> SQLStatement {
        if countsFromTotals {
            let (totalsSQL, arguments) = whereClause(totals: true)
            return ("SELECT coalesce(sum(w.n), 0) FROM workspace_list_totals w WHERE \(totalsSQL)", arguments)
        }
        return ("SELECT count(*) \(source) WHERE \(clause.sql)", clause.arguments)
    }

    /// SQLite's plan for each statement a page can run (`EXPLAIN QUERY PLAN`, one line per
    /// step), for `taskbox bench sql --explain`, BENCHMARKS.md and the tests that keep every
    /// list form on an index.
    func queryPlans(_ db: Database) throws -> [(statement: String, plan: [String])] {
        let clause = whereClause()
        let statements: [(String, SQLStatement)] = [
            ("favourites", favoritesStatement(clause)),
            ("page", restStatement(clause, afterKey: nil, limit: max(pagination.limit, 1), offset: 0)),
            ("page after after_id", restStatement(clause, afterKey: "", limit: max(pagination.limit, 1), offset: 0)),
            ("after_id's key", afterKeyStatement(clause, id: "")),
            ("count", countStatement(clause)),
        ]
        return try statements.map { name, statement in
            let rows = try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + statement.sql, arguments: statement.arguments)
            return (name, rows.map { $0["detail"] as String })
        }
    }

    /// Whether every condition of the filter is one `workspace_list_totals` keeps a key for.
    var countsFromTotals: Bool {
        var rest = filter
        rest.status = nil
        rest.ownerID = nil
        rest.ownerUsername = ""
        rest.organizationID = nil
        rest.hasAITask = nil
        rest.agentInactiveDisconnectTimeoutSeconds = 0
        return rest == WorkspaceFilter()
    }

    private func count(_ db: Database, _ clause: SQLStatement) throws -> Int {
        try fetchOne(db, Int.self, countStatement(clause)) ?? 0
    }

    private func fetchOne<T: DatabaseValueConvertible & StatementColumnConvertible>(
        _ db: Database, _ type: T.Type, _ statement: SQLStatement
    ) throws -> T? {
        try T.fetchOne(db.cachedStatement(sql: statement.sql), arguments: statement.arguments)
    }

    static func idsAndVersions(_ db: Database, _ statement: SQLStatement) throws -> [(id: String, version: Int64)] {
        try idsAndVersions(db.cachedStatement(sql: statement.sql), arguments: statement.arguments)
    }

    static func idsAndVersions(_ statement: Statement, arguments: StatementArguments) throws -> [(id: String, version: Int64)] {
        var page: [(id: String, version: Int64)] = []
        let rows = try Row.fetchCursor(statement, arguments: arguments)
        try withExtendedLifetime(rows) {
            while let row = try rows.next() { page.append((row[0], row[1])) }
        }
        return page
    }

    /// The full rows of a page, in the page's order: from `cache` where it holds the row at
    /// its current version, the rest read (with the version they were read at, in this same
    /// read transaction) and remembered.
    static func views(_ db: Database, page: [(id: String, version: Int64)], cache: TaskRowCache?) throws -> [WorkspaceView] {
        guard let cache else { return try views(db, ids: page.map(\.id)) }
        var found = cache.lookup(page)
        let missing = page.filter { found[$0.id] == nil }
        if !missing.isEmpty {
            let read = try views(db, ids: missing.map(\.id))
            let versions = Dictionary(missing.map { ($0.id, $0.version) }, uniquingKeysWith: { first, _ in first })
            var fresh: [(version: Int64, view: WorkspaceView)] = []
            for view in read {
                found[view.id] = view
                if let version = versions[view.id] { fresh.append((version, view)) }
            }
            cache.store(fresh)
        }
        return page.compactMap { found[$0.id] }
    }

    /// The full rows of a page, in the page's order.
    static func views(_ db: Database, ids: [String]) throws -> [WorkspaceView] {
        guard !ids.isEmpty else { return [] }
        let sql = "SELECT \(WorkspaceView.columns) \(WorkspaceView.joins) WHERE w.id IN (SELECT value FROM json_each(?))"
        let json = "[" + ids.map { "\"\($0)\"" }.joined(separator: ",") + "]"
        // Decoded from the statement's row as it is read (a cursor), not from a copied row:
        // copying 37 columns into DatabaseValues cost more than the query (issue #19's profile).
        var byID: [String: WorkspaceView] = [:]
        byID.reserveCapacity(ids.count)
        let rows = try Row.fetchCursor(db.cachedStatement(sql: sql), arguments: [json])
        try withExtendedLifetime(rows) {
            while let row = try rows.next() {
                let view = try WorkspaceView(row: row)
                byID[view.id] = view
            }
        }
        return ids.compactMap { byID[$0] }
    }
}
