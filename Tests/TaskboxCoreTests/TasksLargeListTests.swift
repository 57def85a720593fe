import Foundation
import GRDB
import Hummingbird
import HummingbirdTesting
import Testing
@testable import TaskboxCore

/// The list at 10,000 workspaces: page, order and `count` checked against an independent
/// model of the seeded data (tasks-api.md §6.4, §6.6; taskbox.md §5 for count and after_id).
@Suite struct TasksLargeListTests {
    struct Setup {
        let dir = TestDirectory()
        let db: AppDatabase
        let seeded: Seeder.Result
        let adminToken: String
        let memberToken: String
        let memberIndex = 0

        init() throws {
            db = try dir.openDatabase()
            seeded = try Seeder(workspaces: 10_000, users: 10).run(on: db)
            adminToken = try Fixture(db: db).user("admin", roles: [.owner]).token
            memberToken = try db.createToken(user: "user-00000").token
        }

        /// The tasks a caller should see, in list order.
        func expected(requester: String?, visible: (Seeder.Workspace) -> Bool, _ matches: (Seeder.Workspace) -> Bool = { _ in true })
            -> [Seeder.Workspace] {
            seeded.workspaces.filter { w in
                let taskLike = w.isTask && [.running, .stopped, .pending, .starting].contains(w.kind)
                return taskLike && visible(w) && matches(w)
            }.sorted { a, b in
                func key(_ w: Seeder.Workspace) -> (Int, Int, String, String, String) {
                    let ownFavorite = w.favorite && seeded.users[w.ownerIndex].id == requester ? 0 : 1
                    return (ownFavorite, w.kind == .running ? 0 : 1, seeded.users[w.ownerIndex].username, w.name, w.id)
                }
                return key(a) < key(b)
            }
        }
    }

    func page(_ client: some TestClientProtocol, _ query: String, token: String) async throws -> (ids: [String], count: Int, status: [String]) {
        let r = try await client.call(.get, "/api/experimental/tasks?\(query)", token: token)
        #expect(r.status == 200, "\(r.text.prefix(300))")
        let tasks = r.object["tasks"] as? [[String: Any]] ?? []
        return (tasks.compactMap { $0["id"] as? String }, r.object["count"] as? Int ?? -1, tasks.compactMap { $0["status"] as? String })
    }

