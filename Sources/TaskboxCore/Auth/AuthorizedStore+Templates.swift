import Foundation

/// Templates and organizations through the authorizing layer: what the caller may not read
/// is answered like what does not exist.
extension AuthorizedStore {
    /// A template version the caller may read: nil when missing or unreadable (routes answer
    /// either with their own 404 or 400).
    public func templateVersion(id: String) async throws -> TemplateVersionInfo? {
        guard let version = try await database.templateVersionInfo(id: id),
              authorizer.mayReadTemplate(organizationID: version.organizationID)
        else { return nil }
        return version
    }

    /// The active version of a template, as the create request names it; the version's own
    /// read check follows in `templateVersion(id:)`.
    public func activeVersionID(templateID: String) async throws -> String? {
        try await database.activeVersionID(templateID: templateID)
    }

    /// The presets of a version read through this layer.
    public func presets(of version: TemplateVersionInfo) async throws -> [PresetRecord] {
        try await database.presets(templateVersionID: version.id)
    }

    /// Every template the caller may read.
    public func templates() async throws -> [TemplateRecord] {
        try await database.templates().filter { authorizer.mayReadTemplate(organizationID: $0.organization_id) }
    }

    /// The readable templates of an organization read through this layer.
    public func templates(of organization: OrganizationRecord) async throws -> [TemplateRecord] {
        try await templates().filter { $0.organization_id == organization.id }
    }

    /// A version of a template read through this layer, by name.
    public func templateVersion(of template: TemplateRecord, named name: String) async throws -> TemplateVersionRecord? {
        try await database.templateVersion(templateID: template.id, name: name)
    }

    /// An organization by name or id that the caller may read; 404 otherwise.
    public func organization(nameOrID: String) async throws -> OrganizationRecord {
        guard let org = try await database.findOrganization(nameOrID: nameOrID), authorizer.mayReadOrganization(org.id) else {
            throw APIError.notFound
        }
        return org
    }
}
