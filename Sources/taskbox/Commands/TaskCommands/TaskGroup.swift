import ArgumentParser
import Foundation

/// `taskbox task …`: a client of a running taskbox, like Coder's `coder exp task`. Every
/// subcommand talks HTTP to the server `taskbox login` chose (or `TASKBOX_URL`/`TASKBOX_TOKEN`).
struct TaskGroup: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "task",
        abstract: "Create, list, watch, message, pause, resume and delete tasks on a running taskbox server.",
        subcommands: [
            TaskCreate.self, TaskList.self, TaskStatus.self, TaskLogs.self, TaskSend.self, TaskPause.self, TaskResume.self,
            TaskDelete.self,
        ],
        aliases: ["tasks"])
}

/// Text from the command line, or all of stdin with `--stdin`.
func argumentOrStdin(_ argument: String?, stdin: Bool, what: String) throws -> String {
    if stdin {
        let data = FileHandle.standardInput.readDataToEndOfFile()
        return String(decoding: data, as: UTF8.self)
    }
    guard let argument else { throw CLIError("missing \(what): give it as an argument or pass --stdin") }
    return argument
}
