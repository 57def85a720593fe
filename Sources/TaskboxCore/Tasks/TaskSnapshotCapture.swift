import Logging

/// taskbox's own log snapshot (tasks-v2.md §11.4): before a stop job stops a task
/// workspace's processes, the conversation is read from the bound app and stored, so the
/// logs of a paused task show it. Best effort, as in Coder: a failure is logged and never
/// fails the stop.
public struct TaskSnapshotCapture: Sendable {
    let store: SystemStore<ProvisionerRole>
    let logger: Logger

    public init(store: SystemStore<ProvisionerRole>, logger: Logger) {
        self.store = store
        self.logger = logger
    }

    public func capture(workspaceID: String) async {
        do {
            guard let source = try await store.snapshotSource(workspaceID: workspaceID) else { return }
            let client = AgentAPIClient(baseURL: source.url, token: source.agentToken, connectTimeout: .seconds(2), requestTimeout: .seconds(5))
            let messages = try await client.messages()
            try await store.storeSnapshot(.bounded(messages), taskID: source.taskID)
        } catch {
            logger.warning("no log snapshot before stop", metadata: ["workspace": .string(workspaceID), "error": "\(error)"])
        }
    }
}
