import Foundation
import GRDB
import Hummingbird
import HummingbirdTesting
import HTTPTypes
import Testing
@testable import TaskboxCore

/// tasks-api.md §1.0.4 through HTTP: every token channel, every 401.
@Suite struct AuthenticationTests {
    let dir = TestDirectory()

    func withApp(_ body: @escaping @Sendable (AppDatabase, any TestClientProtocol) async throws -> Void) async throws {
        let db = try dir.openDatabase()
        try await testApplication(db).test(.router) { client in try await body(db, client) }
    }

    @Test(arguments: ["cookie", "query", "header", "bearer", "bearer-lowercase", "access_token"])
    func eachTokenChannelIsAccepted(channel: String) async throws {
        try await withApp { db, client in
            let (_, token) = try Fixture(db: db).user("alice")
            var uri = "/api/v2/users/me"
            var headers: HTTPFields = [:]
            switch channel {
            case "cookie": headers[.cookie] = "coder_session_token=\(token)"
            case "query": uri += "?coder_session_token=\(token)"
            case "header": headers[HTTPField.Name("Coder-Session-Token")!] = token
            case "bearer": headers[.authorization] = "Bearer \(token)"
            case "bearer-lowercase": headers[.authorization] = "bearer \(token)"
            default: uri += "?access_token=\(token)"
            }
            try await client.execute(uri: uri, method: .get, headers: headers) { response in
                #expect(response.status == .ok, "\(response.text)")
                #expect(response.object["username"] as? String == "alice")
            }
        }
    }

    @Test func channelsAreTriedInCoderOrder() async throws {
        try await withApp { db, client in
            let (_, alice) = try Fixture(db: db).user("alice")
            let (_, bob) = try Fixture(db: db).user("bob")
            // The cookie wins over the header, the header over Authorization.
            try await client.execute(
                uri: "/api/v2/users/me?access_token=\(bob)", method: .get,
                headers: [.cookie: "coder_session_token=\(alice)", .authorization: "Bearer \(bob)"]
            ) { response in
                #expect(response.object["username"] as? String == "alice")
            }
            try await client.execute(
                uri: "/api/v2/users/me?access_token=\(alice)", method: .get,
                headers: [HTTPField.Name("Coder-Session-Token")!: bob, .authorization: "Bearer \(alice)"]
            ) { response in
                #expect(response.object["username"] as? String == "bob")
            }
        }
    }

    static let signedOut = "You are signed out or your session has expired. Please sign in again to continue."

    @Test func eachRejectionHasCodersMessageAndDetail() async throws {
        try await withApp { db, client in
            let (user, token) = try Fixture(db: db).user("alice")
            let (id, _) = (String(token.prefix(10)), ())
            let cases: [(String?, String)] = [
                (nil, "Cookie \"coder_session_token\" or query parameter must be provided."),
                ("abc", "Invalid API key format: incorrect amount of API key parts, expected 2 got 1"),
                ("a-b-c", "Invalid API key format: incorrect amount of API key parts, expected 2 got 3"),
                ("short-abcdefghijklmnopqrstuv", "Invalid API key format: invalid API key ID length, expected 10 got 5"),
                ("abcdefghij-short", "Invalid API key format: invalid API key secret length, expected 22 got 5"),
                ("abcdefghij-abcdefghijklmnopqrstuv", "API key is invalid."),
                ("\(id)-abcdefghijklmnopqrstuv", "API key secret is invalid."),
            ]
            for (candidate, detail) in cases {
                let headers: HTTPFields = candidate.map { [HTTPField.Name("Coder-Session-Token")!: $0] } ?? [:]
                try await client.execute(uri: "/api/v2/users/me", method: .get, headers: headers) { response in
                    #expect(response.status == .unauthorized)
                    #expect(response.headers[.contentType] == "application/json; charset=utf-8")
                    let body = response.object
                    #expect(body["message"] as? String == Self.signedOut)
                    #expect(body["detail"] as? String == detail)
                }
            }
            _ = user
        }
    }

