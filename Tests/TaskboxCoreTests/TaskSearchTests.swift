import Foundation
import Hummingbird
import HummingbirdTesting
import Testing
@testable import TaskboxCore

/// tasks-v2.md §4 and §9.5 (`TestSearchTasks`): the task search grammar on a real database,
/// then through the list endpoint.
@Suite struct TaskSearchTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var label: String
        var q: String
        var owner: String? = nil  // "alice", "caller" or a literal id
        var organization: String? = nil  // "acme" or a literal id
        var status: TaskStatus? = nil
        var errors: [(field: String, contains: String)] = []
        var testDescription: String { label }
    }

    static let someID = "2f0ab1a8-3c9f-4b5b-9a53-5d0c7d1d2e9f"

    static let cases: [Case] = [
        .init(label: "Empty", q: ""),
        .init(label: "OwnerUsername", q: "owner:alice", owner: "alice"),
        .init(label: "OwnerMe", q: "owner:me", owner: "caller"),
        .init(label: "OwnerMeUpperCase", q: "owner:ME", owner: "caller"),
        .init(label: "OwnerUUID", q: "owner:\(someID)", owner: someID),
        .init(label: "StatusActive", q: "status:active", status: .active),
        .init(label: "StatusPending", q: "status:pending", status: .pending),
        .init(label: "Organization", q: "organization:acme", organization: "acme"),
        .init(label: "OrganizationUUID", q: "organization:\(someID)", organization: someID),
        .init(label: "Combined", q: "owner:alice organization:acme status:active", owner: "alice", organization: "acme", status: .active),
        .init(label: "QuotedOwner", q: "owner:\"alice\"", owner: "alice"),
        .init(label: "QuotedStatus", q: "status:\"pending\"", status: .pending),
        .init(label: "DefaultToOwner", q: "alice", owner: "alice"),
        .init(label: "BareTermKeepsItsQuotes", q: "\"alice\"",
              errors: [("owner", #"Query param "owner" has invalid value: user "\"alice\"" either does not exist, or you are unauthorized to view them"#)]),
        .init(label: "InvalidOwner", q: "owner:nonexistent", errors: [("owner", "does not exist")]),
        .init(label: "InvalidOrganization", q: "organization:nonexistent", errors: [("organization", "does not exist")]),
        .init(label: "ExtraParam", q: "owner:alice invalid:param", errors: [("invalid", "\"invalid\" is not a valid query param")]),
        .init(label: "ExtraColon", q: "owner:alice:extra", errors: [("q", "can only contain 1 ':'")]),
        .init(label: "PrefixColon", q: ":owner", errors: [("q", "cannot start or end with ':'")]),
        .init(label: "SuffixColon", q: "owner:", errors: [("q", "cannot start or end with ':'")]),
        .init(label: "BareAndOwner", q: "alice owner:bob", errors: [("owner", "provided more than once, found 2 times")]),
        // taskbox decision (tasks-v2.md §11.3): an unknown status is a 400, not Coder's 500.
        .init(label: "UnknownStatus", q: "status:running",
              errors: [("status", #"Query param "status" has invalid value: "running" is not a valid task status"#)]),
    ]

    @Test(arguments: cases)
    func parse(_ c: Case) async throws {
        let dir = TestDirectory()
        let db = try dir.openDatabase()
        let alice = try db.createUser(username: "alice")
        let caller = try db.createUser(username: "boss", roles: [.owner])
        let acme = try db.createOrganization(name: "acme")
        let authorizer = Authorizer(Actor(id: caller.id, username: "boss", siteRoles: [.owner], organizations: [], adminOf: []))
        do {
            let filter = try await TaskSearch.parse(c.q, lookup: StoreSearchLookup(database: db), authorizer: authorizer)
            #expect(c.errors.isEmpty, "expected errors, got \(filter)")
            let owner = c.owner.map { $0 == "alice" ? alice.id : $0 == "caller" ? caller.id : $0 }
            #expect(filter.ownerID == owner)
            #expect(filter.organizationID == c.organization.map { $0 == "acme" ? acme.id : $0 })
            #expect(filter.status == c.status)
        } catch {
            #expect(error.validations.count == c.errors.count, "\(error.validations)")
            for (got, want) in zip(error.validations, c.errors) {
                #expect(got.field == want.field && got.detail.contains(want.contains), "\(got)")
            }
        }
    }

    @Test func memberCannotSearchAnotherUsersTasks() async throws {
        let dir = TestDirectory()
        let db = try dir.openDatabase()
        let f = try TaskFixture(db: db)
        let (_, aliceToken) = try f.user("alice")
        try f.user("bob")
        try await liveApplication(db).test(.live) { client in
            let r = try await client.call(.get, "/api/v2/tasks?q=owner:bob", token: aliceToken)
            #expect(r.status == 400)
            #expect(r.text == #"{"message":"Invalid task search query.","validations":[{"field":"owner","detail":"Query param \"owner\" has invalid value: user \"bob\" either does not exist, or you are unauthorized to view them"}]}"# + "\n")
        }
    }

    @Test func listFiltersByStatusAndPagesOnlyWhenAsked() async throws {
        let dir = TestDirectory()
        let db = try dir.openDatabase()
        let f = try TaskFixture(db: db)
        let (_, token) = try f.user("alice")
        try await liveApplication(db).test(.live) { client in
            let paused = try await f.task(in: .paused, token: token, client: client, name: "paused-one")
            let active = try await f.task(in: .active, token: token, client: client, name: "active-one")
            let pending = try await f.task(in: .pending, token: token, client: client, name: "pending-one")
            var r = try await client.call(.get, "/api/v2/tasks?q=status:paused", token: token)
            #expect((r.object["tasks"] as? [[String: Any]])?.map { $0["id"] as? String } == [paused.id])
            #expect(r.object["count"] as? Int == 1)
            // Coder ignores paging parameters it does not know of; taskbox pages only when asked.
            r = try await client.call(.get, "/api/v2/tasks?limit=2", token: token)
            #expect((r.object["tasks"] as? [[String: Any]])?.map { $0["id"] as? String } == [pending.id, active.id])
            #expect(r.object["count"] as? Int == 3, "count is the total when paging")
            r = try await client.call(.get, "/api/v2/tasks?after_id=\(active.id)", token: token)
            #expect((r.object["tasks"] as? [[String: Any]])?.map { $0["id"] as? String } == [paused.id])
            #expect(r.object["count"] as? Int == 3)
            r = try await client.call(.get, "/api/v2/tasks?limit=-1", token: token)
            #expect(r.status == 400 && r.object["message"] as? String == "Query parameters have invalid values.")
            r = try await client.call(.get, "/api/v2/tasks", token: nil)
            #expect(r.status == 401)
        }
    }
}
