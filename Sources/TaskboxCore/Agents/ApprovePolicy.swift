/// `--approve all|edits|none`: which tool uses an adapter allows when the agent asks
/// (agents.md §5, §8). `edits` allows reading, searching, thinking and changing files and
/// denies shell commands, web access and anything it does not know.
public enum ApprovePolicy: String, Sendable, CaseIterable {
    case all, edits, none

    /// Claude Code's file tools; everything else (Bash, WebFetch, WebSearch, MCP and unknown
    /// tools) counts as beyond editing.
    static let claudeEditTools: Set<String> = [
        "Read", "Glob", "Grep", "LS", "Edit", "MultiEdit", "Write", "NotebookEdit", "NotebookRead",
        "TodoWrite", "Task", "TaskCreate", "TaskUpdate", "TaskList", "ExitPlanMode", "ToolSearch",
    ]

    /// ACP tool kinds (`ToolKind`) that only read or change files.
    static let acpEditKinds: Set<String> = ["read", "search", "think", "edit", "delete", "move"]

    func allowsClaudeTool(_ name: String) -> Bool {
        switch self {
        case .all: true
        case .edits: Self.claudeEditTools.contains(name)
        case .none: false
        }
    }

    /// `kind` is the tool call's ACP kind; a missing kind is `other`.
    func allowsACPKind(_ kind: String?) -> Bool {
        switch self {
        case .all: true
        case .edits: Self.acpEditKinds.contains(kind ?? "other")
        case .none: false
        }
    }
}
