import Foundation
import Testing
@testable import TaskboxCore

/// The v2 client commands (tasks-v2.md §7): the real binary against a real `serve --demo`,
/// whose echo agent answers `Echo: <input>`: create with a display name, the v2 columns,
/// pause, logs from the snapshot, send resuming a paused task, resume.
@Suite(.timeLimit(.minutes(4))) struct TaskCLIV2Tests {
    let dir = TestDirectory()

    func run(_ arguments: [String], _ env: ClientEnvironment) async throws -> CommandResult {
        try await runClient(arguments, environment: env, timeout: .seconds(90))
    }

    func statusOf(_ task: String, _ env: ClientEnvironment) async throws -> [String: Any] {
        let r = try await run(["task", "status", task, "-o", "json"], env)
        return try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any], "\(r.stderr)")
    }

    @Test func pauseLogsSendResumeThroughTheClient() async throws {
        let demo = try await DemoServer.start(dir: dir)
        let env = ClientEnvironment(dir: dir, url: demo.url, token: demo.token)
        var r = try await run(["task", "create", "--name", "v2-task", "--display-name", "My display", "First prompt", "-o", "json"], env)
        #expect(r.status == 0, "\(r.stderr)")
        let created = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        #expect(created["display_name"] as? String == "My display" && created["status"] as? String == "pending")
        r = try await run(["task", "status", "v2-task", "--watch", "--timeout", "60s", "-o", "json"], env)
        #expect(r.status == 0, "\(r.stderr)")

        r = try await run(["task", "list", "-c", "name,display,status,workspace,healthy,state"], env)
        let row = r.stdout.split(separator: "\n").last.map { $0.split(separator: " ", omittingEmptySubsequences: true).map(String.init) }
        #expect(row == ["v2-task", "My", "display", "active", "running", "true", "idle"], "\(r.stdout)")
        r = try await run(["task", "list", "--status", "active", "-o", "json"], env)
        #expect(r.stdout.contains("\"v2-task\""))
        r = try await run(["task", "list", "--status", "paused"], env)
        #expect(r.status == 0 && r.stdout.isEmpty && r.stderr == "No tasks found.\n")

        r = try await run(["task", "resume", "v2-task", "-y"], env)
        #expect(r.status == 1 && r.stderr == "error: task \"admin/v2-task\" cannot be resumed (current status: active)\n")
        r = try await run(["task", "pause", "v2-task"], env)
        #expect(r.status == 1 && r.stderr.hasPrefix("error: refusing to pause without confirmation"))
        r = try await run(["task", "pause", "v2-task", "-y"], env)
        #expect(r.status == 0 && r.stdout.hasPrefix("The v2-task task has been paused at ") && r.stdout.hasSuffix("!\n"), "\(r.stderr)")
        #expect(try await statusOf("v2-task", env)["status"] as? String == "paused")
        r = try await run(["task", "pause", "v2-task", "-y"], env)
        #expect(r.stderr == "error: task \"admin/v2-task\" is already paused\n")

        r = try await run(["task", "logs", "v2-task"], env)
        #expect(r.status == 0 && r.stderr == "WARN: Task is paused. Showing last 3 messages from snapshot.\n", "\(r.stderr)")
        #expect(r.stdout.contains("input   First prompt") && r.stdout.contains("output  Echo: First prompt"), "\(r.stdout)")
        r = try await run(["task", "logs", "v2-task", "-o", "json"], env)
        let entries = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [[String: Any]])
        #expect(entries.map { $0["content"] as? String }
                == [#"Echo agent ready. Send a message and it comes back as "Echo: <message>"."#, "First prompt", "Echo: First prompt"])

        // send resumes the paused task, waits for the agent, then delivers.
        r = try await run(["task", "send", "v2-task", "After the pause"], env)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("Waiting for task to become idle..."))
        var logs = ""
        for _ in 0..<60 {
            logs = try await run(["task", "logs", "v2-task"], env).stdout
            if logs.contains("Echo: After the pause") { break }
            try await Task.sleep(for: .milliseconds(500))
        }
        #expect(logs.contains("Echo: After the pause"), "\(logs)")

        r = try await run(["task", "pause", "admin/v2-task", "-y"], env)
        #expect(r.status == 0, "\(r.stderr)")
        r = try await run(["task", "resume", "v2-task", "-y", "--no-wait"], env)
        #expect(r.stdout == "Resuming task \"admin/v2-task\" in the background.\n", "\(r.stderr)")
        r = try await run(["task", "status", "a/b/c"], env)
        #expect(r.stderr == "error: invalid task identifier: \"a/b/c\"\n")
        #expect(await demo.server.stop() == 0)
    }
}
