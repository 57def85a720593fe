import Foundation
import GRDB
import Testing
@testable import TaskboxCore

/// Crash safety, concurrency, backup and secrets through the real binary (issue 8).
@Suite(.serialized) struct ReliabilityTests {
    let dir = TestDirectory()

    /// Users with tokens and the plain AI template of the fixture, made with the CLI.
    func prepare(users: Int) async throws -> (tokens: [String], version: String) {
        let file = dir.url.appendingPathComponent("ai.json")
        try TaskFixture.aiManifest().write(to: file, atomically: true, encoding: .utf8)
        let pushed = try #require(try await runTaskbox(["templates", "push", file.path, "-o", "json"], db: dir.dbPath).json() as? [String: Any])
        var tokens: [String] = []
        for i in 0..<users {
            _ = try await runTaskbox(["users", "create", "--username", "u\(i)"], db: dir.dbPath)
            tokens.append(try await runTaskbox(["tokens", "create", "--user", "u\(i)"], db: dir.dbPath).stdout.trimmingCharacters(in: .whitespacesAndNewlines))
        }
        return (tokens, try #require(pushed["template_version_id"] as? String))
    }

    @Test func acknowledgedCreatesSurviveSIGKILL() async throws {
        let (tokens, version) = try await prepare(users: 4)
        let server = try await ServerProcess.start(db: dir.dbPath)
        let acknowledged = AcknowledgedIDs()
        // Four users create as fast as they can; the server is killed mid-burst.
        let burst = Task {
            await withTaskGroup(of: Void.self) { group in
                for token in tokens {
                    group.addTask {
                        for i in 0..<400 {
                            guard let r = try? await http(.POST, server.url + "/api/experimental/tasks/me", token: token,
                                                          body: #"{"template_version_id":"\#(version)","input":"crash \#(i)"}"#, timeout: 5)
                            else { return }
                            if r.status == 201, let id = r.object["id"] as? String { await acknowledged.add(id) }
                        }
                    }
                }
            }
        }
        while await acknowledged.count < 40 { try await Task.sleep(for: .milliseconds(5)) }
        #expect(await server.stop(signal: SIGKILL) != 0)
        _ = await burst.value
        let ids = await acknowledged.ids
        #expect(ids.count >= 40)

        // On the same file: every acknowledged create is there, whole.
        let db = try dir.openDatabase()
        try await db.pool.read { db in
            #expect(try String.fetchOne(db, sql: "PRAGMA integrity_check") == "ok")
            #expect(try Row.fetchAll(db, sql: "PRAGMA foreign_key_check").isEmpty)
            for id in ids {
                #expect(try Bool.fetchOne(db, sql: "SELECT 1 FROM workspaces WHERE id = ?", arguments: [id]) == true, "lost \(id)")
            }
            let orphans = try Int.fetchOne(db, sql: """
                SELECT count(*) FROM workspaces w WHERE NOT EXISTS (
                  SELECT 1 FROM workspace_builds b JOIN provisioner_jobs j ON j.id = b.job_id WHERE b.workspace_id = w.id)
                """)
            #expect(orphans == 0)
        }
        let restarted = try await ServerProcess.start(db: dir.dbPath)
        let list = try await http(.GET, restarted.url + "/api/experimental/tasks?limit=1", token: tokens[0])
        #expect(list.status == 200)
        #expect(await restarted.stop() == 0)
    }

    @Test func concurrentCreatesDeletesAndBuildsNeverFailOrDuplicate() async throws {
        let (tokens, version) = try await prepare(users: 2)
        let server = try await ServerProcess.start(db: dir.dbPath, arguments: ["--provisioners", "4"])
        // 50 creates of the same two names from two users: one wins per owner and name.
        let statuses = try await (0..<50).asyncMap { i in
            try await http(.POST, server.url + "/api/experimental/tasks/me", token: tokens[i % 2],
                           body: #"{"template_version_id":"\#(version)","input":"x","name":"same-\#(i % 4 < 2 ? "a" : "b")"}"#).status
        }
        #expect(Set(statuses).isSubset(of: [201, 409]), "\(statuses)")
        #expect(statuses.filter { $0 == 201 }.count == 4)
        // Wait for the builds, then 50 concurrent stop/start/delete builds on those four.
        let ids = try await (0..<2).asyncMap { i in
            let tasks = try await http(.GET, server.url + "/api/experimental/tasks", token: tokens[i]).object["tasks"] as? [[String: Any]] ?? []
            return tasks.compactMap { $0["id"] as? String }
        }.flatMap { $0 }
        #expect(ids.count == 4)
        for _ in 0..<200 {
            let done = try await ids.asyncAllRunning(server: server, tokens: tokens)
            if done { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        let transitions = ["stop", "start", "delete"]
        let results = try await (0..<50).asyncMap { i in
            let id = ids[i % ids.count]
            // Alternate callers: the owner, or another member (who gets 404).
            return try await http(.POST, server.url + "/api/v2/workspaces/\(id)/builds", token: tokens[i % 2],
                                  body: #"{"transition":"\#(transitions[i % 3])"}"#).status
        }
        #expect(Set(results).isSubset(of: [201, 404, 409, 410]), "\(results)")
        #expect(!results.contains(500))
        let db = try dir.openDatabase()
        let active = try await db.pool.read {
            try Int.fetchOne($0, sql: """
                SELECT max(n) FROM (SELECT count(*) AS n FROM workspace_builds b JOIN provisioner_jobs j ON j.id = b.job_id
                WHERE j.completed_at IS NULL GROUP BY b.workspace_id)
                """)
        }
        #expect((active ?? 0) <= 1)
        #expect(await server.stop() == 0)
        #expect(!server.stderr.contains("database is locked"))
    }

    @Test func backupWhileServingHasEveryTask() async throws {
        let (tokens, version) = try await prepare(users: 1)
        let server = try await ServerProcess.start(db: dir.dbPath)
        var ids: [String] = []
        for i in 0..<30 {
            let r = try await http(.POST, server.url + "/api/experimental/tasks/me", token: tokens[0],
                                   body: #"{"template_version_id":"\#(version)","input":"backup \#(i)"}"#)
            if let id = r.object["id"] as? String { ids.append(id) }
        }
        // Writes go on during the copy.
        let writer = Task {
            for i in 0..<20 {
                _ = try? await http(.POST, server.url + "/api/experimental/tasks/me", token: tokens[0],
                                    body: #"{"template_version_id":"\#(version)","input":"during \#(i)"}"#)
            }
        }
        let copy = dir.url.appendingPathComponent("copy.db").path
        let result = try await runTaskbox(["backup", "--to", copy], db: dir.dbPath)
        #expect(result.status == 0, "\(result.stderr)")
        _ = await writer.value
        #expect(await server.stop() == 0)
        let mode = try FileManager.default.attributesOfItem(atPath: copy)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        // Restore: serve the copy and find every task made before the backup.
        let restored = try await ServerProcess.start(db: copy)
        let listed = try await http(.GET, restored.url + "/api/experimental/tasks", token: tokens[0])
        let found = Set((listed.object["tasks"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String })
        #expect(Set(ids).isSubset(of: found))
        #expect(await restored.stop() == 0)
    }

    @Test func tokensNeverReachTheLogs() async throws {
        let (tokens, version) = try await prepare(users: 1)
        let server = try await ServerProcess.start(db: dir.dbPath)
        let token = tokens[0]
        _ = try await http(.GET, server.url + "/api/experimental/tasks?coder_session_token=\(token)")
        _ = try await http(.GET, server.url + "/api/experimental/tasks?access_token=\(token)")
        _ = try await http(.POST, server.url + "/api/experimental/tasks/me", token: token, body: #"{"template_version_id":"\#(version)","input":"x"}"#)
        _ = try await http(.GET, server.url + "/api/experimental/tasks", token: token + "x")
        #expect(await server.stop() == 0)
        let secret = String(token.split(separator: "-")[1])
        #expect(!server.stderr.contains(secret))
        #expect(!server.stdout.contains(secret))
        #expect(server.stderr.contains("path=/api/experimental/tasks"))
    }
}

actor AcknowledgedIDs {
    var ids: [String] = []
    var count: Int { ids.count }
    func add(_ id: String) { ids.append(id) }
}

extension Array where Element == String {
    /// Whether every task's latest build finished.
    func asyncAllRunning(server: ServerProcess, tokens: [String]) async throws -> Bool {
        for id in self {
            for token in tokens {
                let r = try await http(.GET, server.url + "/api/experimental/tasks/me/\(id)", token: token)
                if r.status == 200 {
                    if r.object["status"] as? String != "running" { return false }
                    break
                }
            }
        }
        return true
    }
}
