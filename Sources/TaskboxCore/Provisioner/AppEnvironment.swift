import Foundation

/// The environment of an app process, built on purpose (taskbox.md §2, §3): a small base taken
/// from `serve`, the template's `env` map, then the variables taskbox always sets. Nothing
/// else of `serve`'s environment (API keys, tokens) reaches an app unless its template asks.
public enum AppEnvironment {
    /// Taken from `serve` as they are: what a program needs to find tools and speak the locale.
    static let baseNames: Set<String> = ["PATH", "HOME", "USER", "LANG", "TZ", "TMPDIR", "TERM"]
    static let basePrefixes = ["LC_"]

    /// Set by taskbox for every app (taskbox.md §3); a template's `env` cannot override them.
    static let coderNames: Set<String> = [
        "CODER_AGENT_URL", "CODER_AGENT_TOKEN", "CODER_MCP_APP_STATUS_SLUG",
        "CODER_WORKSPACE_ID", "CODER_WORKSPACE_NAME", "CODER_WORKSPACE_OWNER_NAME",
    ]
    static let reservedPrefix = "TASKBOX_"

    public static func isReserved(_ name: String) -> Bool {
        coderNames.contains(name) || name.hasPrefix(reservedPrefix)
    }

    /// A portable variable name: letters, digits and underscores, not starting with a digit.
    public static func isValidName(_ name: String) -> Bool {
        guard let first = name.first, !first.isNumber else { return false }
        return name.allSatisfy { $0 == "_" || ($0.isASCII && ($0.isLetter || $0.isNumber)) }
    }

    /// The base set of `serve`'s variables an app inherits.
    static func base(of serve: [String: String]) -> [String: String] {
        serve.filter { name, _ in baseNames.contains(name) || basePrefixes.contains { name.hasPrefix($0) } }
    }

    /// `TASKBOX_PARAM_<NAME>`: upper-cased, non-alphanumerics as `_` (taskbox.md §3).
    static func parameterVariable(_ name: String) -> String {
        "TASKBOX_PARAM_" + String(name.uppercased().map { $0.isASCII && ($0.isLetter || $0.isNumber) ? $0 : "_" })
    }

    /// The task prompt's parameter (tasks-api.md §1.2) and the file in the workspace directory
    /// that holds its value whole, named by `TASKBOX_TASK_PROMPT_FILE`.
    static let promptParameter = "AI Prompt"
    static let promptFileName = "taskbox-prompt.txt"

    /// The task's prompt: the v2 task's current prompt, else the `AI Prompt` parameter.
    static func prompt(of build: SupervisedBuild) -> String? {
        build.task?.prompt ?? build.parameters.first { $0.name == promptParameter }?.value
    }

    /// Linux refuses to start a program with one `NAME=value` of 128 KiB or more (MAX_ARG_STRLEN).
    static let maxVariableBytes = 128 * 1024

    /// The whole environment of one app of a build. A variable too long to pass is left out
    /// (a long prompt then reaches the app only through its file).
    static func make(
        for supervised: SupervisedApp, in build: SupervisedBuild, directory: URL, accessURL: String, serve: [String: String]
    ) -> [String: String] {
        let app = supervised.app
        var env = base(of: serve)
        let parameters = Dictionary(build.parameters.map { ($0.name, $0.value) }, uniquingKeysWith: { a, _ in a })
        for (name, value) in supervised.environment where !isReserved(name) {
            env[name] = Placeholders.substitute(value, port: app.port, parameters: parameters, environment: serve, task: build.task)
        }
        env["CODER_AGENT_URL"] = accessURL
        env["CODER_AGENT_TOKEN"] = supervised.agentToken
        env["CODER_MCP_APP_STATUS_SLUG"] = app.slug
        env["CODER_WORKSPACE_ID"] = build.workspaceID
        env["CODER_WORKSPACE_NAME"] = build.workspaceName
        env["CODER_WORKSPACE_OWNER_NAME"] = build.ownerName
        env["TASKBOX_APP_PORT"] = String(app.port)
        // Marks every process the app starts, so stop and restart find those that leave its group.
        env["TASKBOX_WORKSPACE_DIR"] = directory.path
        // tasks-v2.md §11.2: the task's id and current prompt.
        if let task = build.task {
            env["TASKBOX_TASK_ID"] = task.id
            env["TASKBOX_TASK_PROMPT"] = task.prompt
        }
        for parameter in build.parameters {
            env[parameterVariable(parameter.name)] = parameter.value
        }
        if prompt(of: build) != nil {
            env["TASKBOX_TASK_PROMPT_FILE"] = directory.appendingPathComponent(promptFileName).path
        }
        return env.filter { name, value in name.utf8.count + 1 + value.utf8.count + 1 <= maxVariableBytes }
    }
}
