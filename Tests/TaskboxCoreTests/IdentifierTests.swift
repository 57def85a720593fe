import Foundation
import GRDB
import Testing
@testable import TaskboxCore

/// Row ids are time-ordered UUIDv7s (issue #19: a burst of creates appends to the last pages of
/// each index); agent tokens stay UUIDv4 secrets (taskbox.md: "agent tokens are UUIDv4").
@Suite struct IdentifierTests {
    let dir = TestDirectory()

    /// The 48-bit Unix millisecond timestamp at the front of a UUIDv7.
    static func milliseconds(_ id: String) -> UInt64? {
        let hex = id.replacingOccurrences(of: "-", with: "").prefix(12)
        return UInt64(hex, radix: 16)
    }

    /// The version nibble (the 13th hex digit) and whether the variant is RFC 9562's (10xx).
    static func versionAndVariant(_ id: String) -> (version: Character, rfcVariant: Bool) {
        let hex = Array(id.replacingOccurrences(of: "-", with: ""))
        return (hex[12], "89ab".contains(hex[16]))
    }

    @Test func aTaskCreatedThroughTheAPIHasTimeOrderedIdsAndARandomAgentToken() async throws {
        let db = try dir.openDatabase()
        let f = try TaskFixture(db: db)
        let (_, token) = try f.user("alice")
        let before = UInt64(Date().timeIntervalSince1970 * 1000)
        let created = try await testApplication(db).test(.router) { client in
            var ids: [String] = []
            for input in ["first", "second"] {
                let r = try await client.createTask(token, version: f.aiVersionID, input: input)
                ids.append(try #require(r.object["id"] as? String, "\(r.text)"))
                try await Task.sleep(for: .milliseconds(3))
            }
            return ids
        }
        for id in created { try await f.finishBuild(id) }
        let after = UInt64(Date().timeIntervalSince1970 * 1000)

        let rows = try db.pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT w.id AS workspace, b.id AS build, b.job_id AS job, a.id AS agent, a.auth_token AS token
                FROM workspaces w JOIN workspace_builds b ON b.workspace_id = w.id
                JOIN workspace_resources r ON r.job_id = b.job_id JOIN workspace_agents a ON a.resource_id = r.id
                WHERE w.id IN (?, ?) ORDER BY w.created_at
                """, arguments: [created[0], created[1]])
        }
        #expect(rows.count == 2)
        for row in rows {
            for column in ["workspace", "build", "job", "agent"] {
                let id: String = row[column]
                #expect(Self.versionAndVariant(id) == ("7", true), "\(column) \(id)")
                let ms = try #require(Self.milliseconds(id))
                #expect(ms >= before && ms <= after, "\(column) \(id) made at \(ms), not in [\(before), \(after)]")
            }
            let token: String = row["token"]
            #expect(Self.versionAndVariant(token) == ("4", true), "agent token \(token)")
        }
        // Made 3 ms apart, the second task's ids sort after the first's.
        #expect(created[0] < created[1])
        #expect((rows[0]["job"] as String) < (rows[1]["job"] as String))
    }

    @Test func idsMadeInTheSameMillisecondAreStillDistinct() {
        let ids = (0..<10_000).map { _ in ID.new() }
        #expect(Set(ids).count == 10_000)
        #expect(ids.allSatisfy { UUID(uuidString: $0) != nil && $0 == $0.lowercased() })
    }
}
