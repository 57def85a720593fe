import ArgumentParser
import Foundation
import TaskboxCore

/// Asks `question` on the terminal unless `-y`; refuses without a terminal.
func confirm(_ question: String, yes: Bool, refusal: String, declined: String = "canceled") throws {
    if yes { return }
    guard Terminal.stdinIsTerminal else { throw CLIError(refusal) }
    Terminal.writeError("\(question) [y/N] ")
    let answer = readLine()?.trimmingCharacters(in: .whitespaces).lowercased() ?? ""
    guard answer == "y" || answer == "yes" else { throw CLIError(declined) }
}

/// Polls a task until `done` holds or `limit` passes; the last task seen.
func waitForTask(
    _ id: String, client: TaskboxClient, limit: Duration, what: String, _ done: (TaskResponse) -> Bool
) async throws -> TaskResponse {
    let deadline = ContinuousClock.now + limit
    while true {
        let task = try await client.task(id: id).value
        if done(task) { return task }
        guard ContinuousClock.now < deadline else {
            throw CLIError("timed out waiting for task \(task.ownerAndName) to \(what) (status \(task.status))")
        }
        try await Task.sleep(for: .seconds(1))
    }
}

/// `taskbox task pause TASK`: `POST …/pause` (tasks-v2.md §7.7), then waits for the stop.
struct TaskPause: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "pause", abstract: "Pause a task: stop its workspace, keep its conversation.")
    @Argument(help: "Task name, OWNER/NAME or id.") var task: String
    @Flag(name: [.short, .long], help: "Do not ask for confirmation.") var yes = false
    @Option(help: "How long to wait for the stop (Go-style duration).") var timeout: String = "2m"

    func run() async throws {
        try await reportingClientErrors {
            let client = try TaskboxClient.fromEnvironment()
            let resolved = try await client.resolveTask(task).value
            if resolved.status == "paused" { throw CLIError("task \"\(resolved.ownerAndName)\" is already paused") }
            try confirm("Pause task \(resolved.ownerAndName)?", yes: yes,
                        refusal: "refusing to pause without confirmation: stdin is not a terminal; pass -y to pause")
            _ = try await client.lifecycle(id: resolved.id, "pause")
            let limit = Duration.seconds(GoDuration.seconds(timeout) ?? 120)
            _ = try await waitForTask(resolved.id, client: client, limit: limit, what: "pause") { ["paused", "error"].contains($0.status) }
            printLine("The \(resolved.name) task has been paused at \(Timestamp.now())!")
        }
    }
}

/// `taskbox task resume TASK [--no-wait]`: `POST …/resume` (tasks-v2.md §7.7).
struct TaskResume: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "resume", abstract: "Resume a paused task.")
    @Argument(help: "Task name, OWNER/NAME or id.") var task: String
    @Flag(name: [.short, .long], help: "Do not ask for confirmation.") var yes = false
    @Flag(name: .customLong("no-wait"), help: "Return once the resume build is queued.") var noWait = false
    @Option(help: "How long to wait for the start (Go-style duration).") var timeout: String = "2m"

    func run() async throws {
        try await reportingClientErrors {
            let client = try TaskboxClient.fromEnvironment()
            let resolved = try await client.resolveTask(task).value
            switch resolved.status {
            case "paused": break
            case "error", "unknown":
                throw CLIError("task \"\(resolved.ownerAndName)\" is in \(resolved.status) state and cannot be resumed; check the workspace build logs and agent status for details")
            default:
                throw CLIError("task \"\(resolved.ownerAndName)\" cannot be resumed (current status: \(resolved.status))")
            }
            try confirm("Resume task \(resolved.ownerAndName)?", yes: yes,
                        refusal: "refusing to resume without confirmation: stdin is not a terminal; pass -y to resume")
            _ = try await client.lifecycle(id: resolved.id, "resume")
            if noWait { return printLine("Resuming task \"\(resolved.ownerAndName)\" in the background.") }
            let limit = Duration.seconds(GoDuration.seconds(timeout) ?? 120)
            // The start build is done once the workspace runs (or the build failed).
            let after = try await waitForTask(resolved.id, client: client, limit: limit, what: "resume") { task in
                ["running", "failed", "canceled"].contains(task.v2?.workspace_status ?? "")
            }
            if after.status == "error" { throw CLIError("task \"\(resolved.ownerAndName)\" failed to resume (workspace \(after.v2?.workspace_status ?? ""))") }
            printLine("The \(resolved.ownerAndName) task has been resumed.")
        }
    }
}
