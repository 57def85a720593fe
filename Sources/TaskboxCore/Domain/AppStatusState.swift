/// The state an agent reports of its app (tasks-api.md §8.1, Coder's
/// `WorkspaceAppStatusState`). The raw values are the CHECK values of
/// `workspace_app_statuses.state` (schema.sql).
public enum AppStatusState: String, Sendable, CaseIterable, Codable {
    case working, idle, complete, failure
}
