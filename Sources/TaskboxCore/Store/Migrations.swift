import GRDB

/// Schema changes, in order. "v1-schema" is schema.sql plus the default organization;
/// every later change is a numbered file in `migrations/` (carried by the binary as
/// `Schema.migrations`, written by `scripts/embed-schema`), never edited once shipped.
enum Migrations {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-schema") { db in
            try db.execute(sql: Schema.sql)
            let now = Timestamp.now()
            try db.execute(
                sql: """
                    INSERT INTO organizations (id, name, display_name, description, is_default, created_at, updated_at)
                    VALUES (?, 'coder', 'Coder', 'The default organization.', 1, ?, ?)
                    """,
                arguments: [ID.new(), now, now])
        }
        for migration in Schema.migrations {
            migrator.registerMigration(migration.name) { db in try db.execute(sql: migration.sql) }
        }
        return migrator
    }

    /// The identifiers of all migrations this binary knows, in order.
    static var knownVersions: [String] { migrator.migrations }
}
