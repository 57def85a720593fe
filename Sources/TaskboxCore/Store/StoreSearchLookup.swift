import Foundation
import GRDB

/// The search grammar's lookups answered from the database. Organization names are looked
/// up as the system (Coder does the same and hides nothing by it: the filter still applies
/// the caller's read rights). taskbox has no groups.
struct StoreSearchLookup: SearchLookup {
    let database: AppDatabase

    func organizationID(named name: String) async throws -> UUID? {
        try await database.pool.read { db in
            try String.fetchOne(db, sql: "SELECT id FROM organizations WHERE lower(name) = lower(?) AND deleted = 0", arguments: [name])
        }.flatMap(UUID.init(uuidString:))
    }

    func organizationName(id: UUID) async throws -> String? {
        try await database.pool.read { db in
            try String.fetchOne(db, sql: "SELECT name FROM organizations WHERE id = ? AND deleted = 0", arguments: [id.lowercased])
        }
    }

    func defaultOrganizationID() async throws -> UUID? {
        try await database.pool.read { db in
            try String.fetchOne(db, sql: "SELECT id FROM organizations WHERE is_default = 1")
        }.flatMap(UUID.init(uuidString:))
    }

    func userID(username: String) async throws -> UUID? {
        try await database.pool.read { db in
            try String.fetchOne(db, sql: "SELECT id FROM users WHERE lower(username) = lower(?) AND deleted = 0", arguments: [username])
        }.flatMap(UUID.init(uuidString:))
    }

    func groupID(organizationID: UUID, name: String) async throws -> UUID? { nil }
}
