import GRDB
import Synchronization

/// "Some task may have changed": signalled after every commit of this process that touches a
/// table a task's status, current state or queue is made of (issue #17). Watch hubs and the
/// follow-up worker listen to it instead of polling the database; each re-reads what it cares
/// about. Writes of other processes (an admin command) are not seen; the worker's poll
/// catches those.
///
/// It is not the other task-change hook, `AppDatabase.recordTaskEvent`, and cannot replace it
/// (nor be derived from it): that one is a durable, typed event (created, paused, working…),
/// written in the transaction of the change by the change site that knows its meaning, and
/// delivered at least once, also after a crash. This one is a lossy wake-up without content:
/// signals collapse, and a listener re-reads the state. Nor does `workspaces.row_version`
/// (migration 0007) cover the tables below: its triggers follow what a workspace row shows,
/// not the task rows, their app bindings, their queues or the app's health, which a task's
/// status also depends on; `workspaces` is tracked, so a change its triggers see wakes too.
public final class TaskChangeFeed: Sendable {
    /// `task_workspace_apps` is WITHOUT ROWID, hence `TableCommitObserver`.
    static let trackedTables: Set<String> = [
        "tasks", "task_workspace_apps", "task_queued_inputs", "workspace_builds", "provisioner_jobs",
        "workspace_apps", "workspace_app_statuses", "workspaces",
    ]

    private struct State {
        var next = 0
        var listeners: [Int: AsyncStream<Void>.Continuation] = [:]
    }

    private let state = Mutex(State())
    private let observation: Mutex<AnyDatabaseCancellable?> = Mutex(nil)

    public init(database: AppDatabase) {
        let cancellable = database.observeCommits(touching: Self.trackedTables) { [weak self] in self?.signal() }
        observation.withLock { $0 = cancellable }
    }

    deinit { observation.withLock { $0?.cancel() } }

    /// A stream that yields after each change (changes while the listener is busy collapse into one).
    public func listen() -> (id: Int, changes: AsyncStream<Void>) {
        let (stream, continuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        let id = state.withLock { state in
            let id = state.next
            state.next += 1
            state.listeners[id] = continuation
            return id
        }
        return (id, stream)
    }

    public func stopListening(_ id: Int) {
        state.withLock { $0.listeners.removeValue(forKey: id) }?.finish()
    }

    public func signal() {
        for listener in state.withLock({ Array($0.listeners.values) }) { listener.yield() }
    }
}
