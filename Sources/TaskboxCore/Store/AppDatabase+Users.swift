import Foundation
import GRDB

/// A user as the admin command line and the authorizer see it.
public struct UserRecord: Codable, Equatable, Sendable {
    public var id: String
    public var username: String
    public var email: String
    public var roles: [String]
    public var status: String
}

extension AppDatabase {
    /// Creates an active user in the default organization (taskbox.md §1 `users create`).
    public func createUser(username: String, email: String = "", roles: [SiteRole] = []) throws -> UserRecord {
        if let problem = NameValidator.validate(username) {
            throw StoreError.invalid("invalid username \"\(username)\": \(problem)")
        }
        // `me` names the caller in every user path (/tasks/me, /users/me): such a user could
        // never be addressed. Coder reserves it too.
        if username.lowercased() == "me" {
            throw StoreError.invalid("invalid username \"\(username)\": \"me\" is reserved, it names the caller in API paths")
        }
        return try pool.write { db in
            if try Self.userRow(db, nameOrID: username) != nil {
                throw StoreError.conflict("user \"\(username)\" already exists")
            }
            let id = ID.new()
            let now = Timestamp.now()
            try db.execute(
                sql: "INSERT INTO users (id, username, email, created_at, updated_at) VALUES (?, ?, ?, ?, ?)",
                arguments: [id, username, email, now, now])
            for role in Set(roles) {
                try db.execute(sql: "INSERT INTO user_site_roles (user_id, role) VALUES (?, ?)", arguments: [id, role.rawValue])
            }
            let org = try Self.defaultOrganizationID(db)
            try db.execute(
                sql: "INSERT INTO organization_members (organization_id, user_id, created_at, updated_at) VALUES (?, ?, ?, ?)",
                arguments: [org, id, now, now])
            return try Self.userRecord(db, id: id)!
        }
    }

    public func listUsers() throws -> [UserRecord] {
        try pool.read { db in
            let ids = try String.fetchAll(db, sql: "SELECT id FROM users WHERE deleted = 0 ORDER BY lower(username)")
            return try ids.compactMap { try Self.userRecord(db, id: $0) }
        }
    }

    public func setUserStatus(_ nameOrID: String, _ status: UserStatus) throws -> UserRecord {
        try pool.write { db in
            guard let id = try Self.userRow(db, nameOrID: nameOrID) else {
                throw StoreError.notFound("user \"\(nameOrID)\" not found")
            }
            try db.execute(
                sql: "UPDATE users SET status = ?, updated_at = ? WHERE id = ?",
                arguments: [status.rawValue, Timestamp.now(), id])
            return try Self.userRecord(db, id: id)!
        }
    }

    public func user(nameOrID: String) throws -> UserRecord? {
        try pool.read { db in
            try Self.userRow(db, nameOrID: nameOrID).flatMap { try Self.userRecord(db, id: $0) }
        }
    }

    /// The id of a non-deleted user given by UUID or (case-insensitive) username.
    /// A user by id or username (deleted users are not found), with the organizations it is a
    /// member of in membership order.
    func userWithMemberships(nameOrID: String) async throws -> (UserReference, [String])? {
        try await pool.read { db in
            guard let id = try Self.userRow(db, nameOrID: nameOrID),
                  let row = try Row.fetchOne(db, sql: "SELECT id, username FROM users WHERE id = ?", arguments: [id])
            else { return nil }
            let orgs = try String.fetchAll(
                db, sql: "SELECT organization_id FROM organization_members WHERE user_id = ? ORDER BY created_at, organization_id",
                arguments: [id])
            return (UserReference(id: row["id"], username: row["username"]), orgs)
        }
    }

    /// A user's profile for `GET /api/v2/users/{user}`: nil when the user is gone.
    func userProfile(id: String) async throws -> UserProfile? {
        try await pool.read { db in
            guard let row = try Row.fetchOne(
                db, sql: "SELECT id, username, email, name, avatar_url, status, created_at FROM users WHERE id = ?",
                arguments: [id])
            else { return nil }
            let roles = try String.fetchAll(db, sql: "SELECT role FROM user_site_roles WHERE user_id = ? ORDER BY role", arguments: [id])
            return UserProfile(
                id: row["id"], username: row["username"], email: row["email"], name: row["name"], avatarURL: row["avatar_url"],
                status: row["status"], roles: roles, createdAt: row["created_at"])
        }
    }

    static func userRow(_ db: Database, nameOrID: String) throws -> String? {
        if let id = ID.canonical(nameOrID),
           let found = try String.fetchOne(db, sql: "SELECT id FROM users WHERE id = ? AND deleted = 0", arguments: [id]) {
            return found
        }
        return try String.fetchOne(
            db, sql: "SELECT id FROM users WHERE lower(username) = lower(?) AND deleted = 0", arguments: [nameOrID])
    }

    static func userRecord(_ db: Database, id: String) throws -> UserRecord? {
        guard let row = try Row.fetchOne(
            db, sql: "SELECT id, username, email, status FROM users WHERE id = ?", arguments: [id])
        else { return nil }
        let roles = try String.fetchAll(
            db, sql: "SELECT role FROM user_site_roles WHERE user_id = ? ORDER BY role", arguments: [id])
        return UserRecord(id: row["id"], username: row["username"], email: row["email"], roles: roles, status: row["status"])
    }
}

extension AppDatabase {
    public func userReference(id: String) async throws -> UserReference? {
        try await pool.read { db in
            try Row.fetchOne(db, sql: "SELECT id, username FROM users WHERE id = ? AND deleted = 0", arguments: [id])
                .map { UserReference(id: $0["id"], username: $0["username"]) }
        }
    }
}

/// A user as its profile shows it.
struct UserProfile: Sendable {
    var id: String
    var username: String
    var email: String
    var name: String
    var avatarURL: String
    var status: String
    var roles: [String]
    var createdAt: String
}
