import GRDB
import Synchronization

/// Read-only connections for short reads on the calling thread (`AppDatabase.quickRead`).
/// A read takes a free connection without waiting: when none is free it is not run here.
/// Never waiting is the point. A thread of Swift's cooperative pool that blocked on a busy
/// reader could deadlock the server: the pool's own readers are released by tasks that
/// need a cooperative thread to resume (seen with 100 watchers on 2 cores).
final class QuickReaders: Sendable {
    private let free: Mutex<[DatabaseQueue]>

    init(path: String, count: Int) throws {
        var config = Configuration()
        config.readonly = true
        config.busyMode = .timeout(10)
        config.prepareDatabase { db in try db.execute(sql: "PRAGMA cache_size = -4096") }
        free = Mutex(try (0..<count).map { _ in try DatabaseQueue(path: path, configuration: config) })
    }

    /// Runs `body` on a free connection, on this thread; nil when every connection is busy.
    func tryRead<T>(transaction: Bool, _ body: (Database) throws -> T) throws -> T? {
        guard let queue = free.withLock({ $0.popLast() }) else { return nil }
        defer { free.withLock { $0.append(queue) } }
        return transaction ? try queue.read(body) : try queue.inDatabase(body)
    }
}
