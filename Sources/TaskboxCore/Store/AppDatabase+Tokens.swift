import Foundation
import GRDB

public struct TokenRecord: Codable, Equatable, Sendable {
    public var id: String
    public var token: String
    public var expires_at: String
}

/// What authentication needs of a stored key and its user.
public struct StoredAPIKey: Sendable {
    public var id: String
    public var hashedSecret: Data
    public var userID: String
    public var expiresAt: String
}

extension AppDatabase {
    public static let defaultTokenLifetime: Double = 720 * 3600
    public static let maxTokenLifetime: Double = 876_600 * 3600

    public func createToken(user: String, lifetimeSeconds: Double = defaultTokenLifetime, name: String = "") throws -> TokenRecord {
        guard lifetimeSeconds >= 1 else { throw StoreError.invalid("lifetime must be at least 1s") }
        // Coder's default --max-token-lifetime.
        guard lifetimeSeconds <= Self.maxTokenLifetime else { throw StoreError.invalid("lifetime must be at most 876600h (100 years)") }
        return try pool.write { db in
            guard let userID = try Self.userRow(db, nameOrID: user) else {
                throw StoreError.notFound("user \"\(user)\" not found")
            }
            if !name.isEmpty, try Bool.fetchOne(
                db, sql: "SELECT 1 FROM api_keys WHERE user_id = ? AND lower(token_name) = lower(?)",
                arguments: [userID, name]) ?? false {
                throw StoreError.conflict("user \"\(user)\" already has a token named \"\(name)\"")
            }
            let (id, secret) = APIKey.generate()
            let now = Date()
            let expires = Timestamp.format(now.addingTimeInterval(lifetimeSeconds))
            try db.execute(
                sql: """
                    INSERT INTO api_keys (id, hashed_secret, user_id, token_name, lifetime_seconds, expires_at, last_used, created_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                    """,
                arguments: [id, APIKey.hash(secret: secret), userID, name, Int(lifetimeSeconds.rounded(.up)),
                            expires, Timestamp.format(now), Timestamp.format(now)])
            return TokenRecord(id: id, token: "\(id)-\(secret)", expires_at: expires)
        }
    }

    static func storedAPIKey(_ db: Database, id: String) throws -> StoredAPIKey? {
        let statement = try db.cachedStatement(sql: "SELECT id, hashed_secret, user_id, expires_at FROM api_keys WHERE id = ?")
        return try Row.fetchOne(statement, arguments: [id]).map {
            StoredAPIKey(id: $0[0], hashedSecret: $0[1], userID: $0[2], expiresAt: $0[3])
        }
    }
}
