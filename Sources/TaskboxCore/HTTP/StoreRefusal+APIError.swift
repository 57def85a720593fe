/// Coder's answer to each refusal of the store (texts of tasks-api.md and tasks-v2.md).
extension APIError {
    init(_ refusal: StoreRefusal) {
        switch refusal {
        case .notFound:
            self = .notFound
        case .workspaceNameInUse(let name):
            self = APIError(409, "Workspace \"\(name)\" already exists.",
                            validations: [ValidationFailure(field: "name", detail: "This value is already in use and should be unique.")])
        case .buildActive:
            self = APIError(409, "A workspace build is already active.")
        case .buildRejected(let detail):
            self = APIError(409, "insert workspace build", detail: detail)
        case .presetNotFound(let presetID):
            self = APIError(400, "Template version preset \"\(presetID)\" not found for this template version.",
                            validations: [ValidationFailure(field: "template_version_preset_id", detail: "preset not found")])
        case .invalidParameter(let name, let problem):
            self = APIError(400, "Unable to validate parameter \"\(name)\"", detail: problem)
        case .jobAlreadyCompleted:
            self = APIError(400, "Job has already completed!")
        case .jobAlreadyCanceled:
            self = APIError(400, "Job has already been marked as canceled!")
        case .taskNotPaused:
            self = APIError(409, "Unable to update task input, task must be paused.",
                            detail: "Please stop the task's workspace before updating the input.")
        }
    }
}
