import ArgumentParser
import Foundation
import TaskboxCore

/// `taskbox task logs TASK [--follow]`: the conversation with the task's agent
/// (tasks-api.md §1.7); `--follow` reads the task's watch stream (issue #17) until the task
/// stops or goes away, polling only a server without one.
struct TaskLogs: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "logs", abstract: "Show a task's conversation with its agent.",
        discussion: """
            With --follow new entries are printed as they arrive until the task is stopped or deleted, \
            or Ctrl-C; with -o json each entry is then one JSON line.
            """)
    @Argument(help: "Task name, OWNER/NAME or id.") var task: String
    @Flag(name: [.short, .long], help: "Keep printing new entries.") var follow = false
    @OptionGroup var output: ClientOutputOptions

    static let pollInterval: Duration = .seconds(1)
    /// Statuses after which the agent will say nothing more: workspace statuses of the
    /// experimental API, task statuses of v2 (tasks-v2.md §2.2).
    static let finished: Set<String> = [
        "stopping", "stopped", "deleting", "deleted", "failed", "canceling", "canceled", "paused", "unknown", "error",
    ]

    func run() async throws {
        try await reportingClientErrors {
            let client = try TaskboxClient.fromEnvironment()
            let resolved = try await client.resolveTask(task)
            guard follow else {
                let logs = try await client.logs(id: resolved.value.id)
                warnAboutSnapshot(logs.value, status: resolved.value.status)
                if logs.value.logs.isEmpty {
                    // tasks-v2.md §7.5: nothing on stdout but `[]` for JSON, a note on stderr.
                    Terminal.writeError("No task logs found.\n")
                    if output.json { try printJSON(JSONValue.array([])) }
                    return
                }
                if output.json { return try printJSON(logs.json["logs"] ?? .array([])) }
                printHeader()
                for entry in logs.value.logs { printEntry(entry) }
                return
            }
            if !output.json { printHeader() }
            _ = try await Interrupts.cancellingOnSIGINT { [self] in
                if try await streamLogs(id: resolved.value.id, client: client) == nil {
                    try await followLogs(id: resolved.value.id, client: client)
                }
            }
        }
    }

    /// The stream's `log` events, each entry printed once: an agent entry is held back while
    /// the agent reports `working` (it may still grow) and printed when a later entry arrives
    /// or the agent stops working. Ends when the task stops or is deleted; nil without a stream.
    func streamLogs(id: String, client: TaskboxClient) async throws -> Void? {
        var printed = -1
        var held: [Int: (entry: TaskLogEntry, json: JSONValue)] = [:]
        var working = false
        func flush(upTo limit: Int) throws {
            for key in held.keys.sorted() where key <= limit && key > printed {
                let (entry, json) = held.removeValue(forKey: key)!
                if output.json { try printJSONLine(json) } else { printEntry(entry) }
                printed = key
            }
        }
        return try await client.watchTask(id: id) { event in
            switch event.event {
            case "log":
                let fetched = try event.decoded(as: TaskLogEntry.self)
                guard fetched.value.id > printed else { return .more }
                held[fetched.value.id] = (fetched.value, fetched.json)
                // Everything before the newest entry is complete; the newest too unless the agent works on it.
                let newest = held.keys.max() ?? printed
                let newestIsGrowing = working && held[newest]?.entry.type == "output"
                try flush(upTo: newestIsGrowing ? newest - 1 : newest)
            case "task":
                let task = try event.decoded(as: TaskResponse.self).value
                working = task.current_state?.state == "working"
                let ending = Self.finished.contains(task.status)
                if !working || ending { try flush(upTo: Int.max) }
                if ending { return .stop }
            default:
                break
            }
            return .more
        }
    }

    /// Polling, for a server without watch streams. Prints every entry once, in id order. The
    /// newest agent entry is held back while the agent reports `working`, since agentapi may
    /// still be adding to it.
    func followLogs(id: String, client: TaskboxClient) async throws {
        var printed = -1
        while true {
            let task: TaskResponse?
            do {
                task = try await client.task(id: id).value
            } catch let error as ServerResponseError where error.status == 404 || error.status == 410 {
                task = nil
            }
            let ending = task.map { Self.finished.contains($0.status) } ?? true
            let fetched: Fetched<TaskboxClient.TaskLogs>
            do {
                fetched = try await client.logs(id: id)
            } catch let error as ServerResponseError {
                // The app is not up yet (or any more): keep waiting while the task can still talk.
                if ending { return }
                if ["running", "active"].contains(task?.status) && ![502, 503].contains(error.status) { throw error }
                try await Task.sleep(for: Self.pollInterval)
                continue
            }
            let logs = Fetched(value: fetched.value.logs, json: fetched.json["logs"] ?? .array([]))
            var fresh = logs.value.indices.filter { logs.value[$0].id > printed }
            if !ending, task?.current_state?.state == "working", let last = fresh.last,
               logs.value[last].type == "output", last == logs.value.count - 1 {
                fresh.removeLast()
            }
            for i in fresh {
                if output.json, case .array(let items) = logs.json, items.indices.contains(i) {
                    try printJSONLine(items[i])
                } else {
                    printEntry(logs.value[i])
                }
                printed = max(printed, logs.value[i].id)
            }
            if ending { return }
            try await Task.sleep(for: Self.pollInterval)
        }
    }

    /// tasks-v2.md §7.5: what a snapshot answer means, on stderr.
    func warnAboutSnapshot(_ logs: TaskboxClient.TaskLogs, status: String) {
        guard logs.snapshot == true else { return }
        if logs.snapshot_at == nil {
            Terminal.writeError("WARN: Task is \(status). No snapshot available (snapshot may have failed during pause, resume your task to view logs).\n")
        } else if !logs.logs.isEmpty {
            let count = logs.logs.count
            Terminal.writeError("WARN: Task is \(status). Showing last \(count) \(count == 1 ? "message" : "messages") from snapshot.\n")
        }
    }

    func printHeader() { printLine("TIME      TYPE    CONTENT") }

    /// One entry: its time and type, then the content; further lines of the content are
    /// indented under the first.
    func printEntry(_ entry: TaskLogEntry) {
        let time = Timestamp.parse(entry.time).map(Self.clockTime) ?? entry.time
        let lines = entry.content.split(separator: "\n", omittingEmptySubsequences: false)
        let type = entry.type.padding(toLength: 6, withPad: " ", startingAt: 0)
        var text = "\(time)  \(type)  \(lines.first ?? "")"
        for line in lines.dropFirst() { text += "\n" + String(repeating: " ", count: 18) + line }
        printLine(text)
    }

    /// `HH:MM:SS` in local time.
    static func clockTime(_ date: Date) -> String {
        var t = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        localtime_r(&t, &parts)
        return String(format: "%02d:%02d:%02d", Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec))
    }
}
