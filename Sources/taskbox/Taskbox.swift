import ArgumentParser

@main
struct Taskbox: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "taskbox",
        abstract: "Coder's AI Tasks API in one binary on one SQLite file.",
        subcommands: [
            Serve.self, Users.self, Orgs.self, Tokens.self, Templates.self, Agents.self, AgentAPIEcho.self, Agent.self, Bench.self, Backup.self,
            Login.self, TaskGroup.self, Webhooks.self,
        ])
}
