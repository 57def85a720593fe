import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
@testable import TaskboxCore

/// tasks-api.md §9.3 for list, get, create and delete: each role against alice's task.
@Suite struct TasksRBACTests {
    enum Role: String, CaseIterable, Sendable {
        case owner, member, orgAdmin, otherOrgAdmin, templateAdmin, auditor
    }

    struct Expected: Sendable {
        var listsIt: Bool
        var get: Int
        var createForSelf: Int
        var createForAlice: Int
        var delete: Int
    }

    static let matrix: [(Role, Expected)] = [
        (.owner, Expected(listsIt: true, get: 200, createForSelf: 201, createForAlice: 201, delete: 202)),
        (.member, Expected(listsIt: false, get: 404, createForSelf: 201, createForAlice: 404, delete: 404)),
        (.orgAdmin, Expected(listsIt: true, get: 200, createForSelf: 201, createForAlice: 201, delete: 202)),
        (.otherOrgAdmin, Expected(listsIt: false, get: 404, createForSelf: 201, createForAlice: 404, delete: 404)),
        (.templateAdmin, Expected(listsIt: true, get: 200, createForSelf: 201, createForAlice: 403, delete: 403)),
        (.auditor, Expected(listsIt: false, get: 404, createForSelf: 201, createForAlice: 403, delete: 404)),
    ]

    @Test(arguments: matrix)
    func roleSeesExactlyWhatSection9Allows(role: Role, expected: Expected) async throws {
        let dir = TestDirectory()
        let db = try dir.openDatabase()
        let f = try TaskFixture(db: db)
        let (_, aliceToken) = try f.user("alice")
        let token: String
        switch role {
        case .owner: token = try f.user("boss", roles: [.owner]).token
        case .member: token = try f.user("bob").token
        case .orgAdmin:
            token = try f.user("oadmin").token
            try await db.pool.write { db in
                try db.execute(sql: """
                    INSERT INTO organization_member_roles (organization_id, user_id, role)
                    SELECT organization_id, user_id, 'organization-admin' FROM organization_members
                    WHERE user_id = (SELECT id FROM users WHERE username = 'oadmin')
                    """)
            }
        case .otherOrgAdmin:
            token = try f.user("acmeadmin").token
            _ = try db.createOrganization(name: "acme")
            _ = try db.addMember(organization: "acme", user: "acmeadmin", roles: [.organizationAdmin])
        case .templateAdmin: token = try f.user("tadmin", roles: [.templateAdmin]).token
        case .auditor: token = try f.user("audit", roles: [.auditor]).token
        }
        try await testApplication(db).test(.router) { client in
            let task = try #require(try await client.createTask(aliceToken, version: f.aiVersionID, name: "alices").object["id"] as? String)
            try await f.finishBuild(task)

            let list = try await client.call(.get, "/api/experimental/tasks", token: token)
            #expect(list.status == 200)
            let ids = (list.object["tasks"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String }
            #expect(ids.contains(task) == expected.listsIt)
            #expect(list.object["count"] as? Int == ids.count)

            let get = try await client.call(.get, "/api/experimental/tasks/me/\(task)", token: token)
            #expect(get.status == expected.get)
            if get.status == 404 { #expect(get.object["message"] as? String == CoderText.resourceNotFound) }

            let mine = try await client.createTask(token, version: f.aiVersionID, name: "own-task")
            #expect(mine.status == expected.createForSelf, "\(mine.text)")

            let forAlice = try await client.createTask(token, version: f.aiVersionID, name: "for-alice", user: "alice")
            #expect(forAlice.status == expected.createForAlice, "\(forAlice.text)")
            if forAlice.status == 403 {
                #expect(forAlice.object["message"] as? String == "Unauthorized to create workspace.")
                #expect(forAlice.object["detail"] as? String == CoderText.createForbidden)
            }
            if forAlice.status == 201 { #expect(forAlice.object["owner_name"] as? String == "alice") }

            let delete = try await client.call(.delete, "/api/experimental/tasks/me/\(task)", token: token)
            #expect(delete.status == expected.delete, "\(delete.text)")
            if delete.status == 403 {
                #expect(delete.object["message"] as? String == "You do not have permission to delete this workspace.")
                #expect(delete.object["detail"] as? String == CoderText.forbidden)
            }
        }
    }

    @Test func unauthenticatedIsRefusedEverywhere() async throws {
        let dir = TestDirectory()
        let db = try dir.openDatabase()
        let id = UUID().uuidString
        try await testApplication(db).test(.router) { client in
            for (method, path) in [
                (HTTPRequest.Method.get, "/api/experimental/tasks"), (.post, "/api/experimental/tasks/me"),
                (.get, "/api/experimental/tasks/me/\(id)"), (.delete, "/api/experimental/tasks/me/\(id)"),
                (.get, "/api/experimental/aitasks/prompts?build_ids=\(id)"),
            ] {
                let r = try await client.call(method, path, token: nil)
                #expect(r.status == 401, "\(method) \(path)")
            }
        }
    }
}
