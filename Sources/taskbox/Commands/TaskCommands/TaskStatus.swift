import ArgumentParser
import Foundation
import Synchronization
import TaskboxCore

/// `taskbox task status TASK [--watch]`: the task's workspace status and the agent's
/// reported state; `--watch` follows the task's watch stream (issue #17; polling only a server
/// without one) until there is nothing left to wait for.
struct TaskStatus: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status", abstract: "Show the status of a task.",
        discussion: """
            With --watch the status is redrawn as it changes until the agent is idle or complete (exit 0), \
            the task fails (exit 1), its workspace is stopped or deleted (exit 0), or --timeout passes (exit 1). \
            With -o json each change is one JSON line.
            """)
    @Argument(help: "Task name, OWNER/NAME or id.") var task: String
    @Flag(help: "Redraw until the task is idle, complete or failed.") var watch = false
    @Option(help: "How long --watch waits at most (Go-style duration: 90s, 10m, 1h).") var timeout: String = "10m"
    @OptionGroup var columns: TaskColumnOptions
    @OptionGroup var output: ClientOutputOptions

    static let defaultColumns: [TaskColumn] = [.name, .status, .state, .changed, .message]
    static let pollInterval: Duration = .seconds(1)

    func validate() throws {
        guard let seconds = GoDuration.seconds(timeout), seconds > 0 else {
            throw ValidationError("invalid --timeout \"\(timeout)\": expected a duration such as 90s or 10m")
        }
    }

    func run() async throws {
        try await reportingClientErrors {
            let client = try TaskboxClient.fromEnvironment()
            let first = try await client.resolveTask(task)
            guard watch else {
                try show(first, previousLines: 0)
                return
            }
            let limit = GoDuration.seconds(timeout) ?? 600
            let outcome = try await Interrupts.cancellingOnSIGINT { [self] in
                try await watchTask(first, client: client, limit: .seconds(limit))
            }
            switch outcome {
            case nil, .finished?: return
            case .failed(let task, let reason)?:
                throw CLIError("task \(task.name) failed: \(reason)")
            case .timedOut(let task)?:
                throw CLIError("timed out after \(timeout) watching task \(task.name) (status \(task.status), state \(task.current_state?.state ?? "none"))")
            }
        }
    }

    enum Outcome: Sendable { case finished, failed(TaskResponse, reason: String), timedOut(TaskResponse) }

    /// Follows the stream's `task` events, printing the task whenever what is shown changes;
    /// polls on a server without streams.
    func watchTask(_ first: Fetched<TaskResponse>, client: TaskboxClient, limit: Duration) async throws -> Outcome {
        let firstLines = try show(first, previousLines: 0)
        if let outcome = Self.outcome(first.value) { return outcome }
        let current = Latest(first.value)
        return try await withThrowingTaskGroup(of: Outcome?.self) { group in
            group.addTask { [self] in
                var shownLines = firstLines
                var shown = Self.fingerprint(first.value)
                var outcome: Outcome = .finished  // deleted meanwhile: nothing more will happen
                let streamed: Void? = try await client.watchTask(id: first.value.id) { event in
                    guard event.event == "task" else { return .more }
                    let task = try event.decoded(as: TaskResponse.self)
                    current.value.withLock { $0 = task.value }
                    if Self.fingerprint(task.value) != shown {
                        shown = Self.fingerprint(task.value)
                        shownLines = try show(task, previousLines: shownLines)
                    }
                    guard let done = Self.outcome(task.value) else { return .more }
                    outcome = done
                    return .stop
                }
                if streamed == nil { return try await pollTask(first, client: client, limit: limit) }
                return outcome
            }
            group.addTask {
                try await Task.sleep(for: limit)
                return nil
            }
            let first = try await group.next() ?? nil
            group.cancelAll()
            return first ?? .timedOut(current.value.withLock { $0 })
        }
    }

    /// The last task seen, for the time-out message.
    final class Latest: Sendable {
        let value: Mutex<TaskResponse>
        init(_ task: TaskResponse) { value = Mutex(task) }
    }

    /// Polls the task, printing it whenever what is shown changes.
    func pollTask(_ first: Fetched<TaskResponse>, client: TaskboxClient, limit: Duration) async throws -> Outcome {
        let deadline = ContinuousClock.now + limit
        var current = first
        var shownLines = try show(current, previousLines: 0)
        var shown = Self.fingerprint(current.value)
        while true {
            if let outcome = Self.outcome(current.value) { return outcome }
            if ContinuousClock.now >= deadline { return .timedOut(current.value) }
            try await Task.sleep(for: Self.pollInterval)
            do {
                current = try await client.task(id: current.value.id)
            } catch let error as ServerResponseError where error.status == 404 || error.status == 410 {
                return .finished  // deleted meanwhile: nothing more will happen
            }
            if Self.fingerprint(current.value) != shown {
                shown = Self.fingerprint(current.value)
                shownLines = try show(current, previousLines: shownLines)
            }
        }
    }

    /// When watching can stop: the agent is done or failed, or the workspace no longer runs.
    static func outcome(_ task: TaskResponse) -> Outcome? {
        switch task.status {
        case "failed", "canceled": return .failed(task, reason: "its workspace build is \(task.status)")
        case "stopped", "deleted", "paused": return .finished
        // A v2 task reports idle before its app is healthy: wait until it is active.
        case "pending", "initializing": return nil
        default: break
        }
        switch task.current_state?.state {
        case "idle", "complete": return .finished
        case "failure", "failed": return .failed(task, reason: task.current_state?.message ?? "the agent reported a failure")
        default: return nil
        }
    }

    static func fingerprint(_ task: TaskResponse) -> [String] {
        [task.status, task.current_state?.state ?? "", task.current_state?.message ?? "", task.current_state?.timestamp ?? ""]
    }

    /// Prints the task; on a terminal a redraw replaces the previous table, elsewhere it
    /// adds one row. Returns how many lines are now on screen.
    @discardableResult
    func show(_ task: Fetched<TaskResponse>, previousLines: Int) throws -> Int {
        if output.json {
            if watch { try printJSONLine(task.json) } else { try printJSON(task.json) }
            return 0
        }
        let selected = columns.selected(default: Self.defaultColumns)
        let rows = TaskColumn.rows([task.value], columns: selected, width: Terminal.width())
        if previousLines > 0 && Terminal.stdoutIsTerminal {
            FileHandle.standardOutput.write(Data("\u{1B}[\(previousLines)A\u{1B}[J".utf8))
        } else if previousLines > 0 {
            printTableRows(selected, rows, header: false)
            return previousLines
        }
        printTableRows(selected, rows, header: true)
        return 2
    }

    /// `printTable` with the header optional, so a watch without a terminal adds rows
    /// under the first header; columns keep their minimum width so the rows line up.
    func printTableRows(_ columns: [TaskColumn], _ rows: [[String]], header withHeader: Bool) {
        let header = columns.map(\.header)
        let widths = columns.indices.map { i in max(columns[i].minimumWidth, rows.map { $0[i].count }.max() ?? 0) }
        for row in (withHeader ? [header] : []) + rows {
            let cells = row.enumerated().map { i, cell in
                i == row.count - 1 ? cell : cell.padding(toLength: widths[i], withPad: " ", startingAt: 0)
            }
            var line = cells.joined(separator: "  ")
            while line.last == " " { line.removeLast() }
            printLine(line)
        }
    }
}