    @Test func ownerMeStatusNameAndAdminPagesAreRight() async throws {
        let s = try Setup()
        let member = s.seeded.users[s.memberIndex].id
        let adminID = try #require(try s.db.user(nameOrID: "admin")).id
        try await testApplication(s.db).test(.router) { client in
            // owner:me, first page of 25.
            let mine = s.expected(requester: member, visible: { s.seeded.users[$0.ownerIndex].id == member })
            #expect(mine.count > 500)
            var p = try await page(client, "q=owner:me&limit=25", token: s.memberToken)
            #expect(p.ids == mine.prefix(25).map(\.id))
            #expect(p.count == mine.count)
            // The member's own favourites come first: pages across their end, after_id inside them.
            let favorites = mine.prefix { $0.favorite }.count
            #expect(favorites > 10 && favorites < mine.count)
            p = try await page(client, "q=owner:me&limit=20&offset=\(favorites - 5)", token: s.memberToken)
            #expect(p.ids == mine.dropFirst(favorites - 5).prefix(20).map(\.id))
            p = try await page(client, "q=owner:me&limit=\(favorites)&after_id=\(mine[favorites / 2].id)", token: s.memberToken)
            #expect(p.ids == mine.dropFirst(favorites / 2 + 1).prefix(favorites).map(\.id))
            p = try await page(client, "q=owner:me&limit=7&offset=3&after_id=\(mine[favorites - 1].id)", token: s.memberToken)
            #expect(p.ids == mine.dropFirst(favorites + 3).prefix(7).map(\.id))
            p = try await page(client, "q=owner:me&limit=7&after_id=\(mine[favorites + 4].id)", token: s.memberToken)
            #expect(p.ids == mine.dropFirst(favorites + 5).prefix(7).map(\.id))
            #expect(p.count == mine.count)
            let mineRunning = mine.filter { $0.kind == .running }
            p = try await page(client, "q=owner:me+status:running&limit=15&offset=\(max(0, favorites / 3))", token: s.memberToken)
            #expect(p.ids == mineRunning.dropFirst(max(0, favorites / 3)).prefix(15).map(\.id))
            #expect(p.count == mineRunning.count)
            // The same list without a filter: a member sees only their own.
            p = try await page(client, "limit=25&offset=50", token: s.memberToken)
            #expect(p.ids == mine.dropFirst(50).prefix(25).map(\.id))

            // status:running as an owner, a middle page.
            let running = s.expected(requester: adminID, visible: { _ in true }) { $0.kind == .running }
            p = try await page(client, "q=status:running&limit=50&offset=100", token: s.adminToken)
            #expect(p.ids == running.dropFirst(100).prefix(50).map(\.id))
            #expect(p.count == running.count)
            #expect(Set(p.status) == ["running"])

            // A name search (substring, case-insensitive).
            let named = s.expected(requester: adminID, visible: { _ in true }) { $0.name.contains("ws-0012") }
            p = try await page(client, "q=WS-0012", token: s.adminToken)
            #expect(p.ids == named.map(\.id))
            #expect(p.count == named.count)

            // The owner's unfiltered list, page by page, with offset and after_id.
            let all = s.expected(requester: adminID, visible: { _ in true })
            p = try await page(client, "limit=100", token: s.adminToken)
            #expect(p.ids == all.prefix(100).map(\.id))
            #expect(p.count == all.count)
            let after = all[99].id
            p = try await page(client, "limit=100&after_id=\(after)", token: s.adminToken)
            #expect(p.ids == all.dropFirst(100).prefix(100).map(\.id))
            #expect(p.count == all.count)
            p = try await page(client, "limit=10&offset=5&after_id=\(after)", token: s.adminToken)
            #expect(p.ids == all.dropFirst(105).prefix(10).map(\.id))
            p = try await page(client, "limit=10&after_id=\(UUID().uuidString)", token: s.adminToken)
            #expect(p.ids.isEmpty)
            #expect(p.count == all.count)
            // Past the end: an empty page that still counts.
            p = try await page(client, "limit=10&offset=\(all.count)", token: s.adminToken)
            #expect(p.ids.isEmpty && p.count == all.count)
            // The totals the counts come from agree with the rows they summarise.
            let mismatches = try await s.db.pool.read { db in
                try Int.fetchOne(db, sql: """
                    WITH actual AS (
                      SELECT owner_id, organization_id, list_task, coalesce(list_status, '') AS s, count(*) AS n
                      FROM workspaces WHERE deleted = 0 GROUP BY 1, 2, 3, 4),
                    kept AS (SELECT owner_id, organization_id, list_task, list_status, n FROM workspace_list_totals WHERE n <> 0)
                    SELECT (SELECT count(*) FROM (SELECT * FROM actual EXCEPT SELECT * FROM kept))
                         + (SELECT count(*) FROM (SELECT * FROM kept EXCEPT SELECT * FROM actual))
                    """)
            }
            #expect(mismatches == 0)
            // Another member's owner filter sees nothing of theirs.
            p = try await page(client, "q=owner:user-00001", token: s.memberToken)
            #expect(p.ids.isEmpty && p.count == 0)
        }
    }

    /// Issue #19: every list form of `bench/run` reads its page from an index in list order,
    /// the favourites from their own index, and never sorts (SQLite's own plans on the seeded file).
    @Test func everyListFormReadsItsPageFromAnIndex() async throws {
        let s = try Setup()
        let forms: [(user: String, query: String, pageIndex: String)] = [
            ("user-00000", "owner:me", "workspaces_list_owner"),
            ("user-00000", "owner:me status:running", "workspaces_list_owner_status"),
            ("user-00000", "owner:me ws-00", "workspaces_list_owner"),
            ("admin", "", "workspaces_list_all"),
            ("admin", "status:running", "workspaces_list_status"),
        ]
        for form in forms {
            let plans = try await ListBenchmark(query: form.query, limit: 25, username: form.user, duration: .zero, concurrency: 1)
                .queryPlans(on: s.db)
            let byStatement = Dictionary(uniqueKeysWithValues: plans.map { ($0.statement, $0.plan.joined(separator: "; ")) })
            let label = "\(form.user) q=\(form.query)"
            #expect(byStatement["favourites"] == "SEARCH w USING INDEX workspaces_favorites (owner_id=? AND list_task=?)", "\(label)")
            #expect(byStatement["page"]?.hasPrefix("SEARCH w USING INDEX \(form.pageIndex) (") == true, "\(label): \(byStatement)")
            #expect(byStatement["page after after_id"]?.hasPrefix("SEARCH w USING INDEX \(form.pageIndex) (") == true,
                    "\(label): \(byStatement)")
            #expect(byStatement["page after after_id"]?.contains("list_key>?") == true, "\(label): \(byStatement)")
            #expect(byStatement["after_id's key"] == "SEARCH w USING INDEX sqlite_autoindex_workspaces_1 (id=?)", "\(label)")
            for (statement, plan) in byStatement {
                #expect(!plan.contains("TEMP B-TREE"), "\(label) \(statement) sorts: \(plan)")
            }
        }
    }
}
