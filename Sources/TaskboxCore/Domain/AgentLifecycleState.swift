/// A workspace agent's lifecycle (Coder's `WorkspaceAgentLifecycle`). The raw values are the
/// CHECK values of `workspace_agents.lifecycle_state` (schema.sql).
public enum AgentLifecycleState: String, Sendable, CaseIterable, Codable {
    case created
    case starting
    case startTimeout = "start_timeout"
    case startError = "start_error"
    case ready
    case shuttingDown = "shutting_down"
    case shutdownTimeout = "shutdown_timeout"
    case shutdownError = "shutdown_error"
    case off
}
