import Foundation
import Testing
@testable import TaskboxCore

/// Issue #17 through the real client binary: `task status --watch` and `task logs --follow`
/// read the watch stream (no polling), `--follow` survives a restart of serve and ends when
/// the task is deleted; `task send --queue`.
@Suite(.serialized, .timeLimit(.minutes(4))) struct TaskWatchCLITests {
    /// A port nobody listens on right now, so a restarted serve can take the same one.
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { throw ServerError("no free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// GETs of the task itself in serve's request log: what a polling client would make.
    static func taskReads(_ server: ServerProcess, _ name: String) -> Int {
        server.stderr.split(separator: "\n").filter { $0.contains("GET") && $0.contains("/api/v2/tasks/me/\(name) ") }.count
    }

    @Test func statusWatchAndLogsFollowReadTheStreamAndSendQueues() async throws {
        let dir = TestDirectory()
        let port = try Self.freePort()
        let demo = try await DemoServer.start(dir: dir, arguments: ["--listen", "127.0.0.1:\(port)"])
        defer { Task { await demo.server.stop() } }
        let env = ClientEnvironment(dir: dir, url: demo.url, token: demo.token)
        var r = try await runClient(["task", "create", "--name", "cli-watch", "hello", "-o", "json"], environment: env)
        #expect(r.status == 0, "\(r.stderr)")
        let readsBefore = Self.taskReads(demo.server, "cli-watch")
        r = try await runClient(["task", "status", "cli-watch", "--watch", "--timeout", "60s", "-o", "json"], environment: env, timeout: .seconds(90))
        #expect(r.status == 0, "\(r.stderr)")
        let states = r.stdout.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
        #expect(isIdle(states.last), "a line per change, the last one idle: \(r.stdout)")
        #expect(Self.taskReads(demo.server, "cli-watch") - readsBefore <= 1, "resolved once, then only the stream")

        let follow = try ClientProcess(["task", "logs", "cli-watch", "--follow", "-o", "json"], environment: env)
        func entries() -> [String] {
            follow.stdout.split(separator: "\n").compactMap { line in
                guard let entry = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else { return nil }
                return "\(entry["type"] ?? ""): \(entry["content"] ?? "")"
            }
        }
        let greeting = #"output: Echo agent ready. Send a message and it comes back as "Echo: <message>"."#
        #expect(await follow.waitForOutput(within: .seconds(20)) { _ in entries().count == 3 })
        #expect(entries() == [greeting, "input: hello", "output: Echo: hello"])

        r = try await runClient(["task", "send", "cli-watch", "--queue", "one"], environment: env)
        #expect(r.status == 0 && r.stderr.isEmpty, "the idle agent takes it at once: \(r.stderr)")
        // Queued if the agent is still busy with one, sent at once otherwise: the order holds either way.
        r = try await runClient(["task", "send", "cli-watch", "--queue", "two"], environment: env)
        #expect(r.status == 0, "\(r.stderr)")
        let expected = [greeting, "input: hello", "output: Echo: hello", "input: one", "output: Echo: one", "input: two", "output: Echo: two"]
        #expect(await follow.waitForOutput(within: .seconds(20)) { _ in entries().count >= expected.count })
        #expect(entries() == expected, "each entry once, in order")

        // serve restarts on the same port: the client reconnects and goes on.
        #expect(await demo.server.stop() == 0)
        let again = try await ServerProcess.start(db: dir.dbPath, arguments: ["--listen", "127.0.0.1:\(port)"])
        defer { Task { await again.stop() } }
        #expect(again.url == demo.url)
        let deadline = ContinuousClock.now + .seconds(30)
        while !again.stderr.contains("/watch") && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(again.stderr.contains("/watch"), "the client reconnected to the new serve")
        #expect(follow.process.isRunning, "the client waits through the restart")
        let taskID = try #require(try await http(.GET, "\(again.url)/api/v2/tasks/me/cli-watch", token: demo.token).object["id"] as? String)
        #expect(try await http(.DELETE, "\(again.url)/api/v2/tasks/me/\(taskID)", token: demo.token).status == 202)
        #expect(await follow.exit(within: .seconds(30)) == 0, "the task is gone: --follow ends")
        #expect(entries().count >= expected.count && Array(entries().prefix(expected.count)) == expected, "nothing repeated")
        #expect(await again.stop() == 0)
    }

    @Test func sendQueueOnAPausedTaskSaysWhereTheInputWaits() async throws {
        let dir = TestDirectory()
        let demo = try await DemoServer.start(dir: dir)
        defer { Task { await demo.server.stop() } }
        let env = ClientEnvironment(dir: dir, url: demo.url, token: demo.token)
        var r = try await runClient(["task", "create", "--name", "napping", "hello"], environment: env)
        #expect(r.status == 0, "\(r.stderr)")
        r = try await runClient(["task", "status", "napping", "--watch", "--timeout", "60s"], environment: env, timeout: .seconds(90))
        #expect(r.status == 0, "\(r.stderr)")
        r = try await runClient(["task", "pause", "napping", "-y"], environment: env, timeout: .seconds(90))
        #expect(r.status == 0, "\(r.stderr)")
        r = try await runClient(["task", "send", "napping", "--queue", "wake up"], environment: env)
        #expect(r.status == 0 && r.stdout.isEmpty, "\(r.stderr)")
        #expect(r.stderr.hasPrefix("Queued at position 1 (id ") && r.stderr.hasSuffix(").\n"), "\(r.stderr)")
        r = try await runClient(["task", "send", "napping", "--queue", "--wait", "x"], environment: env)
        #expect(r.status != 0 && r.stderr.contains("--queue and --wait do not go together"))
        // The paused task was resumed; the input reaches the agent once it is idle.
        let deadline = ContinuousClock.now + .seconds(60)
        var logs = ""
        while !logs.contains("Echo: wake up") && ContinuousClock.now < deadline {
            logs = try await runClient(["task", "logs", "napping"], environment: env).stdout
            try await Task.sleep(for: .milliseconds(300))
        }
        #expect(logs.contains("input   wake up") && logs.contains("output  Echo: wake up"), "\(logs)")
        await demo.server.stop()
    }
}
