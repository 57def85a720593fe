import ArgumentParser
import Foundation
import TaskboxCore

struct Agents: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "agents", abstract: "Workspace agents.", subcommands: [Token.self])

    struct Token: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "token",
            abstract: "Print the token of an agent of a workspace's latest build (for apps taskbox does not start).")
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var output: OutputOptions
        @Option(help: "Workspace id.") var workspace: String
        @Option(help: "Agent name (default: the first agent).") var agent: String?

        func run() throws {
            try reportingErrors {
                let token = try database.open().agentToken(workspaceID: workspace, agentName: agent)
                if output.json { return try printJSON(token) }
                printLine(token.token)
            }
        }
    }
}
