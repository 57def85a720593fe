/// What a workspace build does (Coder's `WorkspaceTransition`). The raw values are the CHECK
/// values of `workspace_builds.transition` and `workspace_resources.transition` (schema.sql).
public enum WorkspaceTransition: String, Sendable, CaseIterable, Codable {
    case start, stop, delete
}
