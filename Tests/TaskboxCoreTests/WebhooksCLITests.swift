import Foundation
import Testing
@testable import TaskboxCore

/// `taskbox webhooks …` as the real binary on a database file.
@Suite struct WebhooksCLITests {
    let dir = TestDirectory()

    @Test func createListRotateDeliveriesDelete() async throws {
        let alice = try dir.openDatabase().createUser(username: "alice")
        var r = try await runTaskbox(["webhooks", "create", "--url", "https://example.com/hook", "--events", "task.created,task.idle",
                                "--user", "alice", "-o", "json"], db: dir.dbPath)
        #expect(r.status == 0, "\(r.stderr)")
        let created = try #require(try r.json() as? [String: Any])
        #expect(Set(created.keys) == ["id", "url", "events", "secret"])
        #expect(created["url"] as? String == "https://example.com/hook")
        #expect(created["events"] as? [String] == ["task.created", "task.idle"])
        let id = try #require(created["id"] as? String)
        let secret = try #require(created["secret"] as? String)
        #expect(secret.hasPrefix("whsec_"))

        r = try await runTaskbox(["webhooks", "list", "-o", "json"], db: dir.dbPath)
        #expect(r.status == 0)
        #expect(!r.stdout.contains(String(secret.dropFirst(6))) && !r.stdout.contains("secret"))
        let list = try #require(try r.json() as? [[String: Any]])
        #expect(list.count == 1)
        #expect(list.first?["status"] as? String == "active")
        #expect(list.first?["user_id"] as? String == alice.id)

        r = try await runTaskbox(["webhooks", "rotate-secret", id, "-o", "json"], db: dir.dbPath)
        #expect(r.status == 0, "\(r.stderr)")
        let rotated = try #require((try r.json() as? [String: Any])?["secret"] as? String)
        #expect(rotated.hasPrefix("whsec_") && rotated != secret)

        r = try await runTaskbox(["webhooks", "deliveries", id, "-o", "json"], db: dir.dbPath)
        #expect(r.status == 0)
        let deliveries = try #require(try r.json() as? [Any])
        #expect(deliveries.isEmpty)

        r = try await runTaskbox(["webhooks", "delete", id], db: dir.dbPath)
        #expect(r.status == 0)
        r = try await runTaskbox(["webhooks", "delete", id], db: dir.dbPath)
        #expect(r.status != 0)
        #expect(r.stderr == "error: webhook \(id) not found\n")
    }

    @Test(arguments: [
        (["--url", "ftp://example.com/"], "error: invalid --url \"ftp://example.com/\": must be an absolute http or https URL with a host, without user info\n"),
        (["--url", "https://example.com/", "--events", "task.finished"],
         "error: invalid --events: unknown event \"task.finished\" (expected one of: task.created, task.working, task.idle, task.complete, task.failed, task.paused, task.resumed, task.deleted, task.needs_input)\n"),
        (["--url", "https://example.com/", "--user", "nobody"], "error: user \"nobody\" not found\n"),
    ])
    func badCreateArgumentsFailWithOneLine(arguments: [String], stderr: String) async throws {
        let r = try await runTaskbox(["webhooks", "create"] + arguments, db: dir.dbPath)
        #expect(r.status != 0)
        #expect(r.stderr == stderr)
        #expect(try await dir.openDatabase().webhooks().isEmpty)
    }
}
