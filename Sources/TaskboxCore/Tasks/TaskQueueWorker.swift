import Logging
import ServiceLifecycle

/// Delivers queued follow-up inputs (issue #17, `serve`): per task one at a time in queue
/// order, and only to an agent whose `/status` is `stable`, so each input starts its own turn
/// after the previous one ended. Woken by every task change this process commits (an agent's
/// idle report, a task becoming active, a new entry); a poll catches agents that turn idle
/// without telling taskbox. An entry leaves the queue once the agent accepted it; one whose
/// send was cut short by a crash is sent again after the restart (at least once).
public actor TaskQueueWorker: Service {
    let store: SystemStore<FollowUpQueueRole>
    let changes: TaskChangeFeed
    let logger: Logger
    let pollInterval: Duration
    private var inFlight: Set<String> = []  // task ids
    private let wakeLoop = WakeLoop()

    public init(store: SystemStore<FollowUpQueueRole>, changes: TaskChangeFeed, logger: Logger, pollInterval: Duration = .seconds(1)) {
        self.store = store
        self.changes = changes
        self.logger = logger
        self.pollInterval = pollInterval
    }

    public nonisolated func wake() { wakeLoop.wake() }

    /// Sends run as children of the loop's task group. Graceful shutdown cuts a send short (an
    /// agent may take its request timeout to answer): the entry stays queued for the next start.
    public func run() async throws {
        let (id, signals) = changes.listen()
        await withDiscardingTaskGroup { group in
            group.addTask { [wakeLoop] in
                for await _ in signals { wakeLoop.wake() }
            }
            await wakeLoop.run(pollInterval: pollInterval, dispatch: { claims in await self.dispatch(to: claims) }) { head in
                await cancelWhenGracefulShutdown { await self.deliver(head) }
                await self.finished(head.taskID)
            }
            // Ends the forwarding child.
            changes.stopListening(id)
        }
    }

    private func dispatch(to claims: AsyncStream<QueuedInput>.Continuation) async {
        let heads: [QueuedInput]
        do {
            heads = try await store.queueHeads()
        } catch {
            logger.error("cannot read the follow-up queue", metadata: ["error": "\(error)"])
            return
        }
        for head in heads where !inFlight.contains(head.taskID) {
            inFlight.insert(head.taskID)
            claims.yield(head)
        }
    }

    private func finished(_ taskID: String) {
        inFlight.remove(taskID)
    }

    /// Sends the head of a task's queue if its agent can take it now.
    nonisolated func deliver(_ head: QueuedInput) async {
        do {
            guard let task = try await store.task(id: head.taskID), task.status == .active, let appID = task.appID,
                  let app = try await store.sidebarApp(appID: appID)
            else { return }
            let client = try TaskAppConversation.client(for: app, urlMissingMessage: "Task app URL is not configured.")
            try await TaskAppConversation.send(head.input, via: client, busyStatus: 409)
            try await store.markDelivered(head)
        } catch let error as APIError where error.status == 409 || error.status == 502 && error.detail?.contains("agent") == true {
            // Busy, or its agent not connected yet: the next change or poll tries again.
        } catch where Task.isCancelled {
            // Cut short by shutdown: not a failure of the entry, which is sent again after the restart.
        } catch {
            let text = (error as? APIError).map { [$0.message, $0.detail].compactMap { $0 }.joined(separator: ": ") } ?? "\(error)"
            logger.warning("queued input not delivered", metadata: ["task": .string(head.taskID), "error": .string(text)])
            do {
                try await store.recordFailure(of: head, error: text)
            } catch let failure {
                logger.error("cannot record a queued input's failure", metadata: ["task": .string(head.taskID), "error": "\(failure)"])
            }
        }
    }
}
