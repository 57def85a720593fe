import Foundation
import GRDB

public struct TemplatePushResult: Codable, Equatable, Sendable {
    public var template_id: String
    public var template_version_id: String
    public var name: String
}

public struct TemplateSummary: Codable, Equatable, Sendable {
    public var id: String
    public var name: String
    public var organization_id: String
    public var active_version_id: String
    public var has_ai_task: Bool
}

extension AppDatabase {
    /// Creates the manifest's template in the organization, or a new version of it, and makes
    /// that version active (taskbox.md §1 `templates push`). The import job completes at once:
    /// there is nothing to provision until a workspace is built.
    public func pushTemplate(manifestData: Data, organization: String? = nil, creatorID: String? = nil) throws -> TemplatePushResult {
        let manifest = try Manifest.parse(manifestData)
        let text = String(decoding: manifestData, as: UTF8.self)
        return try pool.write { db in
            let orgID: String
            if let organization {
                guard let org = try Self.organizationRow(db, nameOrID: organization) else {
                    throw StoreError.notFound("organization \"\(organization)\" not found")
                }
                orgID = org.id
            } else {
                orgID = try Self.defaultOrganizationID(db)
            }
            let now = Timestamp.now()
            let jobID = ID.new()
            try db.execute(
                sql: """
                    INSERT INTO provisioner_jobs (id, type, organization_id, initiator_id, created_at, updated_at, started_at, completed_at)
                    VALUES (?, 'template_version_import', ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [jobID, orgID, creatorID, now, now, now, now])

            let versionID = ID.new()
            let existing = try String.fetchOne(
                db, sql: "SELECT id FROM templates WHERE organization_id = ? AND lower(name) = lower(?) AND deleted = 0",
                arguments: [orgID, manifest.name])
            let templateID = existing ?? ID.new()
            if existing != nil {
                try db.execute(
                    sql: """
                        UPDATE templates SET active_version_id = ?, display_name = ?, icon = ?, description = ?, updated_at = ?
                        WHERE id = ?
                        """,
                    arguments: [versionID, manifest.display_name ?? "", manifest.icon ?? "", manifest.description ?? "", now, templateID])
            } else {
                try db.execute(
                    sql: """
                        INSERT INTO templates (id, organization_id, name, display_name, description, icon, active_version_id,
                                               created_by, created_at, updated_at)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [templateID, orgID, manifest.name, manifest.display_name ?? "", manifest.description ?? "",
                                manifest.icon ?? "", versionID, creatorID, now, now])
            }
            let versionCount = try Int.fetchOne(
                db, sql: "SELECT count(*) FROM template_versions WHERE template_id = ?", arguments: [templateID]) ?? 0
            try db.execute(
                sql: """
                    INSERT INTO template_versions (id, template_id, organization_id, name, manifest, has_ai_task, job_id,
                                                   created_by, created_at, updated_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [versionID, templateID, orgID, "v\(versionCount + 1)", text, manifest.hasAITask, jobID,
                            creatorID, now, now])
            for (ordinal, p) in (manifest.parameters ?? []).enumerated() {
                let options = try JSONWriter.text(p.options ?? [])
                try db.execute(
                    sql: """
                        INSERT INTO template_version_parameters (template_version_id, name, ordinal, type, default_value, options)
                        VALUES (?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [versionID, p.name, ordinal, p.type, p.default ?? "", options])
            }
            for preset in manifest.presets ?? [] {
                let presetID = ID.new()
                try db.execute(
                    sql: "INSERT INTO template_version_presets (id, template_version_id, name) VALUES (?, ?, ?)",
                    arguments: [presetID, versionID, preset.name])
                for (name, value) in preset.parameters ?? [:] {
                    try db.execute(
                        sql: "INSERT INTO template_version_preset_parameters (preset_id, name, value) VALUES (?, ?, ?)",
                        arguments: [presetID, name, value])
                }
            }
            return TemplatePushResult(template_id: templateID, template_version_id: versionID, name: manifest.name)
        }
    }

    public func listTemplates() throws -> [TemplateSummary] {
        try pool.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT t.id, t.name, t.organization_id, t.active_version_id, coalesce(v.has_ai_task, 0) AS has_ai_task
                    FROM templates t JOIN template_versions v ON v.id = t.active_version_id
                    WHERE t.deleted = 0 ORDER BY lower(t.name), t.organization_id
                    """
            ).map {
                TemplateSummary(id: $0["id"], name: $0["name"], organization_id: $0["organization_id"],
                                active_version_id: $0["active_version_id"], has_ai_task: $0["has_ai_task"])
            }
        }
    }
}
