import ArgumentParser
import Foundation
import TaskboxCore

/// `taskbox task delete TASK...`: `DELETE …/{id}` for each (tasks-api.md §1.5), after a
/// confirmation read from the terminal unless `-y`.
struct TaskDelete: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "delete", abstract: "Delete tasks.", aliases: ["rm"])
    @Argument(help: "Task names, OWNER/NAME or ids.") var tasks: [String]
    @Flag(name: [.short, .long], help: "Do not ask for confirmation.") var yes = false

    static let refusal = "refusing to delete without confirmation: stdin is not a terminal; pass -y to delete"

    func validate() throws {
        if tasks.isEmpty { throw ValidationError("name at least one task") }
    }

    func run() async throws {
        try await reportingClientErrors {
            let client = try TaskboxClient.fromEnvironment()
            var resolved: [TaskResponse] = []
            for task in tasks { resolved.append(try await client.resolveTask(task).value) }
            let names = resolved.map(\.name).joined(separator: ", ")
            try confirm("Delete \(resolved.count == 1 ? "task" : "tasks") \(names)?", yes: yes, refusal: Self.refusal, declined: "nothing deleted")
            for task in resolved {
                try await client.deleteTask(id: task.id)
                printLine("Deleted task \(task.name)")
            }
        }
    }
}
