import ArgumentParser
import Foundation
import TaskboxCore

struct Templates: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "templates", abstract: "Manage templates.", subcommands: [Push.self, List.self])

    struct Push: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "push",
            abstract: "Create a template from a manifest file, or a new active version of it.")
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var output: OutputOptions
        @Option(help: "Organization name or id (default: the default organization).") var org: String?
        @Argument(help: "Manifest file (JSON, see taskbox.md §2).") var file: String

        func run() throws {
            try reportingErrors {
                guard let data = FileManager.default.contents(atPath: file) else {
                    throw CLIError("cannot read manifest file \(file)")
                }
                let result = try database.open().pushTemplate(manifestData: data, organization: org)
                if output.json { return try printJSON(result) }
                printLine("pushed template \(result.name) (version \(result.template_version_id))")
            }
        }
    }

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "List templates with their active version.")
        @OptionGroup var database: DatabaseOptions
        @OptionGroup var output: OutputOptions

        func run() throws {
            try reportingErrors {
                let templates = try database.open().listTemplates()
                if output.json { return try printJSON(templates) }
                printTable(
                    ["ID", "NAME", "ORGANIZATION", "ACTIVE VERSION", "AI TASK"],
                    templates.map { [$0.id, $0.name, $0.organization_id, $0.active_version_id, $0.has_ai_task ? "yes" : "no"] })
            }
        }
    }
}
