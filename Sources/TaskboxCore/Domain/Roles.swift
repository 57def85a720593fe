/// Site-wide roles a user may hold explicitly (tasks-api.md §9.2). Every user is also a
/// `member`, which is implicit and never stored.
public enum SiteRole: String, CaseIterable, Codable, Sendable {
    case owner
    case templateAdmin = "template-admin"
    case userAdmin = "user-admin"
    case auditor
}

/// Roles inside one organization. Membership alone grants no workspace rights.
public enum OrganizationRole: String, CaseIterable, Codable, Sendable {
    case organizationAdmin = "organization-admin"
}

public enum UserStatus: String, Codable, Sendable {
    case active, suspended, dormant
}
