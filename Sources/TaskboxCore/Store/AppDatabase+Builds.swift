import Foundation
import GRDB

/// A request to create a workspace and its first build (tasks-api.md §1.2.1 step 7).
public struct NewWorkspace: Sendable {
    public var name: String
    public var ownerID: String
    public var organizationID: String
    public var templateID: String
    public var templateVersionID: String
    public var presetID: String?
    public var parameters: [(name: String, value: String)]
    public var initiatorID: String
    /// When set, an audit row is written in the same transaction (§12.1).
    public var audit: AuditContext?
    /// When set, the task row is inserted and linked before build #1 (tasks-v2.md §3.2.2).
    public var task: NewTask?
}

public struct AuditContext: Sendable {
    public var ownerUsername: String
    public var ip: String
    public var userAgent: String
    public var requestID: String
}

extension AppDatabase {
    /// Inserts the workspace, its pending build #1 (`start`) and the build's parameters in
    /// one transaction. Name clashes and parameter problems are `StoreRefusal`s.
    public func createWorkspace(_ request: NewWorkspace) async throws -> String {
        try await write { db in
            let now = Timestamp.now()
            let clash = try Bool.fetchOne(cached: db, sql: "SELECT 1 FROM workspaces WHERE owner_id = ? AND lower(name) = lower(?) AND deleted = 0",
                arguments: [request.ownerID, request.name]) ?? false
            if clash { throw Self.nameInUse(request.name) }
            let parameters = try Self.resolveParameters(
                db, versionID: request.templateVersionID, presetID: request.presetID, requested: request.parameters)
            let id = ID.new()
            do {
                try db.executeCached(
                    sql: """
                        INSERT INTO workspaces (id, created_at, updated_at, owner_id, organization_id, template_id, name,
                                                last_used_at, automatic_updates)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'never')
                        """,
                    arguments: [id, now, now, request.ownerID, request.organizationID, request.templateID, request.name, now])
            } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE {
                throw Self.nameInUse(request.name)
            }
            if let task = request.task {
                try db.executeCached(
                    sql: """
                        INSERT INTO tasks (id, organization_id, owner_id, name, workspace_id, template_version_id, prompt,
                                           created_at, display_name)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [task.id, request.organizationID, request.ownerID, request.name, id, request.templateVersionID,
                                task.prompt, now, task.displayName])
            }
            try Self.insertBuild(
                db, workspaceID: id, organizationID: request.organizationID, number: 1, transition: .start,
                templateVersionID: request.templateVersionID, initiatorID: request.initiatorID, parameters: parameters, now: now)
            if let audit = request.audit {
                try Self.insertCreateAudit(db, workspaceID: id, request: request, audit: audit, now: now)
            }
            try Self.recordTaskEvent(db, .created, workspaceID: id, message: "")
            return id
        }
    }

    static func nameInUse(_ name: String) -> StoreRefusal { .workspaceNameInUse(name) }

    /// The text of the schema's trigger that refuses a second unfinished build.
    static let buildActiveMessage = "A workspace build is already active."

    /// Creates a pending build and its job. A second unfinished build is refused (409); the
    /// schema's trigger enforces the same rule against races.
    @discardableResult
    static func insertBuild(
        _ db: Database, workspaceID: String, organizationID: String, number: Int, transition: WorkspaceTransition,
        templateVersionID: String, initiatorID: String, parameters: [(name: String, value: String)], now: String,
        reason: BuildReason = .initiator
    ) throws -> String {
        let active = try Bool.fetchOne(cached: db,
            sql: """
                SELECT 1 FROM workspace_builds b JOIN provisioner_jobs j ON j.id = b.job_id
                WHERE b.workspace_id = ? AND j.completed_at IS NULL
                """,
            arguments: [workspaceID]) ?? false
        if active { throw StoreRefusal.buildActive }
        let jobID = ID.new()
        try db.executeCached(
            sql: """
                INSERT INTO provisioner_jobs (id, type, organization_id, initiator_id, created_at, updated_at)
                VALUES (?, 'workspace_build', ?, ?, ?, ?)
                """,
            arguments: [jobID, organizationID, initiatorID, now, now])
        let buildID = ID.new()
        do {
            try db.executeCached(
                sql: """
                    INSERT INTO workspace_builds (id, workspace_id, build_number, transition, template_version_id, initiator_id,
                                                  reason, job_id, created_at, updated_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [buildID, workspaceID, number, transition, templateVersionID, initiatorID, reason.rawValue, jobID, now, now])
        } catch let error as DatabaseError where error.resultCode == .SQLITE_CONSTRAINT {
            if error.message?.contains(buildActiveMessage) == true { throw StoreRefusal.buildActive }
            if error.extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE || error.message?.contains("consecutive") == true {
                throw StoreRefusal.buildRejected(error.message)
            }
            throw error
        }
        for parameter in parameters {
            try db.executeCached(
                sql: "INSERT INTO workspace_build_parameters (workspace_build_id, name, value) VALUES (?, ?, ?)",
                arguments: [buildID, parameter.name, parameter.value])
        }
        return buildID
    }

    /// Creates the next build of a workspace, copying the latest build's parameters and
    /// template version forward (tasks-api.md §2); `overriding` replaces the values of
    /// parameters the build already has.
    @discardableResult
    public func createBuild(
        workspaceID: String, transition: WorkspaceTransition, initiatorID: String, reason: BuildReason = .initiator,
        overriding: [String: String] = [:]
    ) async throws -> String {
        try await write { db in
            guard let latest = try Row.fetchOne(cached: db,
                sql: """
                    SELECT b.id, b.build_number, b.transition, b.template_version_id, w.organization_id FROM workspace_builds b
                    JOIN workspaces w ON w.id = b.workspace_id
                    WHERE b.workspace_id = ? ORDER BY b.build_number DESC LIMIT 1
                    """,
                arguments: [workspaceID])
            else { throw StoreRefusal.notFound }
            let previous = try Row.fetchAll(cached: db, sql: "SELECT name, value FROM workspace_build_parameters WHERE workspace_build_id = ? ORDER BY name",
                arguments: [latest["id"] as String]
            ).map { row -> (name: String, value: String) in
                let name: String = row["name"]
                return (name, overriding[name] ?? row["value"])
            }
            let now = Timestamp.now()
            try db.executeCached(sql: "UPDATE workspaces SET updated_at = ? WHERE id = ?", arguments: [now, workspaceID])
            let buildID = try Self.insertBuild(
                db, workspaceID: workspaceID, organizationID: latest["organization_id"], number: (latest["build_number"] as Int) + 1,
                transition: transition, templateVersionID: latest["template_version_id"], initiatorID: initiatorID,
                parameters: previous, now: now, reason: reason)
            try Self.recordBuildEvent(db, workspaceID: workspaceID, transition: transition, previousTransition: latest.decode(forColumn: "transition"))
            return buildID
        }
    }

    /// Values for the parameters the version declares: preset, then request, then default;
    /// request values for undeclared parameters are dropped (tasks-api.md §2).
    static func resolveParameters(
        _ db: Database, versionID: String, presetID: String?, requested: [(name: String, value: String)]
    ) throws -> [(name: String, value: String)] {
        var presetValues: [String: String] = [:]
        if let presetID {
            guard try Bool.fetchOne(cached: db, sql: "SELECT 1 FROM template_version_presets WHERE id = ? AND template_version_id = ?",
                arguments: [presetID, versionID]) ?? false
            else {
                throw StoreRefusal.presetNotFound(presetID)
            }
            for row in try Row.fetchAll(cached: db, sql: "SELECT name, value FROM template_version_preset_parameters WHERE preset_id = ?", arguments: [presetID]) {
                presetValues[row["name"]] = row["value"]
            }
        }
        let requestedValues = Dictionary(requested.map { ($0.name, $0.value) }, uniquingKeysWith: { _, last in last })
        var resolved: [(name: String, value: String)] = []
        for row in try Row.fetchAll(cached: db, sql: "SELECT name, type, default_value, options FROM template_version_parameters WHERE template_version_id = ? ORDER BY ordinal",
            arguments: [versionID]) {
            let name: String = row["name"]
            let type: String = row["type"]
            let value = presetValues[name] ?? requestedValues[name] ?? (row["default_value"] as String)
            let options = (try? JSONDecoder().decode([String].self, from: Data((row["options"] as String).utf8))) ?? []
            if !Manifest.value(value, fits: type) || (!options.isEmpty && !options.contains(value)) {
                let detail = options.isEmpty
                    ? "\"\(value)\" is not a valid \(type)"
                    : "\"\(value)\" is not one of the options: \(options.joined(separator: ", "))"
                throw StoreRefusal.invalidParameter(name: name, problem: detail)
            }
            resolved.append((name, value))
        }
        return resolved
    }

    /// tasks-api.md §12.1: the workspace `create` row, with the tracked fields that differ from zero.
    static func insertCreateAudit(_ db: Database, workspaceID: String, request: NewWorkspace, audit: AuditContext, now: String) throws {
        // Keys in sorted order, as Go writes a map (the JSON writer is Go's, and fast: this runs
        // on the writer for every create).
        var diff = JSONWriter(capacity: 512)
        diff.beginObject()
        for (key, value) in [("automatic_updates", "never"), ("id", workspaceID), ("name", request.name),
                             ("owner_id", request.ownerID), ("template_id", request.templateID)] {
            diff.key(key)
            diff.beginObject()
            diff.field("New", value)
            diff.field("Old", "")
            diff.field("Secret", false)
            diff.endObject()
        }
        diff.endObject()
        var additional = JSONWriter(capacity: 256)
        additional.beginObject()
        additional.field("build_number", "")
        additional.field("build_reason", "")
        additional.field("workspace_id", ID.nilUUID)
        additional.field("workspace_name", "")
        additional.field("workspace_owner", audit.ownerUsername)
        additional.endObject()
        func json(_ writer: JSONWriter) -> String { String(decoding: writer.bytes, as: UTF8.self) }
        try db.executeCached(
            sql: """
                INSERT INTO audit_logs (id, time, user_id, organization_id, ip, user_agent, resource_type, resource_id,
                                        resource_target, action, diff, status_code, request_id, additional_fields)
                VALUES (?, ?, ?, ?, ?, ?, 'workspace', ?, ?, 'create', ?, 201, ?, ?)
                """,
            arguments: [ID.new(), now, request.initiatorID, request.organizationID, audit.ip, audit.userAgent, workspaceID,
                        request.name, json(diff), audit.requestID, json(additional)])
    }
}

extension AppDatabase {
    public func setFavorite(workspaceID: String, _ favorite: Bool) async throws {
        try await write { db in
            try db.executeCached(sql: "UPDATE workspaces SET favorite = ? WHERE id = ?", arguments: [favorite, workspaceID])
        }
    }

    public func workspaceID(ofBuild buildID: String) async throws -> String? {
        try await pool.read { db in
            try String.fetchOne(cached: db, sql: "SELECT workspace_id FROM workspace_builds WHERE id = ?", arguments: [buildID])
        }
    }

    public func activeVersionID(templateID: String) async throws -> String? {
        try await pool.read { db in
            try String.fetchOne(cached: db, sql: "SELECT active_version_id FROM templates WHERE id = ? AND deleted = 0", arguments: [templateID])
        }
    }

    /// Marks a build's job canceled (Coder's texts for a job that is over or already canceled).
    public func cancelBuild(id buildID: String) async throws {
        try await write { db in
            guard let job = try Row.fetchOne(cached: db,
                sql: "SELECT j.id, j.completed_at, j.canceled_at FROM workspace_builds b JOIN provisioner_jobs j ON j.id = b.job_id WHERE b.id = ?",
                arguments: [buildID])
            else { throw StoreRefusal.notFound }
            if (job["completed_at"] as String?) != nil { throw StoreRefusal.jobAlreadyCompleted }
            if (job["canceled_at"] as String?) != nil { throw StoreRefusal.jobAlreadyCanceled }
            let now = Timestamp.now()
            try db.executeCached(sql: "UPDATE provisioner_jobs SET canceled_at = ?, updated_at = ? WHERE id = ?",
                           arguments: [now, now, job["id"] as String])
        }
    }
}
