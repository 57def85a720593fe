import Foundation

extension WorkspaceView {
    /// tasks-api.md §1.9 `taskFromWorkspace`.
    public func task(prompt initialPrompt: String? = nil, now: Double = Date().timeIntervalSince1970) -> TaskResponse {
        var state: TaskStateEntry?
        if let status = appStatus, let build, build.transition != .start || status.createdAt > build.createdAt {
            state = TaskStateEntry(timestamp: status.createdAt, state: status.state.rawValue, message: status.message, uri: status.uri ?? "")
        }
        return TaskResponse(
            id: id, organization_id: organizationID, owner_id: ownerID, owner_name: ownerName, name: name,
            template_id: templateID, template_name: templateName, template_display_name: templateDisplayName,
            template_icon: templateIcon, workspace_id: id, workspace_build_number: build?.number ?? 0,
            workspace_agent_id: agentID, workspace_agent_lifecycle: agent?.lifecycle.rawValue,
            workspace_agent_health: agent?.health(now: now), workspace_app_id: build?.sidebarAppID,
            initial_prompt: initialPrompt ?? prompt ?? "", status: (build?.status ?? .failed).rawValue, current_state: state,
            created_at: createdAt, updated_at: updatedAt)
    }
}
