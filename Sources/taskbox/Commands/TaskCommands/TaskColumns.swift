import ArgumentParser
import Foundation
import TaskboxCore

/// The columns `task list` and `task status` can show (`-c name,status,…`).
enum TaskColumn: String, CaseIterable {
    case id, name, display, owner, template, status, workspace, healthy, state, message, age, changed, prompt

    var header: String { rawValue.uppercased() }

    /// Wide enough for every value, so rows printed one by one (`status --watch`) line up.
    var minimumWidth: Int {
        switch self {
        case .status: 12  // initializing
        case .state: 8  // complete
        default: header.count
        }
    }

    /// Free text is cut to what the terminal has left after the other columns.
    var isFreeText: Bool { self == .prompt || self == .message }

    func value(_ task: TaskResponse, now: Date) -> String {
        switch self {
        case .id: task.id
        case .name: task.name
        case .display: task.v2?.display_name ?? ""
        case .workspace: task.v2?.workspace_status ?? ""
        case .healthy: String(Self.healthy(task))
        case .owner: task.owner_name
        case .template: task.template_name
        case .status: task.status
        case .state: task.current_state?.state ?? "-"
        case .message: task.current_state?.message ?? ""
        case .age: Terminal.age(of: task.created_at, now: now)
        case .changed: task.current_state.map { Terminal.age(of: $0.timestamp, now: now) } ?? "-"
        case .prompt: task.initial_prompt
        }
    }

    /// tasks-v2.md §7.4: the agent is healthy and neither starting nor shutting down.
    static func healthy(_ task: TaskResponse) -> Bool {
        guard task.workspace_agent_health?.healthy == true, let lifecycle = task.workspace_agent_lifecycle else { return false }
        return !["created", "starting", "shutting_down", "shutdown_timeout", "shutdown_error", "off"].contains(lifecycle)
    }

    /// Parses `name,status,…`.
    static func parse(_ list: String) throws -> [TaskColumn] {
        let names = list.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        guard !names.isEmpty else { throw ValidationError("--columns needs at least one column") }
        return try names.map { name in
            guard let column = TaskColumn(rawValue: name) else {
                let known = allCases.map(\.rawValue).joined(separator: ", ")
                throw ValidationError("unknown column \"\(name)\" (expected some of \(known))")
            }
            return column
        }
    }

    /// The table's rows with free-text cells cut so each line fits in `width`.
    static func rows(_ tasks: [TaskResponse], columns: [TaskColumn], width: Int, now: Date = Date()) -> [[String]] {
        var rows = tasks.map { task in columns.map { $0.value(task, now: now) } }
        let free = columns.indices.filter { columns[$0].isFreeText }
        guard !free.isEmpty else { return rows }
        let fixed = columns.indices.filter { !columns[$0].isFreeText }.reduce(0) { sum, i in
            sum + max(columns[i].header.count, rows.map { $0[i].count }.max() ?? 0)
        }
        let gaps = 2 * (columns.count - 1)
        let share = max(10, (width - fixed - gaps) / free.count)
        for r in rows.indices {
            for i in free { rows[r][i] = Terminal.truncated(rows[r][i], to: share) }
        }
        return rows
    }
}

/// `-c/--columns` for the task tables.
struct TaskColumnOptions: ParsableArguments {
    @Option(name: [.short, .customLong("columns")], help: ArgumentHelp(
        "Comma-separated columns: \(TaskColumn.allCases.map(\.rawValue).joined(separator: ", ")).",
        valueName: "columns"))
    var columns: String?

    func validate() throws { if let columns { _ = try TaskColumn.parse(columns) } }

    func selected(default defaults: [TaskColumn]) -> [TaskColumn] {
        columns.flatMap { try? TaskColumn.parse($0) } ?? defaults
    }
}
