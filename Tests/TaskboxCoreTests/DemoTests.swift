import Foundation
import GRDB
import Testing
@testable import TaskboxCore

/// `serve --demo` end to end through the real binary (issue 5): a task with the echo agent
/// goes running, takes input, shows it and the echo in its logs, and reports working → idle.
@Suite struct DemoTests {
    let dir = TestDirectory()

    func demoValues(_ stdout: String) throws -> (token: String, version: String) {
        let lines = stdout.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        let tokenLine = try #require(lines.firstIndex { $0.hasPrefix("taskbox demo ready.") })
        let token = lines[tokenLine + 1]
        let version = try #require(stdout.range(of: #""template_version_id":"([0-9a-f-]{36})""#, options: .regularExpression))
        return (token, String(stdout[version].dropFirst(23).dropLast()))
    }

    @Test func demoTaskRunsTakesInputAndReportsState() async throws {
        let server = try await ServerProcess.start(db: dir.dbPath, arguments: ["--demo"])
        var stdout = server.stdout
        for _ in 0..<100 where !stdout.contains("/logs") {
            try await Task.sleep(for: .milliseconds(20))
            stdout = server.stdout
        }
        #expect(stdout.contains("curl -s"))
        let (token, version) = try demoValues(stdout)
        #expect(stdout.contains(server.url + "/api/experimental/tasks/me"))

        let created = try await http(.POST, server.url + "/api/experimental/tasks/me", token: token,
                                     body: #"{"template_version_id":"\#(version)","input":"Hello, echo!"}"#)
        #expect(created.status == 201, "\(created.body)")
        let id = try #require(created.object["id"] as? String)

        // running, and the agent idle after handling the initial prompt.
        var task: [String: Any] = [:]
        for _ in 0..<300 {
            task = try await http(.GET, server.url + "/api/experimental/tasks/me/\(id)", token: token).object
            if task["status"] as? String == "running", (task["current_state"] as? [String: Any])?["state"] as? String == "idle" { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(task["status"] as? String == "running")
        #expect((task["current_state"] as? [String: Any])?["state"] as? String == "idle")

        // Send once the agent is stable (it may still be settling); bounded.
        let sentAt = Timestamp.now()
        var sent = HTTPResult(status: 0, body: "")
        for _ in 0..<50 {
            sent = try await http(.POST, server.url + "/api/experimental/tasks/me/\(id)/send", token: token, body: #"{"input":"How are you?"}"#)
            if sent.status == 204 { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(sent.status == 204, "\(sent.body)")

        var logs: [[String: Any]] = []
        for _ in 0..<100 {
            logs = try await http(.GET, server.url + "/api/experimental/tasks/me/\(id)/logs", token: token).object["logs"] as? [[String: Any]] ?? []
            if logs.contains(where: { $0["content"] as? String == "Echo: How are you?" }) { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        let contents = logs.map { "\($0["type"] as? String ?? ""):\($0["content"] as? String ?? "")" }
        #expect(contents.contains("input:Hello, echo!"))
        #expect(contents.contains("input:How are you?"))
        #expect(contents.contains("output:Echo: How are you?"))

        // The agent reported working, then idle, for the message (through app-status).
        var states: [String] = []
        for _ in 0..<100 {
            states = try await dir.openDatabase().pool.read {
                try String.fetchAll($0, sql: "SELECT state FROM workspace_app_statuses WHERE workspace_id = ? AND created_at >= ? ORDER BY created_at",
                                    arguments: [id, sentAt])
            }
            if states.last == "idle" && states.contains("working") { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(states.first == "working" && states.last == "idle", "\(states)")
        task = try await http(.GET, server.url + "/api/experimental/tasks/me/\(id)", token: token).object
        #expect((task["current_state"] as? [String: Any])?["state"] as? String == "idle")
        #expect(await server.stop() == 0)

        // A second start reuses the user, the token and the template.
        let again = try await ServerProcess.start(db: dir.dbPath, arguments: ["--demo"])
        for _ in 0..<100 where !again.stdout.contains("/logs") { try await Task.sleep(for: .milliseconds(20)) }
        let second = try demoValues(again.stdout)
        #expect(second.token == token && second.version == version)
        #expect(await again.stop() == 0)
        #expect(try dir.openDatabase().listUsers().count == 1)
    }

    @Test func demoAddsAClaudeCodeTemplateOnlyWhenClaudeIsOnPath() async throws {
        func templates() async throws -> [String] {
            let listed = try await runTaskbox(["templates", "list", "-o", "json"], db: dir.dbPath)
            return (try listed.json() as? [[String: Any]] ?? []).compactMap { $0["name"] as? String }.sorted()
        }
        let bare = try await ServerProcess.start(db: dir.dbPath, arguments: ["--demo"], environment: ["PATH": "/usr/bin:/bin"])
        #expect(await bare.stop() == 0)
        #expect(try await templates() == ["echo-demo"])

        // Any executable named claude on PATH will do: the demo only looks for it.
        let bin = dir.url.appendingPathComponent("bin")
        try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
        FileManager.default.createFile(atPath: bin.appendingPathComponent("claude").path, contents: Data("#!/bin/sh\n".utf8),
                                       attributes: [.posixPermissions: 0o755])
        let withClaude = try await ServerProcess.start(db: dir.dbPath, arguments: ["--demo"], environment: ["PATH": bin.path + ":/usr/bin:/bin"])
        #expect(await withClaude.stop() == 0)
        #expect(try await templates() == ["claude-code", "echo-demo"])
        let manifest = try await dir.openDatabase().pool.read {
            try String.fetchOne($0, sql: "SELECT v.manifest FROM templates t JOIN template_versions v ON v.id = t.active_version_id WHERE t.name = 'claude-code'")
        }
        #expect(manifest?.contains(#""agent", "claude", "--port", "{port}""#) == true || manifest?.contains(#""agent","claude","--port","{port}""#) == true)
        #expect(manifest?.contains(#""env": {"ANTHROPIC_API_KEY": "{env:ANTHROPIC_API_KEY}"}"#) == true)
    }
}
