/// A workspace's status (tasks-api.md §7.2, Coder's `WorkspaceStatus`): its latest build's
/// job status read with its transition. The raw values are what the list-key triggers of
/// schema.sql write to `workspaces.list_status`.
public enum WorkspaceStatus: String, Sendable, CaseIterable, Codable {
    case pending, starting, running, stopping, stopped, failed, canceling, canceled, deleting, deleted

    public init(job: ProvisionerJobStatus, transition: WorkspaceTransition) {
        self =
            switch (job, transition) {
            case (.pending, _): .pending
            case (.running, .start): .starting
            case (.running, .stop): .stopping
            case (.running, .delete): .deleting
            case (.succeeded, .start): .running
            case (.succeeded, .stop): .stopped
            case (.succeeded, .delete): .deleted
            case (.canceling, _): .canceling
            case (.canceled, _): .canceled
            case (.failed, _): .failed
            }
    }
}
