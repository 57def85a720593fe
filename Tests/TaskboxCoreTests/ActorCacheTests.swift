import Foundation
import GRDB
import Hummingbird
import HummingbirdTesting
import HTTPTypes
import Testing
@testable import TaskboxCore

/// Authentication remembers who a token is for a moment (issue #19), and never past a change:
/// suspension and membership written by this process apply to the next request; written by
/// another taskbox process (an admin command), also to the next request; written without
/// taskbox, once the cached answer expires (one second).
@Suite struct ActorCacheTests {
    let dir = TestDirectory()

    static func me(_ client: some TestClientProtocol, _ token: String) async throws -> Int {
        try await client.execute(uri: "/api/v2/users/me", method: .get, headers: [.authorization: "Bearer \(token)"]) {
            Int($0.status.code)
        }
    }

    @Test func changesInThisProcessApplyToTheNextRequest() async throws {
        let db = try dir.openDatabase()
        let (_, token) = try Fixture(db: db).user("alice")
        _ = try db.createOrganization(name: "acme")
        try await testApplication(db).test(.router) { client in
            #expect(try await Self.me(client, token) == 200)
            #expect(try await Self.me(client, token) == 200)
            _ = try db.setUserStatus("alice", .suspended)
            #expect(try await Self.me(client, token) == 401)
            _ = try db.setUserStatus("alice", .active)
            #expect(try await Self.me(client, token) == 200)
            // Membership is part of the actor: alice reads acme's templates once she is a member.
            func acmeTemplates() async throws -> Int {
                try await client.execute(uri: "/api/v2/organizations/acme/templates", method: .get,
                                         headers: [.authorization: "Bearer \(token)"]) { Int($0.status.code) }
            }
            #expect(try await acmeTemplates() == 404)
            _ = try db.addMember(organization: "acme", user: "alice", roles: [])
            #expect(try await acmeTemplates() == 200)
        }
    }

    @Test func aChangeMadeWithoutTaskboxAppliesWithinASecond() async throws {
        let db = try dir.openDatabase()
        let (_, token) = try Fixture(db: db).user("alice")
        try await testApplication(db).test(.router) { client in
            #expect(try await Self.me(client, token) == 200)
            // As the sqlite3 shell would: a connection of its own, no taskbox code.
            let shell = try DatabaseQueue(path: dir.dbPath)
            try await shell.write { try $0.execute(sql: "UPDATE users SET status = 'suspended' WHERE username = 'alice'") }
            let changed = ContinuousClock.now
            var status = try await Self.me(client, token)
            // The cache keeps an answer for one second; the bound here only keeps a loaded
            // machine from failing the test (what it proves: the answer is not kept for good).
            while status == 200, ContinuousClock.now - changed < .seconds(15) {
                try await Task.sleep(for: .milliseconds(50))
                status = try await Self.me(client, token)
            }
            #expect(status == 401)
        }
    }
}
