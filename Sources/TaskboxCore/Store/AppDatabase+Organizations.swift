import Foundation
import GRDB

public struct OrganizationRecord: Codable, Equatable, Sendable {
    public var id: String
    public var name: String
}

public struct MembershipRecord: Codable, Equatable, Sendable {
    public var organization_id: String
    public var user_id: String
    public var roles: [String]
}

extension AppDatabase {
    public func createOrganization(name: String) throws -> OrganizationRecord {
        if let problem = NameValidator.validate(name) {
            throw StoreError.invalid("invalid organization name \"\(name)\": \(problem)")
        }
        return try pool.write { db in
            if try Self.organizationRow(db, nameOrID: name) != nil {
                throw StoreError.conflict("organization \"\(name)\" already exists")
            }
            let id = ID.new()
            let now = Timestamp.now()
            try db.execute(
                sql: "INSERT INTO organizations (id, name, display_name, created_at, updated_at) VALUES (?, ?, ?, ?, ?)",
                arguments: [id, name, name, now, now])
            return OrganizationRecord(id: id, name: name)
        }
    }

    public func addMember(organization: String, user: String, roles: [OrganizationRole]) throws -> MembershipRecord {
        try pool.write { db in
            guard let org = try Self.organizationRow(db, nameOrID: organization) else {
                throw StoreError.notFound("organization \"\(organization)\" not found")
            }
            guard let userID = try Self.userRow(db, nameOrID: user) else {
                throw StoreError.notFound("user \"\(user)\" not found")
            }
            let exists = try Bool.fetchOne(
                db, sql: "SELECT 1 FROM organization_members WHERE organization_id = ? AND user_id = ?",
                arguments: [org.id, userID]) ?? false
            if exists { throw StoreError.conflict("user \"\(user)\" is already a member of \"\(org.name)\"") }
            let now = Timestamp.now()
            try db.execute(
                sql: "INSERT INTO organization_members (organization_id, user_id, created_at, updated_at) VALUES (?, ?, ?, ?)",
                arguments: [org.id, userID, now, now])
            let distinct = Array(Set(roles.map(\.rawValue))).sorted()
            for role in distinct {
                try db.execute(
                    sql: "INSERT INTO organization_member_roles (organization_id, user_id, role) VALUES (?, ?, ?)",
                    arguments: [org.id, userID, role])
            }
            return MembershipRecord(organization_id: org.id, user_id: userID, roles: distinct)
        }
    }

    public func organization(nameOrID: String) throws -> OrganizationRecord? {
        try pool.read { db in try Self.organizationRow(db, nameOrID: nameOrID) }
    }

    /// `organization(nameOrID:)` for a route: awaited, so no thread of Swift's pool waits on SQLite.
    func findOrganization(nameOrID: String) async throws -> OrganizationRecord? {
        try await pool.read { db in try Self.organizationRow(db, nameOrID: nameOrID) }
    }

    static func organizationRow(_ db: Database, nameOrID: String) throws -> OrganizationRecord? {
        let sql = "SELECT id, name FROM organizations WHERE deleted = 0 AND "
        let row = if let id = ID.canonical(nameOrID) {
            try Row.fetchOne(db, sql: sql + "id = ?", arguments: [id])
        } else {
            try Row.fetchOne(db, sql: sql + "lower(name) = lower(?)", arguments: [nameOrID])
        }
        return row.map { OrganizationRecord(id: $0["id"], name: $0["name"]) }
    }

    static func defaultOrganizationID(_ db: Database) throws -> String {
        guard let id = try String.fetchOne(db, sql: "SELECT id FROM organizations WHERE is_default = 1") else {
            throw StoreError.notFound("the default organization is missing")
        }
        return id
    }
}
