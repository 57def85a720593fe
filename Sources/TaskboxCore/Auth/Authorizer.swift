import Foundation

/// Actions on a workspace (tasks-api.md §9.1).
public enum WorkspaceAction: Sendable {
    case read, update, delete, start, stop, ssh, applicationConnect, create
}

/// What the authorizer needs to know of a workspace.
public struct WorkspaceObject: Sendable {
    public var ownerID: String
    public var organizationID: String
    public var dormant: Bool

    public init(ownerID: String, organizationID: String, dormant: Bool = false) {
        self.ownerID = ownerID
        self.organizationID = organizationID
        self.dormant = dormant
    }
}

/// The one place that answers "may this actor do X to O" for the built-in roles of
/// tasks-api.md §9.2, and that turns "workspaces this actor may read" into SQL, so lists are
/// filtered inside the query rather than row by row.
public struct Authorizer: Sendable {
    public let actor: Actor

    public init(_ actor: Actor) { self.actor = actor }

    public func may(_ action: WorkspaceAction, _ workspace: WorkspaceObject) -> Bool {
        let own = workspace.ownerID == actor.id
        let orgAdmin = actor.adminOf.contains(workspace.organizationID)
        switch action {
        case .read:
            return actor.isOwner || actor.siteRoles.contains(.templateAdmin) || own || orgAdmin
        case .update, .delete, .stop:
            return actor.isOwner || own || orgAdmin
        case .start:
            return actor.isOwner || orgAdmin || (own && !workspace.dormant)
        case .ssh, .applicationConnect:
            // Organization admins get every workspace action except these two.
            return actor.isOwner || (own && !workspace.dormant)
        case .create:
            return actor.isOwner || orgAdmin || (own && actor.organizations.contains(workspace.organizationID))
        }
    }

    /// Reading a user object: site-wide readers and the user themself.
    public func mayReadUser(_ userID: String) -> Bool {
        userID == actor.id || !actor.siteRoles.isDisjoint(with: [.owner, .userAdmin, .auditor, .templateAdmin])
    }

    /// Reading a user's membership of an organization.
    public func mayReadMembership(organizationID: String, userID: String) -> Bool {
        mayReadUser(userID) || actor.adminOf.contains(organizationID)
    }

    /// Members read their organizations; site-wide roles read all of them.
    public func mayReadOrganization(_ organizationID: String) -> Bool {
        actor.organizations.contains(organizationID)
            || !actor.siteRoles.isDisjoint(with: [.owner, .templateAdmin, .auditor, .userAdmin])
    }

    public func mayReadTemplate(organizationID: String) -> Bool {
        !actor.siteRoles.isDisjoint(with: [.owner, .templateAdmin, .auditor]) || actor.organizations.contains(organizationID)
    }

    /// Every member of the template's organization may use it (Coder's "Everyone" group).
    public func mayUseTemplate(organizationID: String) -> Bool {
        actor.isOwner || actor.siteRoles.contains(.templateAdmin) || actor.organizations.contains(organizationID)
    }
}

extension Authorizer {
    /// A webhook subscription is managed by site owners and by the user whose tasks it hears
    /// of; one about every user's tasks (`userID` nil) by site owners only.
    public func mayManageWebhook(userID: String?) -> Bool {
        actor.isOwner || userID == actor.id
    }

    /// The subscriptions the caller may list, as the store filters them: every one (nil) or
    /// those about the caller's tasks, the rule of `mayManageWebhook` inside the SQL.
    public var listableWebhooksUserID: String? { actor.isOwner ? nil : actor.id }
}
