import Foundation

extension TaskRow {
    /// tasks-v2.md §2.1: the task with its workspace (nil when it cannot be loaded: then the
    /// template fields are empty, the template id nil and `updated_at` Go's zero time).
    public func response(workspace: WorkspaceView?, now: Double = Date().timeIntervalSince1970) -> TaskResponse {
        let latest = workspace?.build
        // The bound agent's health, when it belongs to the workspace's latest build.
        let health = latest?.number == buildNumber ? agent?.health(now: now) : nil
        return TaskResponse(
            id: id, organization_id: organizationID, owner_id: ownerID, owner_name: ownerName, name: name,
            template_id: workspace?.templateID ?? ID.nilUUID, template_name: workspace?.templateName ?? "",
            template_display_name: workspace?.templateDisplayName ?? "", template_icon: workspace?.templateIcon ?? "",
            workspace_id: workspaceID, workspace_build_number: buildNumber ?? 0, workspace_agent_id: agentID,
            workspace_agent_lifecycle: agent?.lifecycle.rawValue, workspace_agent_health: health, workspace_app_id: appID,
            initial_prompt: prompt, status: status.rawValue,
            current_state: TaskCurrentState.derive(
                appStatus: workspace?.appStatus, latestBuild: latest, status: status, agentLifecycle: agent?.lifecycle,
                appHealth: appHealth),
            created_at: createdAt, updated_at: workspace?.updatedAt ?? "0001-01-01T00:00:00Z",
            v2: TaskResponse.V2Fields(
                owner_avatar_url: ownerAvatarURL, display_name: displayName, template_version_id: templateVersionID,
                workspace_name: workspace?.name ?? "", workspace_status: latest?.status.rawValue ?? ""))
    }
}
