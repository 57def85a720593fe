import Foundation

extension WorkspaceDetail: JSONWritable {
    /// Coder's `Workspace`, with the fields taskbox.md §4 lists.
    public func write(to json: inout JSONWriter) {
        json.beginObject()
        json.field("id", view.id)
        json.field("created_at", view.createdAt)
        json.field("updated_at", view.updatedAt)
        json.field("owner_id", view.ownerID)
        json.field("owner_name", view.ownerName)
        json.field("organization_id", view.organizationID)
        json.field("template_id", view.templateID)
        json.field("template_name", view.templateName)
        json.field("template_display_name", view.templateDisplayName)
        json.field("template_icon", view.templateIcon)
        json.field("name", view.name)
        json.field("last_used_at", view.lastUsedAt)
        json.field("deleted", view.deleted)
        json.field("favorite", view.favorite)
        json.field("automatic_updates", "never")
        json.field("task_id", taskID)
        json.key("latest_build")
        writeLatestBuild(to: &json)
        json.endObject()
    }

    /// Coder's `WorkspaceBuild` of the latest build (`null` when there is none). The final API
    /// dropped `ai_task_sidebar_app_id` (tasks-v2.md §2.4): `sidebarApp` false leaves it out.
    public func writeLatestBuild(to json: inout JSONWriter, sidebarApp: Bool = true) {
        let now = Date().timeIntervalSince1970
        guard let build = view.build else { return json.null() }
        json.beginObject()
        json.field("id", build.id)
        json.field("created_at", build.createdAt)
        json.field("updated_at", buildUpdatedAt)
        json.field("workspace_id", view.id)
        json.field("workspace_name", view.name)
        json.field("workspace_owner_id", view.ownerID)
        json.field("workspace_owner_name", view.ownerName)
        json.field("template_version_id", build.templateVersionID)
        json.field("build_number", build.number)
        json.field("transition", build.transition.rawValue)
        json.field("initiator_id", initiatorID)
        json.field("reason", reason)
        json.field("status", build.status.rawValue)
        json.key("has_ai_task")
        if let flag = build.hasAITask { json.bool(flag) } else { json.null() }
        if sidebarApp { json.field("ai_task_sidebar_app_id", build.sidebarAppID) }
        json.key("job")
        if let job {
            json.beginObject()
            json.field("id", job.id)
            json.field("created_at", job.createdAt)
            json.field("started_at", job.startedAt)
            json.field("completed_at", job.completedAt)
            json.field("canceled_at", job.canceledAt)
            json.field("error", job.error)
            json.field("status", job.status.rawValue)
            json.endObject()
        } else {
            json.null()
        }
        json.key("resources")
        json.beginArray()
        for resource in resources {
            json.beginObject()
            json.field("id", resource.id)
            json.field("created_at", resource.createdAt)
            json.field("job_id", job?.id ?? "")
            json.field("workspace_transition", build.transition.rawValue)
            json.field("type", resource.type)
            json.field("name", resource.name)
            json.key("agents")
            json.beginArray()
            for agent in resource.agents {
                json.beginObject()
                json.field("id", agent.id)
                json.field("name", agent.name)
                json.field("parent_id", agent.parentID)
                json.field("created_at", agent.connection.createdAt)
                json.field("first_connected_at", agent.connection.firstConnectedAt)
                json.field("last_connected_at", agent.connection.lastConnectedAt)
                json.field("disconnected_at", agent.connection.disconnectedAt)
                json.field("status", agent.connection.status(now: now))
                json.field("lifecycle_state", agent.connection.lifecycle.rawValue)
                json.key("health")
                agent.connection.health(now: now).write(to: &json)
                json.key("apps")
                json.beginArray()
                for app in agent.apps {
                    json.beginObject()
                    json.field("id", app.id)
                    json.field("slug", app.slug)
                    json.field("display_name", app.displayName)
                    json.field("url", app.url ?? "")
                    json.field("health", app.health.rawValue)
                    json.endObject()
                }
                json.endArray()
                json.endObject()
            }
            json.endArray()
            json.endObject()
        }
        json.endArray()
        json.endObject()
    }
}