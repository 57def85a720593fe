import Foundation
import GRDB
import Testing
@testable import TaskboxCore

/// Group commit (issue 19) on a real SQLite file: concurrent writes share transactions, each
/// still succeeds or fails alone, and every answered write is on disk.
@Suite struct GroupCommitTests {
    /// Every commit is synced before it is answered: GRDB's pool set-up must not leave the
    /// writer at `synchronous = NORMAL` (2 is FULL).
    @Test func writerSyncsEveryCommit() async throws {
        let dir = TestDirectory()
        let database = try dir.openDatabase()
        let (synchronous, autocheckpoint) = try await database.pool.writeWithoutTransaction { db in
            (try Int.fetchOne(db, sql: "PRAGMA synchronous"), try Int.fetchOne(db, sql: "PRAGMA wal_autocheckpoint"))
        }
        #expect(synchronous == 2)
        #expect(autocheckpoint == AppDatabase.walAutocheckpointPages)
    }

    @Test func concurrentWritesAllLandAndShareTransactions() async throws {
        let dir = TestDirectory()
        let database = try dir.openDatabase()
        try await database.pool.write { db in
            try db.execute(sql: "CREATE TABLE gc_items (n INTEGER PRIMARY KEY)")
            try db.execute(sql: "CREATE TABLE gc_commits (k INTEGER PRIMARY KEY CHECK (k = 1), commits INTEGER NOT NULL)")
            try db.execute(sql: "INSERT INTO gc_commits VALUES (1, 0)")
        }
        // Counts commits as SQLite sees them.
        let counter = CommitCounter()
        database.pool.add(transactionObserver: counter, extent: .databaseLifetime)
        try await withThrowingTaskGroup(of: Int.self) { group in
            for n in 0..<400 {
                group.addTask {
                    try await database.write { db in
                        try db.execute(sql: "INSERT INTO gc_items VALUES (?)", arguments: [n])
                        return n
                    }
                }
            }
            var answered = Set<Int>()
            for try await n in group { answered.insert(n) }
            #expect(answered == Set(0..<400))
        }
        let count = try await database.pool.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM gc_items") }
        #expect(count == 400)
        // Reopening the file (another connection) sees every answered write.
        let reopened = try AppDatabase(path: dir.dbPath)
        #expect(try await reopened.pool.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM gc_items") } == 400)
        let commits = counter.commits
        #expect(commits >= 1 && commits < 400, "\(commits) commits for 400 concurrent writes")
    }

    @Test func aFailingWriteIsRolledBackAloneAndTheOthersCommit() async throws {
        let dir = TestDirectory()
        let database = try dir.openDatabase()
        try await database.pool.write { db in try db.execute(sql: "CREATE TABLE gc_items (n INTEGER PRIMARY KEY)") }
        struct Refused: Error {}
        let results = await withTaskGroup(of: (Int, Bool).self) { group in
            for n in 0..<100 {
                group.addTask {
                    do {
                        try await database.write { db in
                            try db.execute(sql: "INSERT INTO gc_items VALUES (?)", arguments: [n])
                            // Every third write fails after writing: its row must not stay.
                            if n % 3 == 0 { throw Refused() }
                        }
                        return (n, true)
                    } catch {
                        return (n, false)
                    }
                }
            }
            var results: [Int: Bool] = [:]
            for await (n, ok) in group { results[n] = ok }
            return results
        }
        let stored = try await database.pool.read { db in Set(try Int.fetchAll(db, sql: "SELECT n FROM gc_items")) }
        #expect(stored == Set((0..<100).filter { $0 % 3 != 0 }))
        #expect(results.filter(\.value).keys.sorted() == (0..<100).filter { $0 % 3 != 0 })
    }
}

private final class CommitCounter: TransactionObserver, @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    var commits: Int { lock.withLock { count } }
    func observes(eventsOfKind eventKind: DatabaseEventKind) -> Bool { true }
    func databaseDidChange(with event: DatabaseEvent) {}
    func databaseDidCommit(_ db: Database) { lock.withLock { count += 1 } }
    func databaseDidRollback(_ db: Database) {}
}