    @Test func expiredKeySaysWhen() async throws {
        try await withApp { db, client in
            let (_, token) = try Fixture(db: db).user("alice")
            try await db.pool.write { db in
                try db.execute(sql: "UPDATE api_keys SET expires_at = '2025-10-15T10:00:00.123400Z'")
            }
            try await client.execute(uri: "/api/v2/users/me", method: .get, headers: [.authorization: "Bearer \(token)"]) { response in
                #expect(response.status == .unauthorized)
                let body = response.object
                #expect(body["message"] as? String == Self.signedOut)
                #expect(body["detail"] as? String == "API key expired at \"2025-10-15 10:00:00.1234 +0000 UTC\".")
            }
        }
    }

    @Test func suspendedUserIsRefusedUntilActivated() async throws {
        try await withApp { db, client in
            let (_, token) = try Fixture(db: db).user("alice")
            _ = try db.setUserStatus("alice", .suspended)
            try await client.execute(uri: "/api/v2/users/me", method: .get, headers: [.authorization: "Bearer \(token)"]) { response in
                #expect(response.status == .unauthorized)
                #expect(response.object["message"] as? String
                    == "User is not active (status = \"suspended\"). Contact an admin to reactivate your account.")
            }
            _ = try db.setUserStatus("alice", .active)
            try await client.execute(uri: "/api/v2/users/me", method: .get, headers: [.authorization: "Bearer \(token)"]) { response in
                #expect(response.status == .ok)
            }
        }
    }

    @Test func unknownRoutesAndUnauthenticatedMetaEndpoints() async throws {
        try await withApp { _, client in
            try await client.execute(uri: "/api/v2/nothing-here", method: .get) { response in
                #expect(response.status == .notFound)
                #expect(response.text == "{\"message\":\"Route not found.\"}\n")
            }
            try await client.execute(uri: "/healthz", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.text == "OK")
            }
            try await client.execute(uri: "/api/v2/buildinfo", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.object["version"] as? String == TaskboxVersion.current)
            }
        }
    }
}

/// The `{user}` path segment (tasks-api.md §1.0.4).
@Suite struct UserParameterTests {
    let dir = TestDirectory()

    @Test func resolvesMeUUIDAndUsernameWithCodersErrors() async throws {
        let db = try dir.openDatabase()
        let fixture = Fixture(db: db)
        let (owner, ownerToken) = try fixture.user("admin", roles: [.owner])
        let (alice, aliceToken) = try fixture.user("alice")
        try await testApplication(db).test(.router) { client in
            func get(_ user: String, _ token: String) async throws -> (HTTPResponse.Status, [String: Any]) {
                try await client.execute(uri: "/api/v2/users/\(user)", method: .get, headers: [.authorization: "Bearer \(token)"]) {
                    ($0.status, $0.object)
                }
            }
            var (status, body) = try await get("me", aliceToken)
            #expect(status == .ok && body["id"] as? String == alice.id)
            (status, body) = try await get(alice.id, ownerToken)
            #expect(status == .ok && body["username"] as? String == "alice")
            (status, body) = try await get("ALICE", ownerToken)
            #expect(status == .ok && body["id"] as? String == alice.id)
            (status, body) = try await get("nobody", ownerToken)
            #expect(status == .badRequest)
            #expect(body["message"] as? String == "\"user\" must be an existing uuid or username.")
            #expect(body["detail"] as? String == "queried user=\"nobody\"")
            let ghost = "3f1c2b9e-1d2c-4e5f-8a9b-0c1d2e3f4a5b"
            (status, body) = try await get(ghost, ownerToken)
            #expect(status == .badRequest && body["detail"] as? String == "queried user=\"\(ghost)\"")
            // A member can read neither other users nor their memberships: 404, existence hidden.
            (status, body) = try await get("admin", aliceToken)
            #expect(status == .notFound)
            #expect(body["message"] as? String == CoderText.resourceNotFound)
            _ = owner
        }
    }
}
