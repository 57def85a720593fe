/// `codersdk.Task` (named so as not to hide Swift's `Task`) (tasks-api.md §1.10), keys in Coder's order; absent values are `null`,
/// and `workspace_build_number` is left out when it is 0. With `v2` set it is the final
/// shape of tasks-v2.md §2.1, whose extra keys sit between the experimental ones.
public struct TaskResponse: JSONWritable, Sendable, Equatable {
    public var id: String
    public var organization_id: String
    public var owner_id: String
    public var owner_name: String
    public var name: String
    public var template_id: String
    public var template_name: String
    public var template_display_name: String
    public var template_icon: String
    public var workspace_id: String?
    public var workspace_build_number: Int
    public var workspace_agent_id: String?
    public var workspace_agent_lifecycle: String?
    public var workspace_agent_health: AgentHealth?
    public var workspace_app_id: String?
    public var initial_prompt: String
    public var status: String
    public var current_state: TaskStateEntry?
    public var created_at: String
    public var updated_at: String
    public var v2: V2Fields? = nil

    /// The keys tasks-v2.md §2.1 adds; `owner_avatar_url` and `workspace_status` are left
    /// out when empty.
    public struct V2Fields: Sendable, Equatable {
        public var owner_avatar_url: String
        public var display_name: String
        public var template_version_id: String
        public var workspace_name: String
        public var workspace_status: String
    }

    public func write(to json: inout JSONWriter) {
        json.beginObject()
        json.field("id", id)
        json.field("organization_id", organization_id)
        json.field("owner_id", owner_id)
        json.field("owner_name", owner_name)
        if let v2, !v2.owner_avatar_url.isEmpty { json.field("owner_avatar_url", v2.owner_avatar_url) }
        json.field("name", name)
        if let v2 { json.field("display_name", v2.display_name) }
        json.field("template_id", template_id)
        if let v2 { json.field("template_version_id", v2.template_version_id) }
        json.field("template_name", template_name)
        json.field("template_display_name", template_display_name)
        json.field("template_icon", template_icon)
        json.field("workspace_id", workspace_id)
        if let v2 {
            json.field("workspace_name", v2.workspace_name)
            if !v2.workspace_status.isEmpty { json.field("workspace_status", v2.workspace_status) }
        }
        if workspace_build_number != 0 { json.field("workspace_build_number", workspace_build_number) }
        json.field("workspace_agent_id", workspace_agent_id)
        json.field("workspace_agent_lifecycle", workspace_agent_lifecycle)
        json.key("workspace_agent_health")
        if let health = workspace_agent_health { health.write(to: &json) } else { json.null() }
        json.field("workspace_app_id", workspace_app_id)
        json.field("initial_prompt", initial_prompt)
        json.field("status", status)
        json.key("current_state")
        if let state = current_state {
            json.beginObject()
            json.field("timestamp", state.timestamp)
            json.field("state", state.state)
            json.field("message", state.message)
            json.field("uri", state.uri)
            json.endObject()
        } else {
            json.null()
        }
        json.field("created_at", created_at)
        json.field("updated_at", updated_at)
        json.endObject()
    }
}

/// `codersdk.TaskStateEntry`; `uri` is "" when the status had none.
public struct TaskStateEntry: Sendable, Equatable {
    public var timestamp: String
    public var state: String
    public var message: String
    public var uri: String
}

/// `codersdk.WorkspaceAgentHealth`: `reason` is omitted when empty.
public struct AgentHealth: JSONWritable, Sendable, Equatable {
    public var healthy: Bool
    public var reason: String?

    public func write(to json: inout JSONWriter) {
        json.beginObject()
        json.field("healthy", healthy)
        if let reason, !reason.isEmpty { json.field("reason", reason) }
        json.endObject()
    }
}
