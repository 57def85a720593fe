import Foundation
import GRDB
import Testing
@testable import TaskboxCore

/// Issue #17: the durable follow-up queue (`send` with `"queue": true`) against a real serve
/// whose task app is the real echo agent, slowed down so that it stays busy for a while.
@Suite(.serialized, .timeLimit(.minutes(6))) struct TaskQueueTests {
    static let greeting = #"output: Echo agent ready. Send a message and it comes back as "Echo: <message>"."#

    /// A server with an owner's token and the echo agent answering after `delayMs`.
    struct Setup {
        var server: ServerProcess
        var token: String
        var version: String
        var base: String { "\(server.url)/api/v2/tasks/me" }
    }

    func start(_ dir: TestDirectory, delayMs: Int = 1500) async throws -> Setup {
        let token = try await createOwnerToken(db: dir.dbPath)
        let manifest = Demo.manifest(binary: Paths.binary)
            .replacingOccurrences(of: #""{port}"]"#, with: #""{port}","--reply-delay-ms","\#(delayMs)"]"#)
            .replacingOccurrences(of: #""name": "echo-demo""#, with: #""name": "slow-echo""#)
        #expect(manifest.contains("--reply-delay-ms"))
        let version = try await pushTemplate(manifest, in: dir)
        return Setup(server: try await ServerProcess.start(db: dir.dbPath), token: token, version: version)
    }

    func createIdleTask(_ s: Setup, name: String) async throws -> String {
        let created = try await http(.POST, s.base, token: s.token,
                                     body: #"{"template_version_id":"\#(s.version)","input":"first","name":"\#(name)"}"#)
        let id = try #require(created.object["id"] as? String, "\(created.body)")
        _ = try await waitForTask(s, id, isIdle)
        return id
    }

    func waitForTask(_ s: Setup, _ id: String, timeout: Duration = .seconds(40), _ done: ([String: Any]) -> Bool) async throws -> [String: Any] {
        try await TasksV2ServeTests().waitForTask(DemoServer(server: s.server, token: s.token, versionID: s.version), id, timeout: timeout, done)
    }

    /// Polls the live logs until `done` holds (at most `timeout`); the last lines.
    func waitForLogs(_ s: Setup, _ id: String, timeout: Duration = .seconds(40), _ done: ([String]) -> Bool) async throws -> [String] {
        let deadline = ContinuousClock.now + timeout
        var lines: [String] = []
        while ContinuousClock.now < deadline {
            let logs = try await http(.GET, "\(s.base)/\(id)/logs", token: s.token)
            lines = (logs.object["logs"] as? [[String: Any]] ?? []).map { "\($0["type"] ?? ""): \($0["content"] ?? "")" }
            if logs.status == 200 && done(lines) { return lines }
            try await Task.sleep(for: .milliseconds(100))
        }
        Issue.record("logs never matched; last: \(lines)")
        return lines
    }

    func send(_ s: Setup, _ id: String, _ input: String, queue: Bool) async throws -> HTTPResult {
        try await http(.POST, "\(s.base)/\(id)/send", token: s.token,
                       body: queue ? #"{"input":"\#(input)","queue":true}"# : #"{"input":"\#(input)"}"#)
    }

    func queue(_ s: Setup, _ id: String) async throws -> [[String: Any]] {
        let r = try await http(.GET, "\(s.base)/\(id)/queue", token: s.token)
        #expect(r.status == 200, "\(r.body)")
        return r.object["queue"] as? [[String: Any]] ?? []
    }

    @Test func inputsQueuedWhileTheAgentIsBusyArriveInOrderEachAfterThePreviousTurn() async throws {
        let dir = TestDirectory()
        // Long turns, so that the sends below all find the agent busy even on a loaded machine.
        let s = try await start(dir, delayMs: 5000)
        defer { Task { await s.server.stop() } }
        let id = try await createIdleTask(s, name: "queued")
        var r = try await send(s, id, "a", queue: true)
        #expect(r.status == 204 && r.body.isEmpty, "an idle agent takes the input at once: \(r.body)")
        r = try await send(s, id, "while busy", queue: false)
        #expect(r.status == 409 && r.object["message"] as? String == "Task app is not ready to accept input.", "without queue: as Coder")
        var ids: [String] = []
        for (position, input) in ["b", "c", "d"].enumerated() {
            r = try await send(s, id, input, queue: true)
            #expect(r.status == 202, "\(r.body)")
            #expect(r.object["queued"] as? Bool == true && r.object["position"] as? Int == position + 1)
            ids.append(try #require(r.object["id"] as? String))
        }
        let listed = try await queue(s, id)
        #expect(listed.map { $0["input"] as? String } == ["b", "c", "d"])
        #expect(listed.map { $0["id"] as? String } == ids)
        #expect(listed.map { $0["position"] as? Int } == [1, 2, 3])
        let expected = [Self.greeting, "input: first", "output: Echo: first", "input: a", "output: Echo: a",
                        "input: b", "output: Echo: b", "input: c", "output: Echo: c", "input: d", "output: Echo: d"]
        let lines = try await waitForLogs(s, id, timeout: .seconds(90)) { $0.count >= expected.count }
        #expect(lines == expected, "each queued input starts its own turn after the previous answer")
        #expect(try await queue(s, id).isEmpty)
        #expect(await s.server.stop() == 0)
    }

    @Test func aQueuedInputSurvivesASIGKILLOfServe() async throws {
        let dir = TestDirectory()
        let before = try await start(dir, delayMs: 3000)
        defer { Task { await before.server.stop() } }
        let id = try await createIdleTask(before, name: "durable")
        #expect(try await send(before, id, "a", queue: true).status == 204)
        let r = try await send(before, id, "survivor", queue: true)
        #expect(r.status == 202, "\(r.body)")
        await before.server.stop(signal: SIGKILL)
        let s = Setup(server: try await ServerProcess.start(db: dir.dbPath), token: before.token, version: before.version)
        defer { Task { await s.server.stop() } }
        // The agent starts again (its conversation from the prompt); the queue is still there.
        let lines = try await waitForLogs(s, id, timeout: .seconds(60)) { $0.contains("output: Echo: survivor") }
        #expect(lines.contains("input: survivor"))
        #expect(try await queue(s, id).isEmpty)
        #expect(await s.server.stop() == 0)
    }

    @Test func withdrawnInputsAreNotSentAndADeletedTaskDropsItsQueue() async throws {
        let dir = TestDirectory()
        let s = try await start(dir, delayMs: 5000)
        defer { Task { await s.server.stop() } }
        let id = try await createIdleTask(s, name: "withdraw")
        #expect(try await send(s, id, "a", queue: true).status == 204)
        let b = try #require(try await send(s, id, "b", queue: true).object["id"] as? String)
        _ = try await send(s, id, "c", queue: true)
        var r = try await http(.DELETE, "\(s.base)/\(id)/queue/\(b)", token: s.token)
        #expect(r.status == 204 && r.body.isEmpty)
        r = try await http(.DELETE, "\(s.base)/\(id)/queue/\(b)", token: s.token)
        #expect(r.status == 404 && r.body == #"{"message":"\#(CoderText.resourceNotFound)"}"# + "\n")
        r = try await http(.DELETE, "\(s.base)/\(id)/queue/not-a-uuid", token: s.token)
        #expect(r.status == 400 && r.object["message"] as? String == #"Invalid UUID "not-a-uuid" for queued input ID."#)
        #expect(try await queue(s, id).map { $0["input"] as? String } == ["c"])
        let lines = try await waitForLogs(s, id) { $0.contains("output: Echo: c") }
        #expect(!lines.contains("input: b"))

        // Another owner's queue is not found; a task deleted with a queue drops it.
        #expect(try await runTaskbox(["users", "create", "--username", "bob"], db: dir.dbPath).status == 0)
        let bob = try await runTaskbox(["tokens", "create", "--user", "bob"], db: dir.dbPath).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(try await http(.GET, "\(s.server.url)/api/v2/tasks/admin/\(id)/queue", token: bob).status == 404)
        _ = try await waitForTask(s, id, isIdle)
        #expect(try await send(s, id, "x", queue: true).status == 204)
        #expect(try await send(s, id, "never", queue: true).status == 202, "the agent works on x for 5 s")
        #expect(try await http(.DELETE, "\(s.base)/\(id)", token: s.token).status == 202)
        let db = try AppDatabase(path: dir.dbPath)
        let left = try await db.pool.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM task_queued_inputs") }
        #expect(left == 0)
        #expect(await s.server.stop() == 0)
    }

    @Test func aQueuedSendResumesAPausedTask() async throws {
        let dir = TestDirectory()
        let s = try await start(dir, delayMs: 300)
        defer { Task { await s.server.stop() } }
        let id = try await createIdleTask(s, name: "sleeper")
        #expect(try await http(.POST, "\(s.base)/\(id)/pause", token: s.token).status == 202)
        _ = try await waitForTask(s, id) { $0["status"] as? String == "paused" }
        var r = try await send(s, id, "wake up", queue: false)
        #expect(r.status == 409 && r.object["message"] as? String == "Task is paused.")
        r = try await send(s, id, "wake up", queue: true)
        #expect(r.status == 202 && r.object["position"] as? Int == 1, "\(r.body)")
        let resumed = try await waitForTask(s, id) { ($0["workspace_build_number"] as? Int) == 3 }
        #expect(resumed["workspace_build_number"] as? Int == 3)
        let lines = try await waitForLogs(s, id, timeout: .seconds(60)) { $0.contains("output: Echo: wake up") }
        #expect(lines == [Self.greeting, "input: first", "output: Echo: first", "input: wake up", "output: Echo: wake up"])
        #expect(await s.server.stop() == 0)
    }
}
