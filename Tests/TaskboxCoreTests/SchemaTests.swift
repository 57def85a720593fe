import Foundation
import GRDB
import Testing
@testable import TaskboxCore

@Suite struct SchemaTests {
    @Test func embeddedSchemaIsIdenticalToSchemaSQL() throws {
        let file = try String(contentsOf: Paths.repoRoot.appendingPathComponent("schema.sql"), encoding: .utf8)
        // The generator wraps the file in a raw string literal, whose last newline is dropped.
        #expect(Schema.sql + "\n" == file, "run scripts/embed-schema after editing schema.sql")
    }

    @Test func embeddedMigrationsAreIdenticalToTheFiles() throws {
        let dir = Paths.repoRoot.appendingPathComponent("migrations")
        let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".sql") }.sorted()
        #expect(Schema.migrations.map { $0.name + ".sql" } == files, "run scripts/embed-schema after adding a migration")
        for (migration, file) in zip(Schema.migrations, files) {
            let text = try String(contentsOf: dir.appendingPathComponent(file), encoding: .utf8)
            #expect(migration.sql + "\n" == text, "run scripts/embed-schema after editing \(file)")
        }
    }

    static let allMigrations = ["v1-schema", "0002-list-order", "0003-v2-tasks", "0004-webhooks", "0005-task-queue", "0006-list-rows", "0007-task-row-versions", "0008-heartbeat-rows"]

    @Test func newFileGetsSchemaWALForeignKeysAndDefaultOrganization() throws {
        let dir = TestDirectory()
        let db = try dir.openDatabase()
        #expect(try db.appliedMigrations() == Self.allMigrations)
        try db.pool.read { db in
            let tables = try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
            for table in ["users", "user_site_roles", "organizations", "organization_members", "organization_member_roles",
                          "api_keys", "templates", "template_versions", "template_version_parameters",
                          "template_version_presets", "template_version_preset_parameters", "workspaces",
                          "workspace_builds", "provisioner_jobs", "workspace_build_parameters", "workspace_resources",
                          "workspace_agents", "workspace_apps", "workspace_app_statuses", "notifications", "audit_logs",
                          "tasks", "task_workspace_apps", "task_snapshots",
                          "webhook_subscriptions", "webhook_events", "webhook_deliveries", "webhook_attempts"] {
                #expect(tables.contains(table), "missing table \(table)")
            }
            #expect(try String.fetchOne(db, sql: "PRAGMA journal_mode") == "wal")
            #expect(try Int.fetchOne(db, sql: "PRAGMA foreign_keys") == 1)
            #expect(try Int.fetchOne(db, sql: "PRAGMA synchronous") == 2)
            #expect(try String.fetchAll(db, sql: "SELECT name FROM organizations WHERE is_default = 1") == ["coder"])
        }
        let mode = try FileManager.default.attributesOfItem(atPath: dir.dbPath)[.posixPermissions] as? Int
        #expect(mode == 0o600)
    }

    @Test func reopeningAppliesNothingTwice() throws {
        let dir = TestDirectory()
        _ = try dir.openDatabase()
        let again = try dir.openDatabase()
        #expect(try again.appliedMigrations() == Self.allMigrations)
        #expect(try again.pool.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM organizations") } == 1)
    }

    @Test func jobStatusFollowsTheDerivationTable() throws {
        // tasks-api.md §7.1, one row per line of the table.
        let cases: [(started: Bool, canceled: Bool, completed: Bool, error: String?, status: String)] = [
            (true, false, true, "boom", "failed"), (true, true, true, nil, "canceled"), (true, false, true, nil, "succeeded"),
            (true, false, true, "", "succeeded"), (true, false, false, "boom", "failed"), (true, true, false, nil, "canceling"),
            (false, false, false, nil, "pending"), (true, false, false, nil, "running"),
        ]
        let dir = TestDirectory()
        let db = try dir.openDatabase()
        try db.pool.write { db in
            let org = try String.fetchOne(db, sql: "SELECT id FROM organizations")!
            for (i, c) in cases.enumerated() {
                let t = "2025-01-01T00:00:00.000000Z"
                try db.execute(
                    sql: """
                        INSERT INTO provisioner_jobs (id, type, organization_id, created_at, updated_at, started_at, canceled_at, completed_at, error)
                        VALUES (?, 'workspace_build', ?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: ["job-\(i)", org, t, t, c.started ? t : nil, c.canceled ? t : nil, c.completed ? t : nil, c.error])
                #expect(try String.fetchOne(db, sql: "SELECT job_status FROM provisioner_jobs WHERE id = ?", arguments: ["job-\(i)"]) == c.status)
            }
        }
    }
}
