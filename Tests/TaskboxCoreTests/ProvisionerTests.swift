import Foundation
import GRDB
import Testing
@testable import TaskboxCore

/// The built-in provisioner through a real `serve` process (taskbox.md §3, issue 4): builds
/// that run app processes, health, lifecycle, stop/start/delete, failures and restarts.
@Suite(.serialized) struct ProvisionerTests {
    var dir = TestDirectory()

    /// A manifest whose app is the built-in echo agent, started through a tiny shell wrapper
    /// that records the environment it was given.
    func manifest(name: String, command: [String]? = nil, threshold: Int = 2, env: [String: String] = [:]) -> String {
        let defaultCommand = ["/bin/sh", "-c", "env > env.txt; exec \"$0\" agentapi-echo --port {port} --reply-delay-ms 100", Paths.binary]
        let cmd = try! JSONSerialization.data(withJSONObject: command ?? defaultCommand, options: [.withoutEscapingSlashes])
        let envJSON = try! JSONSerialization.data(withJSONObject: env, options: [.withoutEscapingSlashes, .sortedKeys])
        return """
            {"name":"\(name)","parameters":[{"name":"AI Prompt","type":"string","default":""}],
             "agents":[{"name":"main","apps":[{"slug":"agent","url":"http://127.0.0.1:{port}","command":\(String(decoding: cmd, as: UTF8.self)),
               "env":\(String(decoding: envJSON, as: UTF8.self)),
               "healthcheck":{"url":"http://127.0.0.1:{port}/status","interval_s":1,"threshold":\(threshold)}}]}],
             "ai_task":{"app":"agent"}}
            """
    }

    func push(_ manifest: String) async throws -> String { try await pushTemplate(manifest, in: dir) }

    func setUpUser() async throws -> String { try await createOwnerToken(db: dir.dbPath) }

    /// Polls until `check` holds for the workspace JSON (at most `timeout`).
    @discardableResult
    func waitForWorkspace(
        _ server: ServerProcess, _ id: String, token: String, timeout: Duration = .seconds(30),
        _ check: ([String: Any]) -> Bool
    ) async throws -> [String: Any] {
        let deadline = ContinuousClock.now + timeout
        var last: [String: Any] = [:]
        while ContinuousClock.now < deadline {
            last = try await http(.GET, server.url + "/api/v2/workspaces/\(id)?deleted=true", token: token).object
            if check(last) { return last }
            try await Task.sleep(for: .milliseconds(100))
        }
        Issue.record("workspace never reached the expected state; last: \(last)\nserve stderr:\n\(server.stderr.suffix(3000))")
        return last
    }

    static func build(_ w: [String: Any]) -> [String: Any] { w["latest_build"] as? [String: Any] ?? [:] }
    static func firstAgent(_ w: [String: Any]) -> [String: Any] {
        ((build(w)["resources"] as? [[String: Any]])?.first?["agents"] as? [[String: Any]])?.first ?? [:]
    }
    static func firstApp(_ w: [String: Any]) -> [String: Any] { (firstAgent(w)["apps"] as? [[String: Any]])?.first ?? [:] }

