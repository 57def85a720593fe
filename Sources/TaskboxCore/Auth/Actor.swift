/// The authenticated user a request acts as, with everything the authorizer needs.
public struct Actor: Sendable, Equatable {
    public let id: String
    public let username: String
    public let siteRoles: Set<SiteRole>
    /// Organizations the user is a member of.
    public let organizations: Set<String>
    /// Organizations in which the user holds `organization-admin`.
    public let adminOf: Set<String>

    public init(id: String, username: String, siteRoles: Set<SiteRole>, organizations: Set<String>, adminOf: Set<String>) {
        self.id = id
        self.username = username
        self.siteRoles = siteRoles
        self.organizations = organizations
        self.adminOf = adminOf
    }

    public var isOwner: Bool { siteRoles.contains(.owner) }
}
