import ArgumentParser
import Foundation
import TaskboxCore

/// `taskbox task list`: `GET /api/v2/tasks` (experimental on older servers) with a search query built from the
/// flags; the caller's own tasks unless `--all` or `--user`.
struct TaskList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List tasks.", aliases: ["ls"])
    @Flag(help: "All tasks you can see, not only yours.") var all = false
    @Option(help: "Only the tasks of this user (username or id).") var user: String?
    @Option(help: "Only tasks with this status: pending, initializing, active, paused, error, unknown (experimental servers: workspace statuses).")
    var status: String?
    @Option(name: [.customShort("q"), .customLong("search")], help: "More search terms, in the server's task search syntax.")
    var search: String?
    @Option(help: "At most this many tasks.") var limit: Int?
    @OptionGroup var columns: TaskColumnOptions
    @OptionGroup var output: ClientOutputOptions

    static let defaultColumns: [TaskColumn] = [.name, .status, .state, .age, .prompt]

    func validate() throws {
        if let limit, limit < 0 { throw ValidationError("--limit must not be negative") }
    }

    /// Values are quoted as Coder's client does it (`owner:"alice"`).
    var query: String {
        var terms: [String] = []
        if let user {
            terms.append("owner:\(TaskboxClient.quoted(user))")
        } else if !all {
            terms.append("owner:\"me\"")
        }
        if let status { terms.append("status:\(TaskboxClient.quoted(status))") }
        if let search, !search.isEmpty { terms.append(search) }
        return terms.joined(separator: " ")
    }

    func run() async throws {
        try await reportingClientErrors {
            let tasks = try await TaskboxClient.fromEnvironment().tasks(query: query, limit: limit)
            if output.json { return try printJSON(tasks.json) }
            if tasks.value.isEmpty {
                Terminal.writeError("No tasks found.\n")
                return
            }
            let selected = columns.selected(default: Self.defaultColumns)
            printTable(selected.map(\.header), TaskColumn.rows(tasks.value, columns: selected, width: Terminal.width()))
        }
    }
}
