import Foundation
import Testing
@testable import TaskboxCore

/// `taskbox agent claude` end to end (issue #14): a real `serve`, the real Claude Code CLI, and
/// a scripted Messages API. Every wait is bounded; serve is always stopped, which stops the
/// adapters and their Claude processes.
/// The tests that run real agent processes (Claude Code, Python ACP agents) take a lot of CPU
/// while they start; one at a time, they leave the timing tests of other suites their margins.
@Suite(.serialized) struct AgentProcessTests {}

extension AgentProcessTests {
@Suite(.enabled(if: ClaudeBinary.available), .timeLimit(.minutes(5)))
struct ClaudeAdapterTests {
    let dir = TestDirectory()

    /// A template whose AI app is the adapter, with what Claude needs named in the app's `env`
    /// map (taskbox.md §2). `approve` is fixed per template.
    func manifest(name: String, approve: String) throws -> String {
        let command = try JSONSerialization.data(
            withJSONObject: [Paths.binary, "agent", "claude", "--port", "{port}", "--bin", try ClaudeBinary.require(), "--approve", approve],
            options: [.withoutEscapingSlashes])
        return """
            {"name":"\(name)","parameters":[{"name":"AI Prompt","type":"string","default":""}],
             "agents":[{"name":"main","apps":[{"slug":"claude","url":"http://127.0.0.1:{port}",
               "command":\(String(decoding: command, as: UTF8.self)),
               "env":{"ANTHROPIC_BASE_URL":"{env:ANTHROPIC_BASE_URL}","ANTHROPIC_API_KEY":"{env:ANTHROPIC_API_KEY}",
                      "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC":"1"},
               "healthcheck":{"url":"http://127.0.0.1:{port}/status","interval_s":1,"threshold":2}}]}],
             "ai_task":{"app":"claude"}}
            """
    }

    func startServe(modelPort: Int) async throws -> ServerProcess {
        try await ServerProcess.start(
            db: dir.dbPath, environment: ClaudeBinary.environment(modelPort: modelPort, home: dir.url.appendingPathComponent("home")))
    }

