import Foundation

/// `serve --demo`: a ready-to-use server on a fresh database — an owner `admin`, a token,
/// and an AI template whose app is this binary's own agentapi-compatible echo agent. On a
/// database that already has them, they are reused (the token is kept, mode 0600, in
/// `<db>.demo-token`, since the database holds only its hash).
public struct Demo: Sendable {
    public struct Setup: Sendable {
        public var token: String
        public var templateVersionID: String
    }

    public static let username = "admin"
    public static let templateName = "echo-demo"

    /// The demo template: the echo agent on a free port, healthchecked on `/status`.
    public static func manifest(binary: String) -> String {
        let command = try! JSONWriter.text([binary, "agentapi-echo", "--port", "{port}"])
        return """
            {
              "name": "\(templateName)",
              "display_name": "Echo demo",
              "description": "taskbox's built-in agentapi-compatible echo agent",
              "parameters": [{"name": "AI Prompt", "type": "string", "default": ""}],
              "agents": [{
                "name": "main",
                "apps": [{
                  "slug": "agentapi",
                  "display_name": "Echo agent",
                  "url": "http://127.0.0.1:{port}",
                  "command": \(command),
                  "healthcheck": {"url": "http://127.0.0.1:{port}/status", "interval_s": 1, "threshold": 3}
                }]
              }],
              "ai_task": {"app": "agentapi"}
            }
            """
    }

    public static func prepare(database: AppDatabase, binary: String = TaskboxBinary.path) async throws -> Setup {
        if try database.user(nameOrID: username) == nil {
            _ = try database.createUser(username: username, roles: [.owner])
        }
        let tokenFile = URL(fileURLWithPath: database.path + ".demo-token")
        var token = (try? String(contentsOf: tokenFile, encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        let valid: Bool
        do {
            _ = try await Authenticator(database: database).authenticate(token: token)
            valid = true
        } catch {
            valid = false
        }
        if !valid {
            token = try database.createToken(user: username, name: "demo-\(ID.random().prefix(8))").token
            FileManager.default.createFile(atPath: tokenFile.path, contents: Data((token + "\n").utf8), attributes: [.posixPermissions: 0o600])
        }
        let versionID = try await ensureTemplate(templateName, manifest: manifest(binary: binary), database: database)
        // agents.md §5: with Claude Code on PATH, the demo can run real tasks too.
        if claudePath != nil {
            _ = try await ensureTemplate(claudeTemplateName, manifest: claudeManifest(binary: binary), database: database)
        }
        return Setup(token: token, templateVersionID: versionID)
    }

    public static let claudeTemplateName = "claude-code"

    /// `claude` on the PATH of `serve`, if any.
    static var claudePath: URL? {
        AppProcess.resolve("claude", in: URL(fileURLWithPath: "/"), path: ProcessInfo.processInfo.environment["PATH"])
    }

    /// Claude Code through the built-in adapter (`examples/claude-code.json` with this binary).
    public static func claudeManifest(binary: String) -> String {
        let command = try! JSONWriter.text(
            [binary, "agent", "claude", "--port", "{port}", "--approve", "{param:approve}", "--", "--model", "{param:model}"])
        return """
            {
              "name": "\(claudeTemplateName)",
              "display_name": "Claude Code",
              "description": "Claude Code driven by taskbox's built-in adapter",
              "parameters": [
                {"name": "AI Prompt", "type": "string", "default": ""},
                {"name": "model", "type": "string", "default": "sonnet", "options": ["sonnet", "opus", "haiku"]},
                {"name": "approve", "type": "string", "default": "edits", "options": ["all", "edits", "none"]}
              ],
              "agents": [{
                "name": "main",
                "apps": [{
                  "slug": "claude",
                  "display_name": "Claude Code",
                  "url": "http://127.0.0.1:{port}",
                  "command": \(command),
                  "env": {"ANTHROPIC_API_KEY": "{env:ANTHROPIC_API_KEY}"},
                  "healthcheck": {"url": "http://127.0.0.1:{port}/status", "interval_s": 1, "threshold": 3}
                }]
              }],
              "ai_task": {"app": "claude"}
            }
            """
    }

    /// The active version of the demo template `name`, pushed anew only when its manifest changed.
    static func ensureTemplate(_ name: String, manifest: String, database: AppDatabase) async throws -> String {
        let current = try await database.activeVersionOfDefaultOrganizationTemplate(named: name)
        if let current, current.manifest == manifest {
            return current.id
        }
        return try database.pushTemplate(manifestData: Data(manifest.utf8)).template_version_id
    }

    /// What `serve --demo` prints once listening.
    public static func instructions(_ setup: Setup, url: String) -> String {
        let auth = "-H 'Coder-Session-Token: \(setup.token)'"
        return """

            taskbox demo ready. API token for user "admin":
              \(setup.token)

            Create a task, send it a message, read its logs:
              TASK=$(curl -s \(auth) \(url)/api/experimental/tasks/me -d '{"template_version_id":"\(setup.templateVersionID)","input":"Hello, echo!"}' | sed -E 's/^\\{"id":"([^"]+)".*/\\1/')
              curl -s \(auth) \(url)/api/experimental/tasks/me/$TASK/send -d '{"input":"How are you?"}'
              curl -s \(auth) \(url)/api/experimental/tasks/me/$TASK/logs

            """
    }
}
