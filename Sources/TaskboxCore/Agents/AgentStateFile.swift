import Foundation

/// What an adapter keeps in `.taskbox/agent/` of its working directory (agents.md §4, §8):
/// the conversation, the agent's own session id and whether the initial prompt was sent.
struct AgentSavedState: Sendable, Equatable, Codable {
    var messages: [AgentConversation.Message]
    var sessionID: String?
    var initialPromptSent = false
    var usage = AgentUsage()
}

/// `state.json` in `.taskbox/agent/`, replaced atomically (a new file renamed over the old),
/// so a SIGKILL at any moment leaves either the previous or the next state.
struct AgentStateFile: Sendable {
    let directory: URL

    init(workingDirectory: URL) {
        directory = workingDirectory.appendingPathComponent(".taskbox/agent", isDirectory: true)
    }

    var url: URL { directory.appendingPathComponent("state.json") }

    /// nil when there is no state yet; a file that cannot be read is an error, so a damaged
    /// state is never silently replaced by an empty conversation.
    func load() throws -> AgentSavedState? {
        guard FileManager.default.fileExists(atPath: url.path) else { return nil }
        return try JSONDecoder().decode(AgentSavedState.self, from: Data(contentsOf: url))
    }

    func save(_ state: AgentSavedState) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try encoder.encode(state).write(to: url, options: .atomic)
    }
}
