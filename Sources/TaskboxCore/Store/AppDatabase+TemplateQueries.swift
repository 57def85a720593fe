import Foundation
import GRDB

/// A template as `GET /api/v2/templates` shows it: the part of `codersdk.Template` taskbox has.
public struct TemplateRecord: Codable, Equatable, Sendable {
    public var id: String
    public var created_at: String
    public var updated_at: String
    public var organization_id: String
    public var organization_name: String
    public var organization_display_name: String
    public var name: String
    public var display_name: String
    public var description: String
    public var icon: String
    public var active_version_id: String
    public var deprecated: Bool
    public var deprecation_message: String
    public var allow_user_cancel_workspace_jobs: Bool
}

/// `codersdk.Preset`: Go field names without JSON tags, hence the capitals.
public struct PresetRecord: Codable, Equatable, Sendable {
    public var ID: String
    public var Name: String
    public var Parameters: [PresetParameterRecord]
}

public struct PresetParameterRecord: Codable, Equatable, Sendable {
    public var Name: String
    public var Value: String
}

/// Reads for the template endpoints; the controller decides who may see what.
extension AppDatabase {
    /// Every non-deleted template, ordered as Coder lists them (by name).
    public func templates() async throws -> [TemplateRecord] {
        try await pool.read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT t.id, t.created_at, t.updated_at, t.organization_id, o.name AS organization_name,
                           o.display_name AS organization_display_name, t.name, t.display_name, t.description, t.icon,
                           t.active_version_id, t.deprecated, t.allow_user_cancel
                    FROM templates t JOIN organizations o ON o.id = t.organization_id
                    WHERE t.deleted = 0
                    ORDER BY lower(t.name), t.organization_id
                    """
            ).map { row in
                let deprecation: String = row["deprecated"]
                return TemplateRecord(
                    id: row["id"], created_at: row["created_at"], updated_at: row["updated_at"],
                    organization_id: row["organization_id"], organization_name: row["organization_name"],
                    organization_display_name: row["organization_display_name"], name: row["name"],
                    display_name: row["display_name"], description: row["description"], icon: row["icon"],
                    active_version_id: row["active_version_id"], deprecated: !deprecation.isEmpty,
                    deprecation_message: deprecation, allow_user_cancel_workspace_jobs: row["allow_user_cancel"])
            }
        }
    }

    /// The presets of a template version with their parameters, by name.
    public func presets(templateVersionID: String) async throws -> [PresetRecord] {
        try await pool.read { db in
            let presets = try Row.fetchAll(
                db, sql: "SELECT id, name FROM template_version_presets WHERE template_version_id = ? ORDER BY name",
                arguments: [templateVersionID])
            return try presets.map { preset in
                let parameters = try Row.fetchAll(
                    db, sql: "SELECT name, value FROM template_version_preset_parameters WHERE preset_id = ? ORDER BY name",
                    arguments: [preset["id"] as String]
                ).map { PresetParameterRecord(Name: $0["name"], Value: $0["value"]) }
                return PresetRecord(ID: preset["id"], Name: preset["name"], Parameters: parameters)
            }
        }
    }
}

/// `codersdk.TemplateVersion`, the part taskbox has.
public struct TemplateVersionRecord: Codable, Equatable, Sendable {
    public struct Job: Codable, Equatable, Sendable {
        public var id: String
        public var status: ProvisionerJobStatus
        public var error: String?
    }
    public var id: String
    public var template_id: String?
    public var organization_id: String
    public var created_at: String
    public var updated_at: String
    public var name: String
    public var message: String
    public var job: Job
    public var archived: Bool
}

extension AppDatabase {
    /// A template version by its template and name (Coder's lookup is exact).
    public func templateVersion(templateID: String, name: String) async throws -> TemplateVersionRecord? {
        try await pool.read { db in
            try Row.fetchOne(
                db,
                sql: """
                    SELECT v.id, v.template_id, v.organization_id, v.created_at, v.updated_at, v.name, v.archived,
                           j.id AS job_id, j.job_status, j.error
                    FROM template_versions v JOIN provisioner_jobs j ON j.id = v.job_id
                    WHERE v.template_id = ? AND v.name = ?
                    """,
                arguments: [templateID, name]
            ).map { row in
                TemplateVersionRecord(
                    id: row["id"], template_id: row["template_id"], organization_id: row["organization_id"],
                    created_at: row["created_at"], updated_at: row["updated_at"], name: row["name"], message: "",
                    job: .init(id: row["job_id"], status: try row.decode(forColumn: "job_status"), error: row["error"]), archived: row["archived"])
            }
        }
    }
}

extension AppDatabase {
    /// The active version (id and manifest) of a template of the default organization.
    func activeVersionOfDefaultOrganizationTemplate(named name: String) async throws -> (id: String, manifest: String)? {
        try await pool.read { db in
            try Row.fetchOne(
                db,
                sql: """
                    SELECT v.id, v.manifest FROM templates t JOIN template_versions v ON v.id = t.active_version_id
                    JOIN organizations o ON o.id = t.organization_id
                    WHERE t.name = ? AND t.deleted = 0 AND o.is_default = 1
                    """,
                arguments: [name]
            ).map { (id: $0["id"], manifest: $0["manifest"]) }
        }
    }
}
