/// The turn in progress (agents.md §2): the user's text it answers, and the agent message
/// it builds — text output verbatim, tool calls and permission decisions on lines of their own.
struct AgentTurn: Sendable {
    enum Part: Sendable {
        case text(String)
        case line(String)
    }

    let userText: String
    /// The agent message, once the agent has said something.
    var messageID: Int?
    var parts: [Part] = []
    var interruptRequested = false
    /// The agent could not resume its session: the next exit starts a new one for this turn.
    var restartFresh = false

    init(userText: String) {
        self.userText = userText
    }

    mutating func append(text: String) {
        if case .text(let last)? = parts.last {
            parts[parts.count - 1] = .text(last + text)
        } else {
            parts.append(.text(text))
        }
    }

    mutating func append(line: String) {
        parts.append(.line(line))
    }

    /// Text verbatim; a line starts on a line of its own and ends one.
    var content: String {
        var out = ""
        var afterLine = false
        for part in parts {
            switch part {
            case .text(let text):
                if afterLine { out += "\n" }
                out += text
                afterLine = false
            case .line(let line):
                if afterLine || (!out.isEmpty && !out.hasSuffix("\n")) { out += "\n" }
                out += line
                afterLine = true
            }
        }
        return out
    }

    /// The first line of the turn's last text output (agents.md §3 `idle`).
    var summary: String? {
        for part in parts.reversed() {
            if case .text(let text) = part, let line = Self.firstLine(text) { return line }
        }
        return nil
    }

    static func firstLine(_ text: String) -> String? {
        text.split(whereSeparator: \.isNewline).lazy
            .map { $0.trimmingCharacters(in: .whitespaces) }.first { !$0.isEmpty }
    }
}
