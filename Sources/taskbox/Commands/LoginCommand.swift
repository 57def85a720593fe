import ArgumentParser
import Foundation

/// `taskbox login URL --token TOKEN`: checks the token against the server, then stores both
/// for the client commands (`taskbox task …`).
struct Login: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "login",
        abstract: "Store a server URL and API token for the client commands (checked first).",
        discussion: """
            The login is kept in $TASKBOX_CONFIG_DIR, $XDG_CONFIG_HOME/taskbox or ~/.config/taskbox \
            (config.json, mode 0600). TASKBOX_URL and TASKBOX_TOKEN override it.
            """)
    @Argument(help: "Server URL, e.g. http://127.0.0.1:3000.") var url: String
    @Option(help: "API token (env TASKBOX_TOKEN), e.g. from `taskbox tokens create`.") var token: String?

    func run() async throws {
        try await reportingClientErrors {
            guard let token = token ?? ProcessInfo.processInfo.environment["TASKBOX_TOKEN"], !token.isEmpty else {
                throw CLIError("missing token: pass --token TOKEN or set TASKBOX_TOKEN")
            }
            let config = ClientConfig(url: try ClientConfig.normalizedURL(url), token: token)
            let user = try await TaskboxClient(config: config).me()
            try config.save()
            printLine("Logged in to \(config.url) as \(user.username)")
        }
    }
}
