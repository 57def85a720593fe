/// A workspace app's health (Coder's `WorkspaceAppHealth`, taskbox.md §5). The raw values
/// are the CHECK values of `workspace_apps.health` (schema.sql).
public enum AppHealth: String, Sendable, CaseIterable, Codable {
    /// The app has no healthcheck.
    case disabled
    /// Its healthcheck has not answered yet.
    case initializing
    case healthy
    case unhealthy
}
