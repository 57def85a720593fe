import ArgumentParser
import Foundation
import TaskboxCore

struct Orgs: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "orgs", abstract: "Manage organizations.", subcommands: [Create.self, AddMember.self])

    struct Create: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "create", abstract: "Create an organization.")
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "Organization name.") var name: String

        func run() throws {
            try reportingErrors {
                let org = try database.open().createOrganization(name: name)
                if output.json { return try printJSON(org) }
                printLine("created organization \(org.name) (\(org.id))")
            }
        }
    }

    struct AddMember: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "add-member", abstract: "Add a user to an organization.")
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var output: OutputOptions
        @Option(help: "Organization name or id.") var org: String
        @Option(help: "Username or id.") var user: String
        @Option(help: "Comma-separated organization roles: organization-admin.") var roles: String = ""

        func run() throws {
            try reportingErrors {
                var parsed: [OrganizationRole] = []
                for name in roles.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !name.isEmpty {
                    guard let role = OrganizationRole(rawValue: name) else {
                        throw CLIError("unknown organization role \"\(name)\" (expected organization-admin)")
                    }
                    parsed.append(role)
                }
                let membership = try database.open().addMember(organization: org, user: user, roles: parsed)
                if output.json { return try printJSON(membership) }
                printLine("added \(user) to \(org)")
            }
        }
    }
}
