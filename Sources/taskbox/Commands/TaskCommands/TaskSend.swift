import ArgumentParser
import Foundation
import TaskboxCore

/// `taskbox task send TASK INPUT [--wait]`: `POST …/send`. A paused task is resumed first and
/// waited for (tasks-v2.md §7.6); with `--wait` the client also waits until the agent is idle
/// (or, on an experimental server, retries while the agent is not ready).
struct TaskSend: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "send", abstract: "Send input to a task's agent.")
    @Argument(help: "Task name, OWNER/NAME or id.") var task: String
    @Argument(help: "The input.") var input: String?
    @Flag(name: .customLong("stdin"), help: "Read the input from stdin.") var readStdin = false
    @Flag(help: "Wait until the agent accepts input instead of failing while it is busy or starting.")
    var wait = false
    @Flag(help: "When the agent is busy or starting, or the task paused (it is then resumed), queue the input on the server; queued inputs are delivered in order, one per idle agent.")
    var queue = false
    @Option(help: "How long waiting lasts at most (Go-style duration: 30s, 2m).") var timeout: String = "2m"

    static let retryInterval: Duration = .seconds(1)
    /// The task is still being built: its app will come.
    static let starting: Set<String> = ["pending", "starting"]

    func validate() throws {
        if readStdin && input != nil { throw ValidationError("give the input as an argument or with --stdin, not both") }
        if !readStdin && input == nil { throw ValidationError("missing input: give it as an argument or pass --stdin") }
        if queue && wait { throw ValidationError("--queue and --wait do not go together: a queued input waits on the server") }
        guard let seconds = GoDuration.seconds(timeout), seconds > 0 else {
            throw ValidationError("invalid --timeout \"\(timeout)\": expected a duration such as 30s or 2m")
        }
    }

    func run() async throws {
        try await reportingClientErrors {
            let text = try argumentOrStdin(input, stdin: readStdin, what: "input")
            let client = try TaskboxClient.fromEnvironment()
            let resolved = try await client.resolveTask(task).value
            let limit = Duration.seconds(GoDuration.seconds(timeout) ?? 120)
            let v2 = resolved.v2 != nil
            if queue {
                guard v2 else { throw CLIError("the server at \(client.config.url) has no follow-up queue (no /api/v2/tasks)") }
                if let queued = try await client.sendOrQueue(id: resolved.id, input: text) {
                    Terminal.writeError("Queued at position \(queued.position) (id \(queued.id)).\n")
                }
                return
            }
            guard wait || (v2 && resolved.status == "paused") else { return try await client.send(id: resolved.id, input: text) }
            let sent: Void? = try await Interrupts.cancellingOnSIGINT { [self] in
                if v2 {
                    try await sendWhenIdle(text, to: resolved, client: client, limit: limit)
                } else {
                    try await sendWhenReady(text, to: resolved, client: client, limit: limit)
                }
            }
            if sent == nil { throw ExitCode(130) }
        }
    }

    /// tasks-v2.md §7.6: by status — active waits for idle, paused is resumed, pending and
    /// initializing are waited for, anything else is refused.
    func sendWhenIdle(_ text: String, to task: TaskResponse, client: TaskboxClient, limit: Duration) async throws {
        switch task.status {
        case "active", "pending", "initializing":
            break
        case "paused":
            do {
                _ = try await client.lifecycle(id: task.id, "resume")
            } catch {
                throw CLIError("resume task \"\(task.ownerAndName)\": \(error)")
            }
        default:
            throw CLIError("task \"\(task.ownerAndName)\" has status \(task.status) and cannot be sent input")
        }
        try await waitForIdle(task, client: client, limit: limit)
        do {
            try await client.send(id: task.id, input: text)
        } catch let error as ServerResponseError {
            throw CLIError("send input to task \"\(task.ownerAndName)\": \(error)")
        }
    }

    /// Polls until the agent can take input: a finished report (`idle`, `complete`,
    /// `failed`), or an active task that never reports (after 30 s).
    func waitForIdle(_ task: TaskResponse, client: TaskboxClient, limit: Duration) async throws {
        Terminal.writeError("Waiting for task to become idle...\n")
        let start = ContinuousClock.now
        var activeSince: ContinuousClock.Instant?
        var erroredSince: ContinuousClock.Instant?
        while true {
            let current = try await client.task(id: task.id).value
            switch current.status {
            case "active":
                erroredSince = nil
                switch current.current_state?.state {
                case "idle", "complete", "failed": return
                case nil:
                    activeSince = activeSince ?? .now
                    if ContinuousClock.now - activeSince! >= .seconds(30) { return }
                default: break
                }
            case "error":
                erroredSince = erroredSince ?? .now
                if ContinuousClock.now - erroredSince! >= .seconds(300) {
                    throw CLIError("task entered error state while waiting for it to become idle")
                }
            case "paused": throw CLIError("task was paused while waiting for it to become idle")
            case "unknown": throw CLIError("task entered unknown state while waiting for it to become idle")
            default: break
            }
            guard ContinuousClock.now - start < limit else {
                throw CLIError("timed out after \(timeout) waiting for task \(task.name) to accept input (status \(current.status))")
            }
            try await Task.sleep(for: Self.retryInterval)
        }
    }

    /// On an experimental server: retries while the refusal means "not yet" — the agent is
    /// busy (502 `Task app is not ready to accept input.`), its app is starting (503, 502) or
    /// its build is not done.
    func sendWhenReady(_ text: String, to task: TaskResponse, client: TaskboxClient, limit: Duration) async throws {
        let deadline = ContinuousClock.now + limit
        var progress = ProgressLine()
        defer { progress.clear() }
        var current = task
        while true {
            do {
                return try await client.send(id: task.id, input: text)
            } catch let error as ServerResponseError {
                if ![502, 503].contains(error.status) {
                    current = try await client.task(id: task.id).value
                    guard Self.starting.contains(current.status) else { throw error }
                }
                guard ContinuousClock.now < deadline else {
                    throw CLIError("timed out after \(timeout) waiting for task \(task.name) to accept input: \(error.description)")
                }
                progress.update("Waiting for \(task.name) to accept input (\(current.status), \(current.current_state?.state ?? "no state"))…")
            }
            try await Task.sleep(for: Self.retryInterval)
        }
    }
}
