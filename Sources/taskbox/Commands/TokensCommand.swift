import ArgumentParser
import Foundation
import TaskboxCore

struct Tokens: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "tokens", abstract: "Manage API tokens.", subcommands: [Create.self])

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "create", abstract: "Create an API token for a user and print it.")
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var output: OutputOptions
        @Option(help: "Username or id.") var user: String
        @Option(help: "How long the token lives, Go-style: 30m, 24h, 720h.") var lifetime: String = "720h"
        @Option(help: "A name for the token, unique per user.") var name: String = ""

        func run() throws {
            try reportingErrors {
                guard let seconds = GoDuration.seconds(lifetime), seconds >= 1 else {
                    throw CLIError("invalid lifetime \"\(lifetime)\": expected a duration such as 30m, 24h or 720h, at least 1s and at most 876600h")
                }
                let token = try database.open().createToken(user: user, lifetimeSeconds: seconds, name: name)
                if output.json { return try printJSON(token) }
                printLine(token.token)
            }
        }
    }
}
