import Foundation
import GRDB

/// A non-deleted task as the view `tasks_with_status` shows it, with its owner and the
/// connection of its bound agent (tasks-v2.md §0.2, §2.1).
public struct TaskRow: Sendable, Equatable {
    public var id: String
    public var organizationID: String
    public var ownerID: String
    public var ownerName: String
    public var ownerAvatarURL: String
    public var name: String
    public var displayName: String
    public var workspaceID: String?
    public var templateVersionID: String
    public var prompt: String
    public var createdAt: String
    public var status: TaskStatus
    public var buildNumber: Int?
    public var agentID: String?
    public var appID: String?
    public var appHealth: AppHealth?
    public var agent: AgentConnection?

    public var object: TaskObject { TaskObject(ownerID: ownerID, organizationID: organizationID) }

    static let select = """
        SELECT s.id, s.organization_id, s.owner_id, u.username, u.avatar_url, s.name, s.display_name, s.workspace_id,
               s.template_version_id, s.prompt, s.created_at, s.status, s.workspace_build_number, s.workspace_agent_id,
               s.workspace_app_id, s.workspace_app_health, \(AgentConnection.columns("ag"))
        FROM tasks_with_status s JOIN users u ON u.id = s.owner_id
        LEFT JOIN workspace_agents ag ON ag.id = s.workspace_agent_id
        """

    init(row: Row) throws {
        id = row[0]
        organizationID = row[1]
        ownerID = row[2]
        ownerName = row[3]
        ownerAvatarURL = row[4]
        name = row[5]
        displayName = row[6]
        workspaceID = row[7]
        templateVersionID = row[8]
        prompt = row[9]
        createdAt = row[10]
        status = try row.decode(atIndex: 11)
        buildNumber = row[12]
        agentID = row[13]
        appID = row[14]
        appHealth = try row.decode(atIndex: 15)
        agent = try AgentConnection(row: row, at: 16)
    }
}

/// What the task list filters on (tasks-v2.md §4.2); nil means no filter.
public struct TaskFilter: Equatable, Sendable {
    public var ownerID: String?
    public var organizationID: String?
    public var status: TaskStatus?
    public init(ownerID: String? = nil, organizationID: String? = nil, status: TaskStatus? = nil) {
        self.ownerID = ownerID
        self.organizationID = organizationID
        self.status = status
    }
}

/// The task row a v2 create inserts with its workspace (tasks-v2.md §3.2.2).
public struct NewTask: Sendable {
    public var id: String
    public var displayName: String
    public var prompt: String
}

extension AppDatabase {
    /// The task with this id, if it is not deleted.
    public func task(id: String) async throws -> TaskRow? {
        try await pool.read { db in try Self.task(db, id: id) }
    }

    static func task(_ db: Database, id: String) throws -> TaskRow? {
        try Row.fetchOne(db.cachedStatement(sql: TaskRow.select + " WHERE s.id = ?"), arguments: [id]).map(TaskRow.init(row:))
    }

    /// The owner's non-deleted task of this name, ignoring case (tasks-v2.md §1.5 step 3).
    /// A task of `workspaceID`: what an agent of that workspace may reach (tasks-v2.md §3.11).
    public func agentTask(id: String, workspaceID: String?) async throws -> TaskRow? {
        guard let task = try await task(id: id), task.workspaceID == workspaceID else { return nil }
        return task
    }

    public func task(ownerID: String, name: String) async throws -> TaskRow? {
        try await pool.read { db in
            try Row.fetchOne(
                db.cachedStatement(sql: TaskRow.select + " WHERE s.owner_id = ? AND lower(s.name) = lower(?)"),
                arguments: [ownerID, name]
            ).map(TaskRow.init(row:))
        }
    }

    /// The non-deleted task of a workspace.
    public func task(workspaceID: String) async throws -> TaskRow? {
        try await pool.read { db in
            try Row.fetchOne(db.cachedStatement(sql: TaskRow.select + " WHERE s.workspace_id = ?"), arguments: [workspaceID])
                .map(TaskRow.init(row:))
        }
    }

