import Logging

/// The watch hubs of a server, one per watched task: created by the first watcher, stopped
/// a while after the last one left (`TaskWatchOptions.linger`) or when the task is deleted.
public actor TaskWatchHubs {
    let database: AppDatabase
    let changes: TaskChangeFeed
    let options: TaskWatchOptions
    let logger: Logger
    private var hubs: [String: TaskWatchHub] = [:]

    public init(database: AppDatabase, changes: TaskChangeFeed, options: TaskWatchOptions = TaskWatchOptions(),
                logger: Logger = Logger(label: "taskbox-watch")) {
        self.database = database
        self.changes = changes
        self.options = options
        self.logger = logger
    }

    func attach(taskID: String, after: String?, cutOff: @escaping @Sendable () -> Void) async -> TaskWatchHub.Attachment? {
        for _ in 0..<3 {
            let hub: TaskWatchHub
            if let existing = hubs[taskID] {
                hub = existing
            } else {
                hub = TaskWatchHub(taskID: taskID, database: database, changes: changes, options: options, logger: logger) { hub in
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
