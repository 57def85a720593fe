/// What an agentapi server passes on to the agent behind it: accepted `POST /message`
/// bodies. `user` content goes through the conversation's rules (agentapi.md §2.4) and may
/// be refused; `raw` content is never recorded.
protocol AgentAPIInput: Sendable {
    var conversation: AgentConversation { get }
    func userMessage(_ content: String) async throws(AgentConversation.Refusal)
    func rawMessage(_ content: String) async
}
