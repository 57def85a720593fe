import Foundation
import Hummingbird

/// `GET /api/v2/tasks/watch?q=` (issue #17): a `task` event for every task the caller can read
/// that matches `q` (the list's search grammar), first all of them, then each one whose status
/// or current state changes; `deleted` {id} when one leaves the set. The list is re-read after
/// each task change taskbox commits (changes while a client is slow collapse into one), so a
/// slow client holds only its own connection. Ids count this connection's events; a reconnect
/// starts over with the whole set (taskbox decision: no resume for the list stream).
extension TaskWatchController {
    @Sendable func watchAll(_ request: Request, context: AppRequestContext) async throws -> Response {
        let store = try context.store(layer)
        let filter = try await TasksV2Controller.filter(request.goQuery.first("q"), store)
        let changes = self.changes
        let keepAlive = options.keepAlive
        let (feedID, signals) = changes.listen()
        return Self.eventStream(request) { write in
            // `true`: re-read the list; `false`: a keep-alive comment. Both producers are
            // children of this stream's body and end with it.
            let (ticks, tick) = AsyncStream.makeStream(of: Bool.self, bufferingPolicy: .bufferingNewest(2))
            try await withThrowingDiscardingTaskGroup { group in
                group.addTask {
                    for await _ in signals { tick.yield(true) }
                    tick.finish()
                }
                group.addTask {
                    while !Task.isCancelled {
                        try? await Task.sleep(for: keepAlive)
                        tick.yield(false)
                    }
                }
                var sent: [String: TaskResponse] = [:]
                var seq = 0
                func scan() async throws {
                    let (rows, _) = try await store.tasks(filter: filter, pagination: nil)
                    let tasks = try await store.responses(rows)
                    for task in tasks {
                        let before = sent[task.id]
                        guard before?.status != task.status || before?.current_state != task.current_state else { continue }
                        sent[task.id] = task
                        seq += 1
                        try await write([WatchFrame(id: String(seq), event: "task", task)])
                    }
                    let present = Set(tasks.map(\.id))
                    for id in sent.keys.sorted() where !present.contains(id) {
                        sent.removeValue(forKey: id)
                        seq += 1
                        try await write([WatchFrame(id: String(seq), event: "deleted", TaskWatchHub.TaskGone(id: id))])
                    }
                }
                try await scan()
                for await rescan in ticks {
                    if rescan { try await scan() } else { try await write([.keepAlive]) }
                }
                group.cancelAll()
            }
        } onEnd: {
            changes.stopListening(feedID)
        } onShutdown: {
            // Ends `signals`, hence `ticks`, hence the body.
            changes.stopListening(feedID)
        }
    }
}
