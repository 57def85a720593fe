import Foundation
import Logging

/// The live events of one task (issue #17), shared by all its watchers: `task` when the
/// task's status or current state changes (re-read after every task change taskbox commits),
/// `log` when an entry of the agent's conversation appears or grows (from one subscription to
/// the agent's `/events`, held while the task is active and someone watches).
///
/// Events are numbered; the last `replay` are kept so a watcher that reconnects with
/// `Last-Event-ID` gets exactly what it missed. A watcher whose buffer fills is cut off.
///
/// The hub's lasting work (following the feed, the keep-alive, the agent subscription, the
/// wait after the last watcher left) runs as children of one task, the hub's life, which
/// `stop()` cancels. That one task is unstructured on purpose: a hub outlives the request of
/// the watcher that started it.
actor TaskWatchHub {
    struct Watcher {
        var continuation: AsyncStream<[WatchFrame]>.Continuation
        var cutOff: @Sendable () -> Void
    }

    /// A watcher's side: its frames, and the handle to leave.
    struct Attachment: Sendable {
        var id: Int
        /// The backlog arrives as one element (written in few large writes), live events one by one.
        var frames: AsyncStream<[WatchFrame]>
        var hub: TaskWatchHub
        fileprivate var continuation: AsyncStream<[WatchFrame]>.Continuation

        /// Ends `frames` now, from anywhere; leaving the hub is still `hub.detach(id)`.
        func end() { continuation.finish() }
    }

    let taskID: String
    let store: SystemStore<WatchHubRole>
    let changes: TaskChangeFeed
    let options: TaskWatchOptions
    let logger: Logger
    let epoch = String(UInt32.random(in: 0...UInt32.max), radix: 36)
    private let onIdle: @Sendable (TaskWatchHub) async -> Void

    private var seq = 0
    private var ring: [(seq: Int, frame: WatchFrame)] = []
    private var watchers: [Int: Watcher] = [:]
    private var nextWatcher = 0
    private var task: TaskResponse?
    private var messages: [Int64: AgentMessage] = [:]
    /// The newest `event:`/`data:` text of the task and of each log entry, shared by every
    /// watcher that starts from the current state (no copy per watcher).
    private var taskBody = ""
    private var logBodies: [Int64: String] = [:]
    private var upstream: (key: String, stop: StopSignal)?
    private var feedID: Int?
    private(set) var stopped = false
    private var idleSince: ContinuousClock.Instant?

    init(taskID: String, store: SystemStore<WatchHubRole>, changes: TaskChangeFeed, options: TaskWatchOptions, logger: Logger,
         onIdle: @escaping @Sendable (TaskWatchHub) async -> Void) {
        self.taskID = taskID
        self.store = store
        self.changes = changes
        self.options = options
        self.logger = logger
        self.onIdle = onIdle
    }

    /// The hub's lasting work, children of `life`.
    private let children = ChildTaskQueue()
    private var life: Task<Void, Never>?
    /// A one-time start that concurrent first watchers all await; short-lived, so an
    /// unstructured task is the simplest shared future.
    private var starting: Task<Void, Never>?

    /// Starts the hub once; concurrent first watchers all wait for the same start.
    func ensureStarted() async {
        if starting == nil { starting = Task { await self.start() } }
        await starting?.value
    }

    /// Reads the task, then follows its changes and ticks the keep-alive.
    private func start() async {
        await refresh()
        guard !stopped else { return }
        let (id, signals) = changes.listen()
        feedID = id
        life = Task { [children] in await children.run() }
        children.add {
            for await _ in signals { await self.refresh() }
        }
        let keepAlive = options.keepAlive
        children.add {
            while !Task.isCancelled {
                try? await Task.sleep(for: keepAlive)
                await self.broadcast(WatchFrame.keepAlive)
            }
        }
    }

    // MARK: Watchers

    /// Joins: after `after` (a `Last-Event-ID`) the missed events when the hub still has them,
    /// otherwise the current state (the task, then every log entry) marked with the newest id.
    /// Nil once the hub stopped.
    func attach(after: String?, cutOff: @escaping @Sendable () -> Void) -> Attachment? {
        guard !stopped else { return nil }
        var backlog: [WatchFrame] = []
        if let after = after.flatMap(WatchEventID.init), after.epoch == epoch, after.seq <= seq,
           after.seq >= (ring.first?.seq ?? seq + 1) - 1 {
            backlog = ring.filter { $0.seq > after.seq }.map(\.frame)
        } else {
            backlog = currentState()
        }
        let (frames, continuation) = AsyncStream.makeStream(
            of: [WatchFrame].self, bufferingPolicy: .bufferingOldest(options.watcherBuffer + 1))
        if !backlog.isEmpty { continuation.yield(backlog) }
        if task == nil { continuation.finish() }
        let id = nextWatcher
        nextWatcher += 1
        watchers[id] = Watcher(continuation: continuation, cutOff: cutOff)
        idleSince = nil
        return Attachment(id: id, frames: frames, hub: self, continuation: continuation)
    }

    func detach(_ id: Int) {
        watchers.removeValue(forKey: id)?.continuation.finish()
        guard watchers.isEmpty, !stopped else { return }
        let since = ContinuousClock.now
        idleSince = since
        let linger = options.linger
        children.add {
            try? await Task.sleep(for: linger)
            if !Task.isCancelled { await self.stopIfStillIdle(since: since) }
        }
    }

    var watcherCount: Int { watchers.count }

    private func stopIfStillIdle(since: ContinuousClock.Instant) async {
        guard idleSince == since, watchers.isEmpty else { return }
        stop()
        await onIdle(self)
    }

    func stop() {
        guard !stopped else { return }
        stopped = true
        if let feedID { changes.stopListening(feedID) }
        children.finish()
        life?.cancel()
        upstream = nil
        for watcher in watchers.values { watcher.continuation.finish() }
        watchers.removeAll()
    }

    /// The state a new watcher starts from, every frame with the newest id.
    private func currentState() -> [WatchFrame] {
        guard task != nil else { return [] }
        let id = WatchEventID(epoch: epoch, seq: seq).text
        return [WatchFrame(id: id, body: taskBody)] + logBodies.keys.sorted().map { WatchFrame(id: id, body: logBodies[$0]!) }
    }

    // MARK: Events

    @discardableResult
    private func publish(_ event: String, _ data: some JSONWritable) -> String {
        seq += 1
        let frame = WatchFrame(id: WatchEventID(epoch: epoch, seq: seq).text, body: WatchFrame.body(event, data))
        ring.append((seq, frame))
        if ring.count > options.replay { ring.removeFirst(ring.count - options.replay) }
        broadcast(frame)
        return frame.body
    }

    private func broadcast(_ frame: WatchFrame) {
        for (id, watcher) in watchers {
            if case .dropped = watcher.continuation.yield([frame]) {
                // Too far behind: cut off; it resumes with its Last-Event-ID.
                logger.info("watcher too far behind, disconnected", metadata: ["task": .string(taskID)])
                watchers.removeValue(forKey: id)
                watcher.continuation.finish()
                watcher.cutOff()
            }
        }
    }


    /// Re-reads the task: a `task` event when its status or current state changed, the agent
    /// subscription started or stopped with the task's activity, the end when it is gone.
    func refresh() async {
        guard !stopped else { return }
        let row: TaskRow?
        var workspace: WorkspaceView?
        do {
            row = try await store.task(id: taskID)
            if let id = row?.workspaceID { workspace = try await store.workspaceView(id: id) }
        } catch {
            logger.error("watch cannot read the task", metadata: ["task": .string(taskID), "error": "\(error)"])
            return
        }
        guard !stopped else { return }
        guard let row else {
            // Deleted: the stream says so and ends.
            if task != nil { publish("deleted", TaskGone(id: taskID)) }
            task = nil
            stop()
            await onIdle(self)
            return
        }
        let response = row.response(workspace: workspace)
        if task?.status != response.status || task?.current_state != response.current_state {
            task = response
            taskBody = publish("task", response)
        }
        await followAgent(row)
    }

    private func followAgent(_ row: TaskRow) async {
        var client: AgentAPIClient?
        if row.status == .active, let appID = row.appID, let app = try? await store.sidebarApp(appID: appID) {
            client = try? TaskAppConversation.client(for: app, urlMissingMessage: "")
        }
        guard let client else {
            upstream?.stop.stop()
            upstream = nil
            return
        }
        let key = client.baseURL + " " + (client.token ?? "")
        if upstream?.key == key { return }
        upstream?.stop.stop()
        let stop = StopSignal()
        upstream = (key, stop)
        children.add { await stop.run { await self.subscribe(client) } }
    }

    /// The agent's events while the task is active, as a child of `life`; a lost
    /// subscription is taken again after a second.
    private nonisolated func subscribe(_ client: AgentAPIClient) async {
        while !Task.isCancelled {
            logger.notice("watch: subscribing to the agent's events", metadata: ["task": .string(taskID)])
            do {
                try await AgentEventSubscription(client: client).run { event in await self.agentEvent(event) }
            } catch {
                logger.info("watch: agent events ended", metadata: ["task": .string(taskID), "error": "\(error)"])
            }
            try? await Task.sleep(for: .seconds(1))
        }
    }

    /// A message the conversation does not have yet (or has with other content) is a `log` event.
    private func agentEvent(_ event: AgentStreamEvent) {
        guard !stopped, case .message(let message) = event, message.role == "user" || message.role == "agent" else { return }
        if messages[message.id] == message { return }
        messages[message.id] = message
        logBodies[message.id] = publish("log", TaskLogEntry(message: message))
    }

    /// `{"id"}` of a task that was deleted.
    struct TaskGone: JSONWritable {
        var id: String
        func write(to json: inout JSONWriter) {
            json.beginObject()
            json.field("id", id)
            json.endObject()
        }
    }
}
