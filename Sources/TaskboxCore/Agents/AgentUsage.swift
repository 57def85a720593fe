/// What a conversation has cost so far, summed over its turns (agents.md §2), shown as
/// `"usage":{"input_tokens","output_tokens","cost_usd","turns"}` in `GET /status`.
struct AgentUsage: Sendable, Equatable, Codable {
    var inputTokens = 0
    var outputTokens = 0
    var costUSD = 0.0
    var turns = 0

    static func + (a: AgentUsage, b: AgentUsage) -> AgentUsage {
        AgentUsage(
            inputTokens: a.inputTokens + b.inputTokens, outputTokens: a.outputTokens + b.outputTokens,
            costUSD: a.costUSD + b.costUSD, turns: a.turns + b.turns)
    }

    var statusField: (key: String, value: GoJSON) {
        (key: "usage", value: .object([
            (key: "input_tokens", value: .int(inputTokens)),
            (key: "output_tokens", value: .int(outputTokens)),
            (key: "cost_usd", value: .number(GoJSON.formatFloat(costUSD))),
            (key: "turns", value: .int(turns)),
        ]))
    }
}
