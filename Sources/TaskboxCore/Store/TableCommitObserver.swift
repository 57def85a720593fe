import GRDB
import Synchronization

/// Calls `onCommit` after each commit of a transaction that wrote one of `tables` (in this
/// process, on the writer's queue). GRDB's `DatabaseRegionObservation` relies on SQLite's row
/// events, and SQLite reports none for WITHOUT ROWID tables (`task_workspace_apps`, the role
/// and membership tables): this observer instead marks the transaction when GRDB asks whether
/// it observes a statement about to write one of the tables (what SQLite's authorizer saw
/// the statement and its triggers write). A rollback forgets the mark.
final class TableCommitObserver: TransactionObserver, @unchecked Sendable {
    let tables: Set<String>
    private let onCommit: @Sendable () -> Void
    /// Touched only on the writer's queue (GRDB calls observers there).
    private var changed = false

    init(tables: Set<String>, onCommit: @escaping @Sendable () -> Void) {
        self.tables = tables
        self.onCommit = onCommit
    }

    /// No row events are wanted (the mark is all that counts), so GRDB is told "no" and spares
    /// itself building them.
    func observes(eventsOfKind eventKind: DatabaseEventKind) -> Bool {
        if tables.contains(eventKind.tableName) { changed = true }
        return false
    }

    func databaseDidChange(with event: DatabaseEvent) {}

    func databaseDidCommit(_ db: Database) {
        guard changed else { return }
        changed = false
        onCommit()
    }

    func databaseDidRollback(_ db: Database) { changed = false }
}

extension AppDatabase {
    /// Calls `onCommit` after each commit of this process that wrote one of `tables`, until the
    /// returned cancellable is cancelled or released.
    func observeCommits(touching tables: Set<String>, _ onCommit: @escaping @Sendable () -> Void) -> AnyDatabaseCancellable {
        let observer = TableCommitObserver(tables: tables, onCommit: onCommit)
        // The pool holds it weakly (`.observerLifetime`): releasing it ends the observation
        // without waiting for the writer.
        pool.add(transactionObserver: observer, extent: .observerLifetime)
        let held = Mutex<TableCommitObserver?>(observer)
        return AnyDatabaseCancellable { held.withLock { $0 = nil } }
    }
}
