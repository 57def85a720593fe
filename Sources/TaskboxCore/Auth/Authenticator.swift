import Foundation

/// Turns a session token into an actor, with Coder's 401 answers (tasks-api.md §1.0.4).
public struct Authenticator: Sendable {
    public let database: AppDatabase

    public init(database: AppDatabase) { self.database = database }

    public static let missingTokenDetail = "Cookie \"coder_session_token\" or query parameter must be provided."

    public func authenticate(token: String?) async throws -> Actor {
        guard let token, !token.isEmpty else {
            throw APIError(401, APIError.signedOutMessage, detail: Self.missingTokenDetail)
        }
        let parts: (id: String, secret: String)
        switch APIKey.split(token) {
        case .success(let p): parts = p
        case .failure(let e): throw APIError(401, APIError.signedOutMessage, detail: "Invalid API key format: " + e.message)
        }
        // One read for the key and its user: every authenticated request pays for it.
        let found = try await database.apiKeyWithActor(id: parts.id)
        guard let (key, loadedActor) = found else {
            throw APIError(401, APIError.signedOutMessage, detail: "API key is invalid.")
        }
        guard APIKey.constantTimeEqual(key.hashedSecret, APIKey.hash(secret: parts.secret)) else {
            throw APIError(401, APIError.signedOutMessage, detail: "API key secret is invalid.")
        }
        if key.expiresAt < Timestamp.now() {
            throw APIError(401, APIError.signedOutMessage, detail: "API key expired at \"\(Self.goTimeString(key.expiresAt))\".")
        }
        guard let loaded = loadedActor else {
            throw APIError(401, APIError.signedOutMessage, detail: "API key is invalid.")
        }
        guard loaded.status == UserStatus.active.rawValue else {
            throw APIError(401, "User is not active (status = \"\(loaded.status)\"). Contact an admin to reactivate your account.")
        }
        return loaded.actor
    }

    /// Go's `time.Time.String()` for a stored UTC time: `2025-10-15 10:00:00.123456 +0000 UTC`.
    static func goTimeString(_ stored: String) -> String {
        var text = stored.replacingOccurrences(of: "T", with: " ").replacingOccurrences(of: "Z", with: "")
        if text.contains(".") {
            while text.hasSuffix("0") { text.removeLast() }
            if text.hasSuffix(".") { text.removeLast() }
        }
        return text + " +0000 UTC"
    }
}