    /// The scripted model on a loopback port while `body` runs.
    func withModel(_ body: (ScriptedModel, Int) async throws -> Void) async throws {
        let model = ScriptedModel()
        let (ports, portInput) = AsyncStream.makeStream(of: Int.self)
        let app = model.application { portInput.yield($0) }
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await app.run() }
            defer { group.cancelAll() }
            var port = 0
            for await p in ports { port = p; break }
            try await body(model, port)
        }
    }

    /// Runs `body` against a serve that is stopped afterwards whatever happens.
    func withServe(modelPort: Int, _ body: (ServerProcess) async throws -> Void) async throws {
        let server = try await startServe(modelPort: modelPort)
        do {
            try await body(server)
        } catch {
            Issue.record("serve stderr:\n\(server.stderr.split(separator: "\n").filter { !$0.contains(" info taskbox: duration_us") }.suffix(30).joined(separator: "\n"))")
            await server.stop()
            throw error
        }
        if server.process.isRunning { #expect(await server.stop() == 0) }
    }

    func task(_ server: ServerProcess, _ id: String, _ token: String) async throws -> [String: Any] {
        try await http(.GET, server.url + "/api/experimental/tasks/me/\(id)", token: token).object
    }

    static func state(_ task: [String: Any]) -> (state: String?, message: String?) {
        let current = task["current_state"] as? [String: Any]
        return (current?["state"] as? String, current?["message"] as? String)
    }

    @discardableResult
    func waitForTask(
        _ server: ServerProcess, _ id: String, _ token: String, _ what: String, timeout: Duration = .seconds(60),
        _ check: ([String: Any]) -> Bool
    ) async throws -> [String: Any] {
        let deadline = ContinuousClock.now + timeout
        var last: [String: Any] = [:]
        while ContinuousClock.now < deadline {
            last = try await task(server, id, token)
            if check(last) { return last }
            try await Task.sleep(for: .milliseconds(100))
        }
        let logs = try? await self.logs(server, id, token)
        throw ServerError("waited \(timeout) for \(what); task: \(Self.state(last)) \(last["status"] ?? "")\nlogs: \(logs ?? [])\nserve stderr:\n\(server.stderr.split(separator: "\n").filter { !$0.contains(" info taskbox: duration_us") }.suffix(30).joined(separator: "\n"))")
    }

    func logs(_ server: ServerProcess, _ id: String, _ token: String) async throws -> [(type: String, content: String)] {
        // The app may still be initializing (its first healthcheck pending) or restarting: try
        // again shortly, as the answer says.
        var response = try await http(.GET, server.url + "/api/experimental/tasks/me/\(id)/logs", token: token)
        for _ in 0..<50 where response.status == 503 || response.status == 502 {
            try await Task.sleep(for: .milliseconds(200))
            response = try await http(.GET, server.url + "/api/experimental/tasks/me/\(id)/logs", token: token)
        }
        #expect(response.status == 200, "logs: \(response.body)")
        let object = response.object
        return (object["logs"] as? [[String: Any]] ?? []).map { ($0["type"] as? String ?? "", $0["content"] as? String ?? "") }
    }

    func send(_ server: ServerProcess, _ id: String, _ token: String, _ input: String) async throws -> HTTPResult {
        let body = String(decoding: try JSONSerialization.data(withJSONObject: ["input": input]), as: UTF8.self)
        return try await http(.POST, server.url + "/api/experimental/tasks/me/\(id)/send", token: token, body: body)
    }

    /// The adapter's own URL, from the workspace's app.
    /// The adapter's URL and the header it requires: the build's agent token, as taskbox sends it.
    func appURL(_ server: ServerProcess, _ id: String, _ token: String) async throws -> (url: String, headers: [(String, String)]) {
        let workspace = try await http(.GET, server.url + "/api/v2/workspaces/\(id)", token: token).object
        let build = workspace["latest_build"] as? [String: Any]
        let agent = ((build?["resources"] as? [[String: Any]])?.first?["agents"] as? [[String: Any]])?.first
        let app = (agent?["apps"] as? [[String: Any]])?.first
        let printed = try await runTaskbox(["agents", "token", "--workspace", id, "-o", "json"], db: dir.dbPath)
        let agentToken = try #require((try printed.json() as? [String: Any])?["token"] as? String, "\(printed.stderr)")
        return (try #require(app?["url"] as? String), [("Authorization", "Bearer \(agentToken)")])
    }

    /// The Claude process working in `directory` (found through /proc, as it is not our child).
    static func claudePIDs(in directory: URL, binary: String) -> [Int32] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap(Int32.init).filter { pid in
            guard let cwd = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/\(pid)/cwd"),
                  cwd == directory.resolvingSymlinksInPath().path,
                  let cmdline = try? Data(contentsOf: URL(fileURLWithPath: "/proc/\(pid)/cmdline"))
            else { return false }
            return cmdline.split(separator: 0).first.map { String(decoding: $0, as: UTF8.self) } == binary
        }
    }

    @Test func claudeTaskWritesAFileTalksIsInterruptedSurvivesRestartsAndAgentDeath() async throws {
        let token = try await createOwnerToken(db: dir.dbPath)
        let version = try await pushTemplate(try manifest(name: "claude-code", approve: "all"), in: dir)
        let binary = try ClaudeBinary.require()
        try await withModel { model, modelPort in
            var id = ""
            var logsBeforeRestart: [String] = []
            try await withServe(modelPort: modelPort) { server in
                let createdAt = ContinuousClock.now
                let created = try await http(.POST, server.url + "/api/experimental/tasks/me", token: token,
                                             body: #"{"template_version_id":"\#(version)","input":"Please write hello.txt"}"#)
                #expect(created.status == 201, "\(created.body)")
                id = try #require(created.object["id"] as? String)

                // The initial prompt: Claude writes the file with its Write tool, and the turn ends idle.
                try await waitForTask(server, id, token, "the first idle") { task in
                    Self.state(task).state == "idle" && Self.state(task).message == "Wrote hello.txt."
                }
                print("ClaudeAdapterTests: create → first idle took \(ContinuousClock.now - createdAt)")
                let workspace = dir.url.appendingPathComponent("workspaces/\(id)")
                #expect(try String(contentsOf: workspace.appendingPathComponent("hello.txt"), encoding: .utf8) == ScriptedModel.writtenContent)
                var logs = try await logs(server, id, token)
                #expect(logs.first?.type == "output")
                #expect(logs.first?.content == "Claude Code is ready. Send a message to start.")
                #expect(logs.dropFirst().first.map { [$0.type, $0.content] } == ["input", "Please write hello.txt"])
                let firstTurn = logs.dropFirst(2).first
                #expect(firstTurn?.type == "output")
                #expect(firstTurn?.content == "I will write hello.txt.\nTool: Write \(workspace.resolvingSymlinksInPath().path)/hello.txt\nPermission: Write allowed\nWrote hello.txt.")

                // A follow-up gets a second turn.
                #expect(try await send(server, id, token, "How are you?").status == 204)
                try await waitForTask(server, id, token, "the reply") { Self.state($0).message == "Reply to: How are you?" }
                logs = try await self.logs(server, id, token)
                #expect(logs.suffix(2).map(\.content) == ["How are you?", "Reply to: How are you?"])

                // A long turn: working, a second send refused as agentapi refuses it, then an interrupt ends it.
                #expect(try await send(server, id, token, "Take it SLOW").status == 204)
                try await waitForTask(server, id, token, "working on the slow turn") {
                    Self.state($0).state == "working" && Self.state($0).message == "Take it SLOW"
                }
                let (app, agentHeaders) = try await appURL(server, id, token)
                let anonymous = try await http(.GET, app + "/status")
                #expect(anonymous.status == 401, "the adapter answers only with the agent token")
                try await waitForAgentText(app, "Thinking slowly", headers: agentHeaders)
                let refused = try await send(server, id, token, "Are you there?")
                #expect(refused.status == 502)
                #expect(refused.object["message"] as? String == "Task app is not ready to accept input.")
                let direct = try await http(.POST, app + "/message", body: #"{"content":"Are you there?","type":"user"}"#, headers: agentHeaders)
                #expect(direct.status == 500)
                #expect(direct.body.contains("message can only be sent when the agent is waiting for user input"))
                let interrupted = try await http(.POST, app + "/message", body: #"{"content":"\u001b","type":"raw"}"#, headers: agentHeaders)
                #expect(interrupted.status == 200)
                try await waitForTask(server, id, token, "the interrupt", timeout: .seconds(20)) {
                    Self.state($0).state == "idle" && Self.state($0).message == "Interrupted."
                }
                logs = try await self.logs(server, id, token)
                #expect(logs.last?.content == "Thinking slowly\nInterrupted.")

                // Usage is summed in /status.
                let status = try await http(.GET, app + "/status", headers: agentHeaders).object
                #expect(status["status"] as? String == "stable")
                #expect(status["agent_type"] as? String == "claude")
                #expect(status["transport"] as? String == "stream-json")
                let usage = status["usage"] as? [String: Any] ?? [:]
                #expect((usage["turns"] as? Int ?? 0) >= 3)
                #expect((usage["output_tokens"] as? Int ?? 0) > 0)
                #expect((usage["cost_usd"] as? Double ?? 0) > 0)
                logsBeforeRestart = logs.map(\.content)

                // serve dies without a chance to stop anything.
                await server.stop(signal: SIGKILL)
            }
            try await withServe(modelPort: modelPort) { server in
                try await waitForTask(server, id, token, "the restarted app") { task in
                    task["status"] as? String == "running" && (task["workspace_agent_health"] as? [String: Any])?["healthy"] as? Bool == true
                }
                // The conversation survived (once the restarted adapter answers); the next turn resumes Claude's session.
                var logs: [(type: String, content: String)] = []
                for _ in 0..<300 {
                    logs = (try? await self.logs(server, id, token)) ?? []
                    if logs.map(\.content) == logsBeforeRestart { break }
                    try await Task.sleep(for: .milliseconds(100))
                }
                #expect(logs.map(\.content) == logsBeforeRestart)
                let before = model.requests.count
                var sent = HTTPResult(status: 0, body: "")
                for _ in 0..<50 {
                    sent = try await send(server, id, token, "After the restart")
                    if sent.status == 204 { break }
                    try await Task.sleep(for: .milliseconds(200))
                }
                #expect(sent.status == 204, "\(sent.body)")
                try await waitForTask(server, id, token, "the reply after the restart") { Self.state($0).message == "Reply to: After the restart" }
                let resumed = try #require(model.requests.dropFirst(before).first)
                #expect(resumed.contains("Please write hello.txt") && resumed.contains("How are you?"), "the resumed request carries the earlier messages")

                // The Claude process dies: failure is reported, and the next message starts it again.
                let workspace = dir.url.appendingPathComponent("workspaces/\(id)")
                let pids = Self.claudePIDs(in: workspace, binary: binary)
                #expect(pids.count == 1)
                for pid in pids { kill(pid, SIGKILL) }
                try await waitForTask(server, id, token, "the failure report") { Self.state($0).state == "failure" }
                logs = try await self.logs(server, id, token)
                #expect(logs.last?.content.hasPrefix("Claude Code exited (killed by signal 9)") == true, "\(logs.last?.content ?? "")")
                #expect(try await send(server, id, token, "Are you back?").status == 204)
                try await waitForTask(server, id, token, "the reply after the crash") { Self.state($0).message == "Reply to: Are you back?" }
                let last = try #require(model.requests.last)
                #expect(last.contains("After the restart"), "the restarted Claude resumed the session")
            }
        }
    }

    @Test func approveNoneDeniesTheWrite() async throws {
        let token = try await createOwnerToken(db: dir.dbPath)
        let version = try await pushTemplate(try manifest(name: "claude-none", approve: "none"), in: dir)
        try await withModel { _, modelPort in
            try await withServe(modelPort: modelPort) { server in
                let created = try await http(.POST, server.url + "/api/experimental/tasks/me", token: token,
                                             body: #"{"template_version_id":"\#(version)","input":"Please write denied.txt"}"#)
                let id = try #require(created.object["id"] as? String)
                try await waitForTask(server, id, token, "the turn") {
                    Self.state($0).state == "idle" && Self.state($0).message == "The write of denied.txt was refused."
                }
                let workspace = dir.url.appendingPathComponent("workspaces/\(id)")
                #expect(!FileManager.default.fileExists(atPath: workspace.appendingPathComponent("denied.txt").path))
                let logs = try await self.logs(server, id, token)
                #expect(logs.last?.content == "I will write denied.txt.\nTool: Write \(workspace.resolvingSymlinksInPath().path)/denied.txt\nPermission: Write denied\nThe write of denied.txt was refused.")
            }
        }
    }

    /// Waits until the adapter's last message contains `text`.
    func waitForAgentText(_ app: String, _ text: String, headers: [(String, String)]) async throws {
        for _ in 0..<200 {
            let messages = try await http(.GET, app + "/messages", headers: headers).object["messages"] as? [[String: Any]] ?? []
            if (messages.last?["content"] as? String)?.contains(text) == true { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw ServerError("the agent never said \(text)")
    }
}
}
