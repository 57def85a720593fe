import Foundation
import Testing
@testable import TaskboxCore

/// TaskResponse+Decodable: what the command-line client reads of a Task.
@Suite struct TaskResponseDecodingTests {
    /// The client reads back exactly the Task the server writes (TaskResponse+Decodable).
    @Test func taskResponseDecodesWhatItWrites() throws {
        let task = TaskResponse(
            id: "a", organization_id: "o", owner_id: "u", owner_name: "alice", name: "t", template_id: "tt",
            template_name: "tn", template_display_name: "TN", template_icon: "/i.svg", workspace_id: "a",
            workspace_build_number: 0, workspace_agent_id: nil, workspace_agent_lifecycle: "ready",
            workspace_agent_health: AgentHealth(healthy: false, reason: "agent has lost connection"), workspace_app_id: nil,
            initial_prompt: "<do> & \"quote\"", status: "running",
            current_state: TaskStateEntry(timestamp: "2025-01-01T00:00:00.000000Z", state: "idle", message: "m", uri: ""),
            created_at: "2025-01-01T00:00:00.000000Z", updated_at: "2025-01-01T00:00:01.000000Z")
        var writer = JSONWriter()
        task.write(to: &writer)
        #expect(try JSONDecoder().decode(TaskResponse.self, from: Data(writer.bytes)) == task)
    }

    /// `workspace_build_number` is left out when 0 and agent fields are null before a build.
    @Test func absentAndNullFieldsDecodeAsEmpty() throws {
        let json = #"{"id":"a","name":"t","status":"pending","workspace_agent_id":null,"workspace_agent_health":null,"current_state":null}"#
        let task = try JSONDecoder().decode(TaskResponse.self, from: Data(json.utf8))
        #expect(task.workspace_build_number == 0)
        #expect(task.workspace_agent_health == nil && task.current_state == nil)
        #expect(task.initial_prompt == "" && task.owner_name == "")
    }
}
