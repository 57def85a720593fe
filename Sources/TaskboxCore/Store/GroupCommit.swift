import Foundation
import GRDB
import Synchronization

/// Group commit (issue 19): writes that arrive while a transaction is being committed wait
/// for the next one, and every write waiting then shares one transaction and one fsync.
///
/// Each write runs in its own savepoint inside the shared transaction, so a write that throws
/// is rolled back alone, exactly as when it had its own transaction; the others still commit.
/// No write's caller hears back before the transaction that holds it is on disk
/// (`synchronous=FULL`), so durability is that of one transaction per write. Writes are applied
/// in arrival order; a later write sees an earlier one's changes, as it would have after its
/// commit. If the commit itself fails, every write of the batch fails with that error.
final class GroupCommit: Sendable {
    private struct Entry: Sendable {
        /// Runs the write in a savepoint and keeps its outcome for `finish`.
        let apply: @Sendable (Database) -> Void
        /// Answers the caller: with the commit's error, or else with the write's own outcome.
        let finish: @Sendable ((any Error)?) -> Void
    }

    private struct Queue: ~Copyable {
        var waiting: [Entry] = []
        var committing = false
    }

    private let pool: DatabasePool
    private let maximumBatch: Int
    private let queue = Mutex(Queue())

    init(pool: DatabasePool, maximumBatch: Int = 256) {
        self.pool = pool
        self.maximumBatch = maximumBatch
    }

    func write<T: Sendable>(_ updates: @escaping @Sendable (Database) throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            let outcome = Outcome<T>()
            let entry = Entry(
                apply: { db in
                    do {
                        var value: T?
                        try db.inSavepoint {
                            value = try updates(db)
                            return .commit
                        }
                        outcome.result = .success(value!)
                    } catch {
                        outcome.result = .failure(error)
                    }
                },
                finish: { commitError in
                    if let commitError {
                        continuation.resume(throwing: commitError)
                    } else {
                        continuation.resume(with: outcome.result ?? .failure(CancellationError()))
                    }
                })
            let startCommitter = queue.withLock { queue -> Bool in
                queue.waiting.append(entry)
                guard !queue.committing else { return false }
                queue.committing = true
                return true
            }
            if startCommitter { scheduleCommit() }
        }
    }

    /// Commits one batch on the writer's own queue, then, if writes arrived meanwhile, queues
    /// the next batch behind whatever else waits for the writer (so other writes are not starved).
    private func commitWaiting(_ db: Database) {
        let batch = queue.withLock { queue -> [Entry] in
            let count = min(queue.waiting.count, maximumBatch)
            let batch = Array(queue.waiting.prefix(count))
            queue.waiting.removeFirst(count)
            return batch
        }
        var commitError: (any Error)?
        do {
            try db.inTransaction {
                for entry in batch { entry.apply(db) }
                return .commit
            }
        } catch {
            commitError = error
        }
        for entry in batch { entry.finish(commitError) }
        let more = queue.withLock { queue -> Bool in
            queue.committing = !queue.waiting.isEmpty
            return queue.committing
        }
        if more { scheduleCommit() }
    }

    private func scheduleCommit() {
        pool.asyncWriteWithoutTransaction { db in self.commitWaiting(db) }
    }
}

/// One write's outcome, set by `apply` on the writer and read by `finish` after the commit
/// (the commit orders the two, so no lock is needed).
private final class Outcome<T: Sendable>: @unchecked Sendable {
    var result: Result<T, any Error>?
}
