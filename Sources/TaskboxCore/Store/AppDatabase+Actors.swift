import Foundation
import GRDB

extension AppDatabase {
    /// An API key by its id and the actor of its user (nil when the user is gone), in one read:
    /// every authenticated request pays for it.
    /// Answers come from `actors` (`ActorCache`) for up to a second when they can.
    func apiKeyWithActor(id: String) async throws -> (StoredAPIKey, (actor: Actor, status: String)?)? {
        if let found = actors.lookup(id) { return found }
        let generation = actors.generation
        let found = try quickRead { db -> ActorCache.Found? in
            guard let key = try Self.storedAPIKey(db, id: id) else { return nil }
            return (key, try Self.actor(db, userID: key.userID))
        }
        if let found { actors.store(found, for: id, readAt: generation) }
        return found
    }

    /// The actor for a user id, with the user's status (checked by the caller).
    public func actor(userID: String) async throws -> (actor: Actor, status: String)? {
        try await pool.read { db in try Self.actor(db, userID: userID) }
    }

    static func actor(_ db: Database, userID: String) throws -> (actor: Actor, status: String)? {
        guard let user = try Row.fetchOne(
            db.cachedStatement(sql: "SELECT username, status FROM users WHERE id = ? AND deleted = 0"), arguments: [userID])
        else { return nil }
        let roles = try String.fetchAll(
            db.cachedStatement(sql: "SELECT role FROM user_site_roles WHERE user_id = ?"), arguments: [userID])
        let orgs = try String.fetchAll(
            db.cachedStatement(sql: "SELECT organization_id FROM organization_members WHERE user_id = ?"), arguments: [userID])
        let admin = try String.fetchAll(
            db.cachedStatement(sql: "SELECT organization_id FROM organization_member_roles WHERE user_id = ? AND role = 'organization-admin'"),
            arguments: [userID])
        let actor = Actor(
            id: userID, username: user["username"], siteRoles: Set(roles.compactMap(SiteRole.init(rawValue:))),
            organizations: Set(orgs), adminOf: Set(admin))
        return (actor, user["status"])
    }
}
