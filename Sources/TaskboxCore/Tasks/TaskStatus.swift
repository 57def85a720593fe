/// A task's status (tasks-v2.md §2.2). The raw values are what the view `tasks_with_status`
/// derives; `TaskRow.status` is read from it, so SQL and Swift share one derivation.
public enum TaskStatus: String, Sendable, CaseIterable, Codable {
    case pending, initializing, active, paused, unknown, error
}
