import Foundation
import GRDB
import SQLiteConfig

/// Owns the SQLite file: the connection pool (WAL, one writer, parallel readers), the
/// migrator, and the application's reads and writes (in extensions, one per concept).
public struct AppDatabase: Sendable {
    /// Only the store reads and writes through it (a test checks that no file outside `Store/` does).
    let pool: DatabasePool
    public let path: String
    private let groupCommit: GroupCommit
    /// Key id → key and actor, for a moment (`ActorCache`).
    let actors: ActorCache
    /// Connections for `quickRead`.
    let quickReaders: QuickReaders
    /// Task rows of served pages, by `row_version` (`TaskRowCache`).
    let taskRows: TaskRowCache

    /// Opens (creating with mode 0600 if needed) and migrates the database at `path`.
    /// `taskRowMaximumAge`: how long a kept task row is served (`TaskRowCache`; tests shorten it).
    public init(path: String, taskRowMaximumAge: Duration = .seconds(20)) throws {
        _ = Self.sqliteConfigured
        self.path = path
        taskRows = TaskRowCache(maximumAge: taskRowMaximumAge)
        try Self.createPrivateFile(at: path)
        var config = Configuration()
        config.foreignKeysEnabled = true
        // Another process (an admin command while `serve` runs) may hold the write lock.
        config.busyMode = .timeout(10)
        // Readers beyond the cores only add memory (each keeps its own page cache).
        config.maximumReaderCount = 4
        config.prepareDatabase { db in
            // FULL makes every acknowledged commit survive a power cut (README, "Durability").
            try db.execute(sql: "PRAGMA synchronous = FULL")
            // 4 MiB of page cache per connection (SQLite's default is 2 MiB): one owner's list
            // pages stay in memory across requests, and RSS stays bounded (BENCHMARKS.md).
            try db.execute(sql: "PRAGMA cache_size = -4096")
        }
        pool = try DatabasePool(path: path, configuration: config)
        try pool.writeWithoutTransaction { db in try Self.configureWriter(db) }
        groupCommit = GroupCommit(pool: pool)
        actors = ActorCache(databasePath: path)
        quickReaders = try QuickReaders(path: path, count: 2)
        try Migrations.migrator.migrate(pool)
        pool.add(transactionObserver: TableCommitObserver(tables: ActorCache.tables) { [actors] in
            actors.invalidateAll()
            actors.touchStamp()
        }, extent: .databaseLifetime)
    }

    /// A write of the application, in a transaction shared with the writes that wait at the
    /// same moment (group commit, `GroupCommit`): one fsync for all of them.
    func write<T: Sendable>(_ updates: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await groupCommit.write(updates)
    }

    /// A short read on the calling thread. An async `pool.read` moves to a reader's queue and
    /// back: two thread switches, which cost more than an index lookup or a 25-row page
    /// (issue #19's profile of get: a third of serve's time in the kernel switching threads).
    /// It runs on a free connection of `quickReaders` when there is one, and never waits for
    /// one (`QuickReaders` says why); otherwise it is an ordinary async read.
    /// With `statement`, no BEGIN/COMMIT around the body (they cost as much as the query in a
    /// get): each SELECT reads its own snapshot, so the body must not need two to agree.
    func quickRead<T: Sendable>(statement: Bool = false, _ body: @escaping @Sendable (Database) throws -> T) async throws -> T {
        if let value = try quickReaders.tryRead(transaction: !statement, body) { return value }
        return statement ? try await pool.unsafeRead(body) : try await pool.read(body)
    }

    /// Identifiers of the migrations applied to this file, in order.
    public func appliedMigrations() throws -> [String] {
        try pool.read { db in try Migrations.migrator.appliedMigrations(db) }
    }

    /// The writer's settings, made after the pool's set-up. `synchronous = FULL` again: GRDB
    /// puts the writer in WAL mode after `prepareDatabase` and sets `synchronous = NORMAL`
    /// there, which leaves a commit unsynced until the next checkpoint.
    /// A checkpoint every 10,000 WAL pages (40 MB) rather than 1,000, so pages that many
    /// commits change (index edges, totals) are copied into the file once, not every other
    /// commit. A commit is still on disk in the WAL before it is answered (BENCHMARKS.md,
    /// creates session 6).
    static func configureWriter(_ db: Database) throws {
        try db.execute(sql: "PRAGMA synchronous = FULL")
        try db.execute(sql: "PRAGMA wal_autocheckpoint = \(walAutocheckpointPages)")
    }

    static let walAutocheckpointPages = 10_000

    /// Process-wide SQLite settings, made once before the first connection opens: no memory
    /// statistics, whose global mutex every allocation of every connection took (BENCHMARKS.md,
    /// creates session 6). A test or tool that opened SQLite earlier keeps the defaults.
    private static let sqliteConfigured: Bool = taskbox_sqlite_disable_memstatus() == 0

    private static func createPrivateFile(at path: String) throws {
        let fd = open(path, O_CREAT | O_RDWR | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            throw StoreError.invalid("cannot open database file \(path): \(String(cString: strerror(errno)))")
        }
        close(fd)
    }
}

/// Errors of the store that are about the request, not the machine: the caller turns them
/// into a command-line message or an HTTP status.
public enum StoreError: Error, Equatable, Sendable, CustomStringConvertible {
    case notFound(String)
    case conflict(String)
    case invalid(String)

    public var description: String {
        switch self {
        case .notFound(let m), .conflict(let m), .invalid(let m): m
        }
    }
}
