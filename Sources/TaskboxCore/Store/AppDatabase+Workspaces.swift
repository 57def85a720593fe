import Foundation
import GRDB

/// What workspace creation needs to know of a template version (tasks-api.md §1.2.1).
public struct TemplateVersionInfo: Sendable {
    public var id: String
    public var organizationID: String
    public var templateID: String?
    public var templateName: String?
    public var templateDeleted: Bool
    public var templateDeprecated: String
    public var hasAITask: Bool
    public var archived: Bool
    public var name: String
    public var importJobStatus: ProvisionerJobStatus
    public var importJobError: String?
}

extension AppDatabase {
    /// A workspace by id, deleted or not, with its latest build.
    /// The row comes from `taskRows` when it holds it at the workspace's current `row_version`
    /// (one index lookup instead of seven joins).
    public func workspaceView(id: String) async throws -> WorkspaceView? {
        // No transaction around the two statements: the version is read first and versions only
        // grow, so a row read after a concurrent change is kept under the older version and
        // simply read again next time (it never stands for a newer version than it shows).
        try await quickRead(statement: true) { db in
            guard let version = try Int64.fetchOne(
                db.cachedStatement(sql: "SELECT row_version FROM workspaces WHERE id = ?"), arguments: [id])
            else { return nil }
            return try WorkspaceQuery.views(db, page: [(id, version)], cache: taskRows).first
        }
    }

    static func workspaceView(_ db: Database, id: String) throws -> WorkspaceView? {
        // Decoded from the cursor's row, without copying it (see `WorkspaceQuery.views`); the
        // row reads the statement, so the cursor must outlive the decoding.
        let rows = try Row.fetchCursor(
            db.cachedStatement(sql: "SELECT \(WorkspaceView.columns) \(WorkspaceView.joins) WHERE w.id = ?"),
            arguments: [id])
        return try withExtendedLifetime(rows) { try rows.next().map(WorkspaceView.init(row:)) }
    }

    /// One page of workspaces matching a search, and how many match in all (tasks-api.md §6),
    /// each row as `render` makes it (kept with the cached row, so an unchanged row is rendered
    /// once; see `WorkspaceQuery.runRendered`).
    public func listRenderedWorkspaces(
        filter: WorkspaceFilter, authorizer: Authorizer, pagination: Pagination, now: Double,
        render: @escaping @Sendable (WorkspaceView) -> (bytes: [UInt8], validUntil: Double)
    ) async throws -> (rows: [[UInt8]], total: Int) {
        let query = WorkspaceQuery(
            filter: filter, readFilter: authorizer.workspaceReadFilter(alias: "w"), requesterID: authorizer.actor.id,
            pagination: pagination)
        return try await quickRead { [taskRows] db in
            try query.runRendered(db, cache: taskRows, now: now) { view in
                let made = render(view)
                return TaskRowCache.Rendering(bytes: made.bytes, validUntil: made.validUntil)
            }
        }
    }

    public func templateVersionInfo(id: String) async throws -> TemplateVersionInfo? {
        try await pool.read { db in
            try Row.fetchOne(
                db,
                sql: """
                    SELECT v.id, v.organization_id, v.template_id, t.name AS template_name, coalesce(t.deleted, 0) AS template_deleted,
                           coalesce(t.deprecated, '') AS deprecated, coalesce(v.has_ai_task, 0) AS has_ai_task, v.archived, v.name,
                           j.job_status, j.error
                    FROM template_versions v
                    JOIN provisioner_jobs j ON j.id = v.job_id
                    LEFT JOIN templates t ON t.id = v.template_id
                    WHERE v.id = ?
                    """,
                arguments: [id]
            ).map {
                TemplateVersionInfo(
                    id: $0["id"], organizationID: $0["organization_id"], templateID: $0["template_id"],
                    templateName: $0["template_name"], templateDeleted: $0["template_deleted"],
                    templateDeprecated: $0["deprecated"], hasAITask: $0["has_ai_task"], archived: $0["archived"],
                    name: $0["name"], importJobStatus: try $0.decode(forColumn: "job_status"), importJobError: $0["error"])
            }
        }
    }

    /// `AI Prompt` values of the given builds, only of workspaces the caller may read (§1.1).
    public func prompts(buildIDs: [String], authorizer: Authorizer) async throws -> [String: String] {
        guard !buildIDs.isEmpty else { return [:] }
        let read = authorizer.workspaceReadFilter(alias: "w")
        var collected = StatementArguments(buildIDs)
        collected += read.arguments
        let arguments = collected
        return try await pool.read { db in
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT b.id, p.value FROM workspace_builds b
                    JOIN workspaces w ON w.id = b.workspace_id
                    JOIN workspace_build_parameters p ON p.workspace_build_id = b.id AND p.name = 'AI Prompt'
                    WHERE b.id IN (\(buildIDs.map { _ in "?" }.joined(separator: ", "))) AND \(read.sql)
                    """,
                arguments: arguments)
            return Dictionary(rows.map { ($0["id"], $0["value"]) }, uniquingKeysWith: { a, _ in a })
        }
    }
}
