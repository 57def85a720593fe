import ArgumentParser
import Foundation
import TaskboxCore

/// `taskbox task send TASK INPUT [--wait]`: `POST …/send` (tasks-api.md §1.6). With `--wait`
/// the refusals of an agent that is not ready yet are waited out instead of reported.
struct TaskSend: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "send", abstract: "Send input to a task's agent.")
    @Argument(help: "Task name, OWNER/NAME or id.") var task: String
    @Argument(help: "The input.") var input: String?
    @Flag(name: .customLong("stdin"), help: "Read the input from stdin.") var readStdin = false
    @Flag(help: "Wait until the agent accepts input instead of failing while it is busy or starting.")
    var wait = false
    @Option(help: "How long --wait waits at most (Go-style duration: 30s, 2m).") var timeout: String = "2m"

    static let retryInterval: Duration = .seconds(1)
    /// The task is still being built: its app will come.
    static let starting: Set<String> = ["pending", "starting"]

    func validate() throws {
        if readStdin && input != nil { throw ValidationError("give the input as an argument or with --stdin, not both") }
        if !readStdin && input == nil { throw ValidationError("missing input: give it as an argument or pass --stdin") }
        guard let seconds = GoDuration.seconds(timeout), seconds > 0 else {
            throw ValidationError("invalid --timeout \"\(timeout)\": expected a duration such as 30s or 2m")
        }
    }

    func run() async throws {
        try await reportingClientErrors {
            let text = try argumentOrStdin(input, stdin: readStdin, what: "input")
            let client = try TaskboxClient.fromEnvironment()
            let resolved = try await client.resolveTask(task).value
            guard wait else { return try await client.send(id: resolved.id, input: text) }
            let limit = Duration.seconds(GoDuration.seconds(timeout) ?? 120)
            let sent: Void? = try await Interrupts.cancellingOnSIGINT { [self] in
                try await sendWhenReady(text, to: resolved, client: client, limit: limit)
            }
            if sent == nil { throw ExitCode(130) }
        }
    }

    /// Retries while the refusal means "not yet": the agent is busy (502 `Task app is not
    /// ready to accept input.`), its app is starting (503, 502) or its build is not done.
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