    @Test func taskGoesPendingStartingRunningThenStopsStartsAndIsDeleted() async throws {
        let token = try await setUpUser()
        let version = try await push(manifest(name: "echo", env: [
            "MODEL_KEY": "{env:TASKBOX_TEST_MODEL_KEY}", "WHERE": "{port}/{param:AI Prompt}", "UNSET": "[{env:TASKBOX_TEST_NEVER_SET}]",
        ]))
        // Secrets of serve's environment reach an app only through its template's `env` map.
        let server = try await ServerProcess.start(db: dir.dbPath, environment: [
            "TASKBOX_TEST_MODEL_KEY": "model-key-1", "TASKBOX_TEST_SECRET": "serve-secret-2", "LC_TIME": "C",
        ])
        let created = try await http(.POST, server.url + "/api/experimental/tasks/me", token: token,
                                     body: #"{"template_version_id":"\#(version)","input":"hello there","name":"my-task"}"#)
        #expect(created.status == 201, "\(created.body)")
        #expect(created.object["status"] as? String == "pending")
        let id = try #require(created.object["id"] as? String)

        let running = try await waitForWorkspace(server, id, token: token) {
            Self.build($0)["status"] as? String == "running" && Self.firstApp($0)["health"] as? String == "healthy"
                && Self.firstAgent($0)["lifecycle_state"] as? String == "ready"
        }
        #expect(Self.firstAgent(running)["status"] as? String == "connected")
        #expect(Self.build(running)["has_ai_task"] as? Bool == true)
        let job = try #require(Self.build(running)["job"] as? [String: Any])
        #expect(job["started_at"] is String && job["completed_at"] is String && job["error"] is NSNull)
        let task = try await http(.GET, server.url + "/api/experimental/tasks/me/\(id)", token: token).object
        #expect(task["status"] as? String == "running")
        #expect(task["workspace_agent_lifecycle"] as? String == "ready")
        #expect((task["workspace_agent_health"] as? [String: Any])?["healthy"] as? Bool == true)

        // The app got the documented environment, in its own 0700 directory.
        let wsDir = dir.url.appendingPathComponent("workspaces/\(id)")
        let mode = try FileManager.default.attributesOfItem(atPath: wsDir.path)[.posixPermissions] as? Int
        #expect(mode == 0o700)
        let env = try String(contentsOf: wsDir.appendingPathComponent("env.txt"), encoding: .utf8)
        let agentToken = try await runTaskbox(["agents", "token", "--workspace", id], db: dir.dbPath).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let port = try #require(URL(string: Self.firstApp(running)["url"] as? String ?? "")?.port)
        for line in ["CODER_AGENT_URL=\(server.url)", "CODER_AGENT_TOKEN=\(agentToken)", "CODER_MCP_APP_STATUS_SLUG=agent",
                     "CODER_WORKSPACE_ID=\(id)", "CODER_WORKSPACE_NAME=my-task", "CODER_WORKSPACE_OWNER_NAME=admin",
                     "TASKBOX_APP_PORT=\(port)", "TASKBOX_PARAM_AI_PROMPT=hello there"] {
            #expect(env.contains(line + "\n"), "missing \(line)")
        }
        for line in ["MODEL_KEY=model-key-1", "WHERE=\(port)/hello there", "UNSET=[]", "LC_TIME=C",
                     "PATH=\(ProcessInfo.processInfo.environment["PATH"] ?? "")"] {
            #expect(env.contains(line + "\n"), "missing \(line)")
        }
        #expect(!env.contains("serve-secret-2"), "serve's own variables must not reach the app:\n\(env)")
        #expect(!env.contains("TASKBOX_TEST_SECRET"))
        #expect(FileManager.default.fileExists(atPath: wsDir.appendingPathComponent("agent.log").path))

        // Stop: stopped, no agents, the process gone and its old token refused.
        var r = try await http(.POST, server.url + "/api/v2/workspaces/\(id)/builds", token: token, body: #"{"transition":"stop"}"#)
        #expect(r.status == 201, "\(r.body)")
        #expect(r.object["transition"] as? String == "stop" && r.object["build_number"] as? Int == 2)
        try await waitForWorkspace(server, id, token: token) { Self.build($0)["status"] as? String == "stopped" }
        await #expect(throws: (any Error).self) { _ = try await http(.GET, "http://127.0.0.1:\(port)/status", timeout: 2) }
        let stoppedTask = try await http(.GET, server.url + "/api/experimental/tasks/me/\(id)", token: token).object
        #expect(stoppedTask["status"] as? String == "stopped")
        #expect(stoppedTask["workspace_agent_id"] is NSNull)
        let oldToken = try await http(.PATCH, server.url + "/api/v2/workspaceagents/me/app-status", token: agentToken,
                                      body: #"{"app_slug":"agent","state":"idle","message":"x"}"#)
        #expect(oldToken.status == 401)

        // Start again, then delete through the tasks API.
        r = try await http(.POST, server.url + "/api/v2/workspaces/\(id)/builds", token: token, body: #"{"transition":"start"}"#)
        #expect(r.status == 201)
        try await waitForWorkspace(server, id, token: token) {
            Self.build($0)["status"] as? String == "running" && Self.firstApp($0)["health"] as? String == "healthy"
        }
        r = try await http(.DELETE, server.url + "/api/experimental/tasks/me/\(id)", token: token)
        #expect(r.status == 202)
        try await waitForWorkspace(server, id, token: token) { Self.build($0)["status"] as? String == "deleted" }
        let gone = try await http(.GET, server.url + "/api/v2/workspaces/\(id)", token: token)
        #expect(gone.status == 410)
        #expect(gone.object["message"] as? String == "Workspace \"\(id)\" was deleted, you can view this workspace by specifying '?deleted=true' and trying again.")
        let list = try await http(.GET, server.url + "/api/experimental/tasks", token: token).object
        #expect((list["tasks"] as? [Any])?.isEmpty == true)
        #expect(!FileManager.default.fileExists(atPath: wsDir.path))
        #expect(await server.stop() == 0)
    }

    @Test func commandThatCannotStartFailsTheBuildAndDyingProcessIsUnhealthy() async throws {
        let token = try await setUpUser()
        let missing = try await push(manifest(name: "missing", command: ["/nonexistent/agent", "--port", "{port}"]))
        let dies = try await push(manifest(name: "dies", command: ["/bin/sh", "-c", "exit 3"], threshold: 50))
        let server = try await ServerProcess.start(db: dir.dbPath)
        let a = try await http(.POST, server.url + "/api/experimental/tasks/me", token: token, body: #"{"template_version_id":"\#(missing)","input":"x"}"#)
        let aID = try #require(a.object["id"] as? String)
        let failed = try await waitForWorkspace(server, aID, token: token) { Self.build($0)["status"] as? String == "failed" }
        let error = (Self.build(failed)["job"] as? [String: Any])?["error"] as? String
        #expect(error?.contains("/nonexistent/agent") == true, "\(error ?? "nil")")
        // A failed first build drops out of the list (tasks-api.md §6.4).
        let list = try await http(.GET, server.url + "/api/experimental/tasks", token: token).object
        #expect((list["tasks"] as? [[String: Any]])?.contains { $0["id"] as? String == aID } == false)

        let b = try await http(.POST, server.url + "/api/experimental/tasks/me", token: token, body: #"{"template_version_id":"\#(dies)","input":"x"}"#)
        let bID = try #require(b.object["id"] as? String)
        let died = try await waitForWorkspace(server, bID, token: token) {
            // The exit is seen at once, maybe before the job completes: wait for both.
            Self.firstApp($0)["health"] as? String == "unhealthy" && Self.firstAgent($0)["lifecycle_state"] as? String == "start_error"
                && Self.build($0)["status"] as? String == "running"
        }
        #expect(Self.build(died)["status"] as? String == "running", "the job still succeeds, as a failing startup script in Coder")
        let health = Self.firstAgent(died)["health"] as? [String: Any]
        #expect(health?["reason"] as? String == "agent startup script exited with an error")
        #expect(await server.stop() == 0)
    }

    @Test func sigkillLeavesRunningJobsFailedAndRestartBringsAppsBack() async throws {
        let token = try await setUpUser()
        let echo = try await push(manifest(name: "echo"))
        // An app that ignores SIGTERM keeps its stop job running for the 10 s grace period.
        let stubborn = try await push(manifest(name: "stubborn", command: ["/bin/sh", "-c", "trap '' TERM; while true; do sleep 0.2; done"]))
        var server = try await ServerProcess.start(db: dir.dbPath)
        let e = try await http(.POST, server.url + "/api/experimental/tasks/me", token: token, body: #"{"template_version_id":"\#(echo)","input":"x"}"#)
        let echoID = try #require(e.object["id"] as? String)
        let s = try await http(.POST, server.url + "/api/experimental/tasks/me", token: token, body: #"{"template_version_id":"\#(stubborn)","input":"x"}"#)
        let stubbornID = try #require(s.object["id"] as? String)
        let before = try await waitForWorkspace(server, echoID, token: token) { Self.firstApp($0)["health"] as? String == "healthy" }
        try await waitForWorkspace(server, stubbornID, token: token) { Self.build($0)["status"] as? String == "running" }
        _ = try await http(.POST, server.url + "/api/v2/workspaces/\(stubbornID)/builds", token: token, body: #"{"transition":"stop"}"#)
        try await waitForWorkspace(server, stubbornID, token: token) { Self.build($0)["status"] as? String == "stopping" }
        let busy = try await http(.POST, server.url + "/api/v2/workspaces/\(stubbornID)/builds", token: token, body: #"{"transition":"start"}"#)
        #expect(busy.status == 409)
        #expect(busy.body == "{\"message\":\"A workspace build is already active.\"}\n")
        #expect(await server.stop(signal: SIGKILL) != 0)

        server = try await ServerProcess.start(db: dir.dbPath)
        let interrupted = try await waitForWorkspace(server, stubbornID, token: token) { Self.build($0)["status"] as? String == "failed" }
        #expect((Self.build(interrupted)["job"] as? [String: Any])?["error"] as? String == AppDatabase.restartError)
        // The running workspace's app is started again (on the port its build recorded).
        let after = try await waitForWorkspace(server, echoID, token: token) {
            Self.build($0)["status"] as? String == "running" && Self.firstApp($0)["health"] as? String == "healthy"
        }
        #expect(Self.firstApp(after)["url"] as? String == Self.firstApp(before)["url"] as? String)
        let url = try #require(Self.firstApp(after)["url"] as? String)
        // The built-in agent answers only with its agent token (taskbox sends it).
        let agentToken = try await runTaskbox(["agents", "token", "--workspace", echoID], db: dir.dbPath).stdout
            .trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(try await http(.GET, url + "/status").status == 401)
        #expect(try await http(.GET, url + "/status", headers: [("Authorization", "Bearer wrong")]).status == 401)
        #expect(try await http(.GET, url + "/status", headers: [("Authorization", "Bearer \(agentToken)")]).status == 200)
        #expect(await server.stop() == 0)
        // A graceful stop took the processes with it.
        await #expect(throws: (any Error).self) { _ = try await http(.GET, url + "/status", timeout: 2) }
        // The stubborn orphan of the killed server: stop it by hand so the test leaves nothing behind.
        let pidFile = dir.url.appendingPathComponent("workspaces/\(stubbornID)/agent.pid")
        if let pid = (try? String(contentsOf: pidFile, encoding: .utf8)).flatMap({ Int32($0) }) { kill(pid, SIGKILL) }
    }

    /// A stopped app's healthcheck ends with it (the supervisor's stop signal): its probes of
    /// the gone process would make the app `unhealthy` after `threshold` × `interval` (2 s).
    @Test func stoppingAWorkspaceEndsItsAppsHealthchecks() async throws {
        let token = try await setUpUser()
        let echo = try await push(manifest(name: "echo"))
        let server = try await ServerProcess.start(db: dir.dbPath)
        let created = try await http(.POST, server.url + "/api/experimental/tasks/me", token: token,
                                     body: #"{"template_version_id":"\#(echo)","input":"x"}"#)
        let id = try #require(created.object["id"] as? String)
        let running = try await waitForWorkspace(server, id, token: token) { Self.firstApp($0)["health"] as? String == "healthy" }
        let appID = try #require(Self.firstApp(running)["id"] as? String)
        _ = try await http(.POST, server.url + "/api/v2/workspaces/\(id)/builds", token: token, body: #"{"transition":"stop"}"#)
        try await waitForWorkspace(server, id, token: token) { Self.build($0)["status"] as? String == "stopped" }
        try await Task.sleep(for: .seconds(4))
        let db = try dir.openDatabase()
        let health = try await db.pool.read { try String.fetchOne($0, sql: "SELECT health FROM workspace_apps WHERE id = ?", arguments: [appID]) }
        #expect(health == "healthy")
        #expect(await server.stop() == 0)
    }
}
