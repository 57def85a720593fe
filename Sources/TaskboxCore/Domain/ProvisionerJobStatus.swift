/// A provisioner job's status (tasks-api.md §7.1). The raw values are what the generated
/// column `provisioner_jobs.job_status` derives (schema.sql).
public enum ProvisionerJobStatus: String, Sendable, CaseIterable, Codable {
    case pending, running, succeeded, canceling, canceled, failed
}
