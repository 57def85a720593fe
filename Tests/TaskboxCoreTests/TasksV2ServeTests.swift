import Foundation
import Testing

/// The v2 lifecycle against a real `serve --demo`, whose app is the real echo agent process:
/// pause captures the conversation before the processes stop, logs of the paused task show
/// it, resume starts the agent again and the task takes input again.
@Suite(.serialized, .timeLimit(.minutes(3))) struct TasksV2ServeTests {
    /// Polls the task until `done` holds (at most `timeout`), returning its last JSON.
    func waitForTask(
        _ demo: DemoServer, _ id: String, timeout: Duration = .seconds(40), _ done: ([String: Any]) -> Bool
    ) async throws -> [String: Any] {
        let deadline = ContinuousClock.now + timeout
        var last: [String: Any] = [:]
        while ContinuousClock.now < deadline {
            last = try await http(.GET, "\(demo.url)/api/v2/tasks/me/\(id)", token: demo.token).object
            if done(last) { return last }
            try await Task.sleep(for: .milliseconds(200))
        }
        Issue.record("task never reached the expected state; last: \(last)")
        return last
    }

    static func idle(_ task: [String: Any]) -> Bool {
        task["status"] as? String == "active" && (task["current_state"] as? [String: Any])?["state"] as? String == "idle"
    }

    /// Polls the task's logs until they read `expected` (at most 20 s); the last answer.
    func waitForLogs(_ demo: DemoServer, _ id: String, _ expected: [String]) async throws -> [String: Any] {
        let deadline = ContinuousClock.now + .seconds(20)
        var live: [String: Any] = [:]
        repeat {
            live = try await http(.GET, "\(demo.url)/api/v2/tasks/me/\(id)/logs", token: demo.token).object
            if contents(live) == expected { break }
            try await Task.sleep(for: .milliseconds(200))
        } while ContinuousClock.now < deadline
        return live
    }

    func contents(_ logs: [String: Any]) -> [String] {
        (logs["logs"] as? [[String: Any]] ?? []).map { "\($0["type"] ?? ""): \($0["content"] ?? "")" }
    }

    @Test func pauseSnapshotsTheConversationAndResumeTakesInputAgain() async throws {
        let dir = TestDirectory()
        let demo = try await DemoServer.start(dir: dir)
        defer { Task { await demo.server.stop() } }
        let base = "\(demo.url)/api/v2/tasks/me"
        let created = try await http(.POST, base, token: demo.token,
                                     body: #"{"template_version_id":"\#(demo.versionID)","input":"first prompt","name":"echo-task"}"#)
        #expect(created.status == 201, "\(created.body)")
        let id = try #require(created.object["id"] as? String)
        _ = try await waitForTask(demo, id, Self.idle)
        var r = try await http(.POST, "\(base)/echo-task/send", token: demo.token, body: #"{"input":"second message"}"#)
        #expect(r.status == 204, "\(r.body)")
        let greeting = #"output: Echo agent ready. Send a message and it comes back as "Echo: <message>"."#
        let conversation = [greeting, "input: first prompt", "output: Echo: first prompt", "input: second message", "output: Echo: second message"]
        var live = try await waitForLogs(demo, id, conversation)
        #expect(contents(live) == conversation)
        #expect(live["snapshot"] == nil)

        r = try await http(.POST, "\(base)/\(id)/pause", token: demo.token)
        #expect(r.status == 202 && (r.object["workspace_build"] as? [String: Any])?["reason"] as? String == "task_manual_pause")
        _ = try await waitForTask(demo, id) { $0["status"] as? String == "paused" }
        let paused = try await http(.GET, "\(base)/\(id)/logs", token: demo.token).object
        #expect(paused["snapshot"] as? Bool == true && paused["snapshot_at"] is String)
        #expect(contents(paused) == conversation, "the snapshot taken before the stop shows the conversation")
        r = try await http(.POST, "\(base)/\(id)/send", token: demo.token, body: #"{"input":"while paused"}"#)
        #expect(r.status == 409 && r.object["message"] as? String == "Task is paused.")

        r = try await http(.POST, "\(base)/\(id)/resume", token: demo.token)
        #expect(r.status == 202 && (r.object["workspace_build"] as? [String: Any])?["reason"] as? String == "task_resume")
        let resumed = try await waitForTask(demo, id, Self.idle)
        #expect(resumed["workspace_build_number"] as? Int == 3)
        // The echo agent keeps its conversation in memory only: once it runs again, live
        // logs start over from the task's prompt (the snapshot is what kept the rest).
        live = try await http(.GET, "\(base)/\(id)/logs", token: demo.token).object
        #expect(contents(live) == [greeting, "input: first prompt", "output: Echo: first prompt"])
        r = try await http(.POST, "\(base)/\(id)/send", token: demo.token, body: #"{"input":"after resume"}"#)
        #expect(r.status == 204, "\(r.body)")
        let after = [greeting, "input: first prompt", "output: Echo: first prompt", "input: after resume", "output: Echo: after resume"]
        live = try await waitForLogs(demo, id, after)
        #expect(contents(live) == after)
        await demo.server.stop()
    }

    /// tasks-v2.md §11.2: every start build's apps get the task's id and current prompt (as
    /// variables and as `{task:id}`/`{task:prompt}`), so a prompt edited while paused reaches
    /// the app at resume.
    @Test func appsGetTheTaskIdAndTheCurrentPrompt() async throws {
        let dir = TestDirectory()
        let manifest = dir.url.appendingPathComponent("env.json")
        try #"""
            {"name":"env-dump","agents":[{"name":"main","apps":[{"slug":"dump","url":"http://127.0.0.1:{port}",
              "command":["/bin/sh","-c","echo \"$0\" > task-arg.txt; env > env.tmp; mv env.tmp task-env.txt; exec sleep 300","{task:id}"],
              "env":{"TASK_FROM_PLACEHOLDER":"{task:prompt}"}}]}],"ai_task":{"app":"dump"}}
            """#.write(to: manifest, atomically: true, encoding: .utf8)
        let pushed = try await runTaskbox(["templates", "push", manifest.path, "-o", "json"], db: dir.dbPath)
        let version = try #require((try pushed.json() as? [String: Any])?["template_version_id"] as? String, "\(pushed.stderr)")
        #expect(try await runTaskbox(["users", "create", "--username", "alice"], db: dir.dbPath).status == 0)
        let token = try await runTaskbox(["tokens", "create", "--user", "alice"], db: dir.dbPath).stdout.trimmingCharacters(in: .newlines)
        let server = try await ServerProcess.start(db: dir.dbPath)
        let base = "\(server.url)/api/v2/tasks/me"
        let created = try await http(.POST, base, token: token, body: #"{"template_version_id":"\#(version)","input":"first prompt"}"#)
        let id = try #require(created.object["id"] as? String, "\(created.body)")
        let workspace = try #require(created.object["workspace_id"] as? String)
        let file = dir.url.appendingPathComponent("workspaces/\(workspace)/task-env.txt")

        func waitForEnvironment(containing line: String) async throws -> String {
            let deadline = ContinuousClock.now + .seconds(30)
            var text = ""
            while ContinuousClock.now < deadline {
                text = (try? String(contentsOf: file, encoding: .utf8)) ?? ""
                if text.split(separator: "\n").contains(Substring(line)) { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            return text
        }
        var env = try await waitForEnvironment(containing: "TASKBOX_TASK_PROMPT=first prompt")
        #expect(env.split(separator: "\n").contains("TASKBOX_TASK_ID=\(id)"))
        #expect(env.split(separator: "\n").contains("TASKBOX_TASK_PROMPT=first prompt"))
        #expect(env.split(separator: "\n").contains("TASK_FROM_PLACEHOLDER=first prompt"), "{task:prompt} in an env value")
        let argument = try String(contentsOf: dir.url.appendingPathComponent("workspaces/\(workspace)/task-arg.txt"), encoding: .utf8)
        #expect(argument == id + "\n", "{task:id} in the command")

        #expect(try await http(.POST, "\(base)/\(id)/pause", token: token).status == 202)
        let deadline = ContinuousClock.now + .seconds(30)
        while try await http(.GET, "\(base)/\(id)", token: token).object["status"] as? String != "paused" && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(100))
        }
        // The app serves no agentapi: the snapshot before the stop failed, the stop did not.
        let logs = try await http(.GET, "\(base)/\(id)/logs", token: token)
        #expect(logs.status == 200 && logs.body == #"{"logs":[],"snapshot":true}"# + "\n")
        try FileManager.default.removeItem(at: file)
        #expect(try await http(.PATCH, "\(base)/\(id)/input", token: token, body: #"{"input":"edited prompt"}"#).status == 204)
        #expect(try await http(.POST, "\(base)/\(id)/resume", token: token).status == 202)
        env = try await waitForEnvironment(containing: "TASKBOX_TASK_PROMPT=edited prompt")
        #expect(env.split(separator: "\n").contains("TASKBOX_TASK_PROMPT=edited prompt"))
        #expect(await server.stop() == 0)
    }
}
