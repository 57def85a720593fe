import Logging

/// The watch hubs of a server, one per watched task: created by the first watcher, stopped
/// a while after the last one left (`TaskWatchOptions.linger`) or when the task is deleted.
public actor TaskWatchHubs {
    let store: SystemStore<WatchHubRole>
    let changes: TaskChangeFeed
    let options: TaskWatchOptions
    let logger: Logger
    private var hubs: [String: TaskWatchHub] = [:]

    public init(store: SystemStore<WatchHubRole>, changes: TaskChangeFeed, options: TaskWatchOptions = TaskWatchOptions(),
                logger: Logger = Logger(label: "taskbox-watch")) {
        self.store = store
        self.changes = changes
        self.options = options
        self.logger = logger
    }

    /// Attaches a watcher to the task of `access`: only a route that authorized the caller for
    /// that task (`AuthorizedStore.appAccess`) has one, so no stream starts unchecked.
    func attach(_ access: TaskAppAccess, after: String?, cutOff: @escaping @Sendable () -> Void) async -> TaskWatchHub.Attachment? {
        let taskID = access.task.id
        for _ in 0..<3 {
            let hub: TaskWatchHub
            if let existing = hubs[taskID] {
                hub = existing
            } else {
                hub = TaskWatchHub(taskID: taskID, store: store, changes: changes, options: options, logger: logger) { hub in
                    await self.remove(hub)
                }
                hubs[taskID] = hub
            }
            await hub.ensureStarted()
            if let attachment = await hub.attach(after: after, cutOff: cutOff) { return attachment }
            remove(hub)
        }
        return nil
    }

    private func remove(_ hub: TaskWatchHub) {
        if hubs[hub.taskID] === hub { hubs.removeValue(forKey: hub.taskID) }
    }

    var count: Int { hubs.count }
}
