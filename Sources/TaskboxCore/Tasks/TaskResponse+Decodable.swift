/// Reading a `Task` back from JSON, for the command-line client. Lenient where Coder omits
/// or nulls a field (`workspace_build_number` when 0, the agent fields before a build).
extension TaskResponse: Decodable {
    enum CodingKeys: String, CodingKey {
        case id, organization_id, owner_id, owner_name, name, template_id, template_name, template_display_name,
             template_icon, workspace_id, workspace_build_number, workspace_agent_id, workspace_agent_lifecycle,
             workspace_agent_health, workspace_app_id, initial_prompt, status, current_state, created_at, updated_at,
             owner_avatar_url, display_name, template_version_id, workspace_name, workspace_status
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        func text(_ key: CodingKeys) throws -> String { try c.decodeIfPresent(String.self, forKey: key) ?? "" }
        id = try c.decode(String.self, forKey: .id)
        organization_id = try text(.organization_id)
        owner_id = try text(.owner_id)
        owner_name = try text(.owner_name)
        name = try c.decode(String.self, forKey: .name)
        template_id = try text(.template_id)
        template_name = try text(.template_name)
        template_display_name = try text(.template_display_name)
        template_icon = try text(.template_icon)
        workspace_id = try c.decodeIfPresent(String.self, forKey: .workspace_id)
        workspace_build_number = try c.decodeIfPresent(Int.self, forKey: .workspace_build_number) ?? 0
        workspace_agent_id = try c.decodeIfPresent(String.self, forKey: .workspace_agent_id)
        workspace_agent_lifecycle = try c.decodeIfPresent(String.self, forKey: .workspace_agent_lifecycle)
        workspace_agent_health = try c.decodeIfPresent(AgentHealth.self, forKey: .workspace_agent_health)
        workspace_app_id = try c.decodeIfPresent(String.self, forKey: .workspace_app_id)
        initial_prompt = try text(.initial_prompt)
        status = try c.decode(String.self, forKey: .status)
        current_state = try c.decodeIfPresent(TaskStateEntry.self, forKey: .current_state)
        created_at = try text(.created_at)
        updated_at = try text(.updated_at)
        // Only v2 answers carry `display_name`.
        if c.contains(.display_name) {
            v2 = V2Fields(
                owner_avatar_url: try text(.owner_avatar_url), display_name: try text(.display_name),
                template_version_id: try text(.template_version_id), workspace_name: try text(.workspace_name),
                workspace_status: try text(.workspace_status))
        }
    }
}

extension TaskStateEntry: Decodable {
    enum CodingKeys: String, CodingKey { case timestamp, state, message, uri }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        timestamp = try c.decodeIfPresent(String.self, forKey: .timestamp) ?? ""
        state = try c.decode(String.self, forKey: .state)
        message = try c.decodeIfPresent(String.self, forKey: .message) ?? ""
        uri = try c.decodeIfPresent(String.self, forKey: .uri) ?? ""
    }
}

extension AgentHealth: Decodable {
    enum CodingKeys: String, CodingKey { case healthy, reason }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        healthy = try c.decode(Bool.self, forKey: .healthy)
        reason = try c.decodeIfPresent(String.self, forKey: .reason)
    }
}
