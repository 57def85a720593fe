import Foundation
import GRDB
import Testing
@testable import TaskboxCore

/// The admin command line, run as the real binary on a real file (taskbox.md §1).
@Suite struct CLITests {
    let dir = TestDirectory()
    func run(_ args: String...) async throws -> CommandResult { try await runTaskbox(args, db: dir.dbPath) }

    func object(_ result: CommandResult) throws -> [String: Any] {
        #expect(result.status == 0, "\(result.stderr)")
        return try #require(try result.json() as? [String: Any])
    }

    @Test func usersCreateListSuspendActivate() async throws {
        let created = try await object(run("users", "create", "--username", "alice", "--email", "a@example.com",
                                     "--roles", "owner,auditor", "-o", "json"))
        #expect(Set(created.keys) == ["id", "username", "email", "roles"])
        #expect(created["username"] as? String == "alice")
        #expect(created["email"] as? String == "a@example.com")
        #expect(created["roles"] as? [String] == ["auditor", "owner"])
        let plain = try await object(run("users", "create", "--username", "bob", "-o", "json"))
        #expect(plain["email"] as? String == "")
        #expect(plain["roles"] as? [String] == [])

        let list = try await run("users", "list", "-o", "json")
        let users = try #require(try list.json() as? [[String: Any]])
        #expect(users.map { $0["username"] as? String } == ["alice", "bob"])
        #expect(Set(users[0].keys) == ["id", "username", "email", "roles", "status"])
        #expect(users.allSatisfy { $0["status"] as? String == "active" })

        let suspended = try await object(run("users", "suspend", "bob", "-o", "json"))
        #expect(suspended["status"] as? String == "suspended")
        #expect(Set(suspended.keys) == ["id", "username", "email", "roles", "status"])
        let byID = try await object(run("users", "activate", plain["id"] as! String, "-o", "json"))
        #expect(byID["status"] as? String == "active")

        // The user joined the default organization.
        let db = try dir.openDatabase()
        let createdID = created["id"] as! String
        let orgs = try await db.pool.read {
            try String.fetchAll($0, sql: "SELECT o.name FROM organization_members m JOIN organizations o ON o.id = m.organization_id WHERE m.user_id = ?",
                                arguments: [createdID])
        }
        #expect(orgs == ["coder"])
    }

    @Test func textOutputIsForPeople() async throws {
        let result = try await run("users", "create", "--username", "carol")
        #expect(result.status == 0)
        #expect(result.stdout.hasPrefix("created user carol"))
    }

