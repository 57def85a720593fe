import ArgumentParser
import Foundation
import TaskboxCore

/// `taskbox task create`: `POST /api/v2/tasks/{owner}` (experimental on older servers) with the template version
/// (and preset) looked up by name when given one.
struct TaskCreate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create", abstract: "Create a task and print its name.")
    @Option(help: "Template name (default: the only template, when there is one).") var template: String?
    @Option(name: .customLong("template-version"), help: "Template version id, instead of --template.")
    var templateVersion: String?
    @Option(help: "Preset name of the template version.") var preset: String?
    @Option(help: "Task name (default: the server picks one).") var name: String?
    @Option(name: .customLong("display-name"), help: "Display name, at most 64 bytes (default: from the prompt).")
    var displayName: String?
    @Option(help: "Username or id of the task's owner.") var owner: String = "me"
    @Flag(name: .customLong("stdin"), help: "Read the prompt from stdin.") var readStdin = false
    @Flag(name: [.short, .long], help: "Print only the task id.") var quiet = false
    @OptionGroup var output: ClientOutputOptions
    @Argument(help: "The prompt.") var prompt: String?

    func validate() throws {
        if template != nil && templateVersion != nil { throw ValidationError("give --template or --template-version, not both") }
        if readStdin && prompt != nil { throw ValidationError("give the prompt as an argument or with --stdin, not both") }
        if !readStdin && prompt == nil { throw ValidationError("missing prompt: give it as an argument or pass --stdin") }
    }

    func run() async throws {
        try await reportingClientErrors {
            let input = try argumentOrStdin(prompt, stdin: readStdin, what: "prompt")
            let client = try TaskboxClient.fromEnvironment()
            let versionID = try await resolveVersion(client)
            let presetID = try await preset.asyncMap { try await resolvePreset($0, versionID: versionID, client) }
            let created = try await client.createTask(
                owner: owner,
                .init(
                    template_version_id: versionID, template_version_preset_id: presetID, input: input, name: name,
                    display_name: displayName))
            if output.json { return try printJSON(created.json) }
            printLine(quiet ? created.value.id : created.value.name)
        }
    }

    func resolveVersion(_ client: TaskboxClient) async throws -> String {
        if let templateVersion { return templateVersion }
        let templates = try await client.templates()
        guard let template else {
            guard templates.count == 1 else {
                throw CLIError(templates.isEmpty
                    ? "the server has no templates you can use"
                    : "choose a template with --template: \(templates.map(\.name).joined(separator: ", "))")
            }
            return templates[0].active_version_id
        }
        let matches = templates.filter { $0.name.lowercased() == template.lowercased() }
        guard let match = matches.first else { throw CLIError("template \"\(template)\" not found") }
        guard matches.count == 1 else {
            let orgs = matches.map(\.organization_name).joined(separator: ", ")
            throw CLIError("template \"\(template)\" exists in several organizations (\(orgs)): use --template-version")
        }
        return match.active_version_id
    }

    func resolvePreset(_ name: String, versionID: String, _ client: TaskboxClient) async throws -> String {
        let presets = try await client.presets(templateVersionID: versionID)
        guard let match = presets.first(where: { $0.Name == name })
            ?? presets.first(where: { $0.Name.lowercased() == name.lowercased() })
        else {
            let known = presets.isEmpty ? "it has none" : "it has \(presets.map(\.Name).joined(separator: ", "))"
            throw CLIError("preset \"\(name)\" not found in template version \(versionID): \(known)")
        }
        return match.ID
    }
}

extension Optional {
    func asyncMap<U>(_ transform: (Wrapped) async throws -> U) async rethrows -> U? {
        guard let value = self else { return nil }
        return try await transform(value)
    }
}
