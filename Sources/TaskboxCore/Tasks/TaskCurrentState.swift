/// A task's `current_state` (tasks-v2.md §2.3): the agent's latest report, or while the task
/// initializes a synthetic `working` entry that says what it waits for.
enum TaskCurrentState {
    static func derive(
        appStatus: WorkspaceView.AppStatus?, latestBuild: WorkspaceView.Build?, status: TaskStatus,
        agentLifecycle: AgentLifecycleState?, appHealth: AppHealth?
    ) -> TaskStateEntry? {
        if let s = appStatus, latestBuild.map({ $0.transition != .start || s.createdAt > $0.createdAt }) ?? true {
            return TaskStateEntry(
                timestamp: s.createdAt, state: s.state == .failure ? "failed" : s.state.rawValue, message: s.message, uri: s.uri ?? "")
        }
        guard status == .initializing, let build = latestBuild else { return nil }
        let message: String =
            switch (build.status, agentLifecycle) {
            case (.pending, _): "Workspace is pending"
            case (.starting, _): "Workspace is starting"
            case (_, .created?): "Agent is connecting"
            case (_, .starting?): "Agent is starting"
            case (_, .ready?): appHealth == .initializing ? "App is initializing" : "Initializing workspace applications"
            case (_, _?): "Initializing workspace agent"
            case (_, nil): "Initializing workspace"
            }
        return TaskStateEntry(timestamp: build.createdAt, state: "working", message: message, uri: "")
    }
}