    @Test(arguments: [
        (["users", "create", "--username", "alice"], "already exists"),
        (["users", "create", "--username", "ALICE"], "already exists"),
        (["users", "create", "--username", "bad name"], "must be alphanumeric with hyphens"),
        (["users", "create", "--username", "x", "--roles", "wizard"], "unknown role"),
        (["users", "suspend", "nobody"], "not found"),
        (["tokens", "create", "--user", "nobody"], "not found"),
        (["tokens", "create", "--user", "alice", "--lifetime", "forever"], "invalid lifetime"),
        (["tokens", "create", "--user", "alice", "--lifetime", "10ms"], "invalid lifetime"),
        (["orgs", "create", "coder"], "already exists"),
        (["orgs", "add-member", "--org", "nowhere", "--user", "alice"], "not found"),
        (["orgs", "add-member", "--org", "coder", "--user", "alice"], "already a member"),
        (["orgs", "add-member", "--org", "coder", "--user", "alice", "--roles", "boss"], "unknown organization role"),
        (["templates", "push", "/nonexistent/manifest.json"], "cannot read manifest"),
        (["agents", "token", "--workspace", "not-a-uuid"], "invalid workspace id"),
        (["agents", "token", "--workspace", "3f1c2b9e-1d2c-4e5f-8a9b-0c1d2e3f4a5b"], "not found"),
    ])
    func badInputGivesOneLineErrorAndNonZeroExit(args: [String], message: String) async throws {
        _ = try await run("users", "create", "--username", "alice")
        let result = try await runTaskbox(args, db: dir.dbPath)
        #expect(result.status != 0)
        #expect(result.stdout.isEmpty)
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 1, "\(result.stderr)")
        #expect(result.stderr.contains(message), "\(result.stderr)")
    }

    @Test func tokensCreatePrintsCoderStyleTokenStoredHashed() async throws {
        _ = try await run("users", "create", "--username", "alice")
        let bare = try await run("tokens", "create", "--user", "alice")
        #expect(bare.status == 0)
        let token = bare.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(token.range(of: "^[A-Za-z0-9]{10}-[A-Za-z0-9]{22}$", options: .regularExpression) != nil)

        let json = try await object(run("tokens", "create", "--user", "alice", "--lifetime", "30m", "--name", "ci", "-o", "json"))
        #expect(Set(json.keys) == ["id", "token", "expires_at"])
        let expires = try #require(Timestamp.parse(json["expires_at"] as! String))
        #expect(abs(expires.timeIntervalSinceNow - 1800) < 60)

        let secret = String(token.split(separator: "-")[1])
        let stored = try dir.openDatabase().pool.read { try Row.fetchAll($0, sql: "SELECT * FROM api_keys") }
        #expect(stored.count == 2)
        for row in stored {
            for column in row.columnNames {
                let value = row[column]
                #expect(!(String(describing: value).contains(secret)), "secret stored in clear in \(column)")
            }
        }
        #expect(try await run("tokens", "create", "--user", "alice", "--name", "CI").status != 0)
    }

    @Test func orgsCreateAndAddMember() async throws {
        let alice = try await object(run("users", "create", "--username", "alice", "-o", "json"))
        let org = try await object(run("orgs", "create", "acme", "-o", "json"))
        #expect(Set(org.keys) == ["id", "name"])
        #expect(org["name"] as? String == "acme")
        let member = try await object(run("orgs", "add-member", "--org", "acme", "--user", "alice", "--roles", "organization-admin", "-o", "json"))
        #expect(Set(member.keys) == ["organization_id", "user_id", "roles"])
        #expect(member["organization_id"] as? String == org["id"] as? String)
        #expect(member["user_id"] as? String == alice["id"] as? String)
        #expect(member["roles"] as? [String] == ["organization-admin"])
        _ = try await run("users", "create", "--username", "bob")
        let byID = try await object(run("orgs", "add-member", "--org", org["id"] as! String, "--user", "bob", "-o", "json"))
        #expect(byID["roles"] as? [String] == [])
    }

    @Test func templatesPushCreatesThenVersionsAndLists() async throws {
        let file = dir.url.appendingPathComponent("manifest.json")
        try ManifestTests.valid.write(to: file, atomically: true, encoding: .utf8)
        let first = try await object(run("templates", "push", file.path, "-o", "json"))
        #expect(Set(first.keys) == ["template_id", "template_version_id", "name"])
        #expect(first["name"] as? String == "claude-code")
        let second = try await object(run("templates", "push", file.path, "-o", "json"))
        #expect(second["template_id"] as? String == first["template_id"] as? String)
        #expect(second["template_version_id"] as? String != first["template_version_id"] as? String)

        let list = try await #require(try run("templates", "list", "-o", "json").json() as? [[String: Any]])
        #expect(list.count == 1)
        #expect(Set(list[0].keys) == ["id", "name", "organization_id", "active_version_id", "has_ai_task"])
        #expect(list[0]["active_version_id"] as? String == second["template_version_id"] as? String)
        #expect(list[0]["has_ai_task"] as? Bool == true)

        _ = try await run("orgs", "create", "acme")
        let other = try await object(run("templates", "push", "--org", "acme", file.path, "-o", "json"))
        #expect(other["template_id"] as? String != first["template_id"] as? String)
    }

    @Test func templatesPushNamesTheBadField() async throws {
        let file = dir.url.appendingPathComponent("bad.json")
        try #"{"name":"x","ai_task":{"app":"missing"}}"#.write(to: file, atomically: true, encoding: .utf8)
        let result = try await run("templates", "push", file.path)
        #expect(result.status != 0)
        #expect(result.stderr.contains("ai_task.app"), "\(result.stderr)")
        #expect(try dir.openDatabase().listTemplates().isEmpty)
    }
}
