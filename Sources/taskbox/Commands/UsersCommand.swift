import Foundation
import ArgumentParser
import TaskboxCore

struct Users: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "users",
        abstract: "Manage users.", subcommands: [Create.self, List.self, Suspend.self, Activate.self])

    struct Created: Encodable {
        var id: String
        var username: String
        var email: String
        var roles: [String]
    }

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "create", abstract: "Create an active user in the default organization.")
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var output: OutputOptions
        @Option(help: "Username (letters, digits and single hyphens, at most 32).") var username: String
        @Option(help: "Email address.") var email: String = ""
        @Option(help: "Comma-separated site roles: owner, template-admin, user-admin, auditor.") var roles: String = ""

        func run() throws {
            try reportingErrors {
                var parsed: [SiteRole] = []
                for name in roles.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !name.isEmpty {
                    guard let role = SiteRole(rawValue: name) else {
                        throw CLIError("unknown role \"\(name)\" (expected owner, template-admin, user-admin or auditor)")
                    }
                    parsed.append(role)
                }
                let user = try database.open().createUser(username: username, email: email, roles: parsed)
                if output.json {
                    try printJSON(Created(id: user.id, username: user.username, email: user.email, roles: user.roles))
                } else {
                    printLine("created user \(user.username) (\(user.id))")
                }
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List users.")
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var output: OutputOptions

        func run() throws {
            try reportingErrors {
                let users = try database.open().listUsers()
                if output.json { return try printJSON(users) }
                printTable(
                    ["ID", "USERNAME", "EMAIL", "ROLES", "STATUS"],
                    users.map { [$0.id, $0.username, $0.email, $0.roles.joined(separator: ","), $0.status] })
            }
        }
    }

    struct Suspend: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "suspend", abstract: "Suspend a user: their tokens stop working.")
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "Username or id.") var user: String
        func run() throws { try Users.setStatus(database, output, user, .suspended) }
    }

    struct Activate: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "activate", abstract: "Activate a suspended user.")
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "Username or id.") var user: String
        func run() throws { try Users.setStatus(database, output, user, .active) }
    }

    static func setStatus(_ database: DatabaseOptions, _ output: OutputOptions, _ user: String, _ status: UserStatus) throws {
        try reportingErrors {
            let record = try database.open().setUserStatus(user, status)
            if output.json { return try printJSON(record) }
            printLine("user \(record.username) is \(record.status)")
        }
    }
}