    /// The tasks the caller may read that match `filter`, newest first (ties by id), and how
    /// many match in all. `pagination` nil is Coder's answer: every match.
    public func listTasks(
        filter: TaskFilter, authorizer: Authorizer, pagination: Pagination?
    ) async throws -> (tasks: [TaskRow], total: Int) {
        let read = authorizer.taskReadFilter(alias: "s")
        var conditions = [read.sql]
        var arguments = read.arguments
        if let owner = filter.ownerID { conditions.append("s.owner_id = ?"); arguments += [owner] }
        if let org = filter.organizationID { conditions.append("s.organization_id = ?"); arguments += [org] }
        if let status = filter.status { conditions.append("s.status = ?"); arguments += [status.rawValue] }
        let whereClause = " WHERE " + conditions.joined(separator: " AND ")
        let order = " ORDER BY s.created_at DESC, s.id DESC"
        let filterArguments = arguments
        return try await pool.read { db in
            guard let pagination else {
                let rows = try Row.fetchAll(db, sql: TaskRow.select + whereClause + order, arguments: filterArguments)
                    .map(TaskRow.init(row:))
                return (rows, rows.count)
            }
            let total = try Int.fetchOne(
                db, sql: "SELECT count(*) FROM tasks_with_status s" + whereClause, arguments: filterArguments) ?? 0
            var pageSQL = TaskRow.select + whereClause
            var pageArguments = filterArguments
            if let after = pagination.afterID?.lowercased {
                // taskbox.md §5: a cursor naming no visible task gives an empty page.
                guard let cursor = try Row.fetchOne(
                    db, sql: "SELECT s.created_at, s.id FROM tasks_with_status s" + whereClause + " AND s.id = ?",
                    arguments: filterArguments + [after])
                else { return ([], total) }
                pageSQL += " AND (s.created_at < ? OR (s.created_at = ? AND s.id < ?))"
                let created: String = cursor[0]
                pageArguments += [created, created, cursor[1] as String]
            }
            pageSQL += order + " LIMIT ? OFFSET ?"
            pageArguments += [pagination.limit > 0 ? pagination.limit : -1, pagination.offset]
            return (try Row.fetchAll(db, sql: pageSQL, arguments: pageArguments).map(TaskRow.init(row:)), total)
        }
    }

    /// Workspaces by id, for converting a page of tasks with one read.
    public func workspaceViews(ids: [String]) async throws -> [String: WorkspaceView] {
        guard !ids.isEmpty else { return [:] }
        return try await pool.read { db in
            let views = try Row.fetchAll(
                db,
                sql: "SELECT \(WorkspaceView.columns) \(WorkspaceView.joins) WHERE w.id IN (\(ids.map { _ in "?" }.joined(separator: ", ")))",
                arguments: StatementArguments(ids)
            ).map(WorkspaceView.init(row:))
            return Dictionary(views.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        }
    }

    /// Marks a task deleted and drops its snapshot (tasks-v2.md §3.4 step 3).
    public func markTaskDeleted(id: String) async throws {
        try await write { db in
            try db.execute(sql: "DELETE FROM task_snapshots WHERE task_id = ?", arguments: [id])
            // A deleted task's follow-up queue goes with it (issue #17).
            try db.execute(sql: "DELETE FROM task_queued_inputs WHERE task_id = ?", arguments: [id])
            try db.execute(sql: "UPDATE tasks SET deleted_at = ? WHERE id = ? AND deleted_at IS NULL", arguments: [Timestamp.now(), id])
        }
    }

    /// tasks-v2.md §3.5 step 4: the prompt changes only while the task is paused.
    public func updateTaskPrompt(id: String, prompt: String) async throws {
        try await write { db in
            guard let task = try Self.task(db, id: id) else { throw StoreRefusal.notFound }
            guard task.status == .paused else { throw StoreRefusal.taskNotPaused }
            try db.execute(sql: "UPDATE tasks SET prompt = ? WHERE id = ?", arguments: [prompt, id])
        }
    }
}
