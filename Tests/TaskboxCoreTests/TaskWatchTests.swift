import Foundation
import Testing
@testable import TaskboxCore

/// Issue #17: the SSE watch streams against a real `serve --demo` whose task app is the real
/// echo agent process.
@Suite(.serialized, .timeLimit(.minutes(8))) struct TaskWatchTests {
    static let greeting = #"output: Echo agent ready. Send a message and it comes back as "Echo: <message>"."#

    func createTask(_ demo: DemoServer, name: String, input: String = "first") async throws -> String {
        let r = try await http(.POST, "\(demo.url)/api/v2/tasks/me", token: demo.token,
                               body: #"{"template_version_id":"\#(demo.versionID)","input":"\#(input)","name":"\#(name)"}"#)
        #expect(r.status == 201, "\(r.body)")
        return try #require(r.object["id"] as? String)
    }

    func send(_ demo: DemoServer, _ task: String, _ input: String) async throws {
        let r = try await http(.POST, "\(demo.url)/api/v2/tasks/me/\(task)/send", token: demo.token, body: #"{"input":"\#(input)"}"#)
        #expect(r.status == 204, "\(r.body)")
    }

    /// id, event and data of each event: what "the same events" means.
    static func keys(_ events: some Sequence<ServerSentEvent>) -> [String] {
        events.map { "\($0.id ?? "-") \($0.event) \($0.data)" }
    }

    @Test func watchersSeeTheTaskThenItsLogsAndResumeWithoutGapsOrRepeats() async throws {
        let dir = TestDirectory()
        let demo = try await DemoServer.start(dir: dir)
        defer { Task { await demo.server.stop() } }
        let id = try await createTask(demo, name: "watched")
        let url = "\(demo.url)/api/v2/tasks/me/watched/watch"
        let a = EventStreamClient.open(url, token: demo.token)
        let b = EventStreamClient.open(url, token: demo.token)
        defer { a.close(); b.close() }
        for watcher in [a, b] {
            let events = await watcher.waitFor("the idle task after its first turn") { isIdle($0.lastTask) && $0.conversation.count == 3 }
            #expect(events.first?.event == "task", "the task comes first")
            #expect(events.first?.object["id"] as? String == id)
            #expect(events.conversation == [Self.greeting, "input: first", "output: Echo: first"])
            #expect(events.allSatisfy { $0.id != nil }, "every event has an id")
        }

        try await send(demo, "watched", "second")
        for watcher in [a, b] {
            await watcher.waitFor("the echo of second") { $0.logLines.contains("output: Echo: second") && isIdle($0.lastTask) }
        }
        // From the send on, both watchers got the same events, in order: the input, then its echo.
        func live(_ events: [ServerSentEvent]) -> [ServerSentEvent] {
            Array(events.drop { $0.logLine != "input: second" })
        }
        #expect(Self.keys(live(a.events)) == Self.keys(live(b.events)))
        #expect(live(a.events).logLines == ["input: second", "output: Echo: second"])
        let working = live(a.events).compactMap { event -> String? in
            guard event.event == "task" else { return nil }
            return (event.object["current_state"] as? [String: Any])?["state"] as? String
        }
        #expect(working == ["working", "idle"])

        // A reconnect with Last-Event-ID gets exactly what it missed.
        let lastID = try #require(a.events.last?.id)
        a.close()
        try await send(demo, "watched", "third")
        await b.waitFor("the echo of third") { $0.logLines.contains("output: Echo: third") && isIdle($0.lastTask) }
        let seen = b.events
        let missed = Array(seen[(try #require(seen.lastIndex { $0.id == lastID }) + 1)...])
        #expect(missed.logLines == ["input: third", "output: Echo: third"])
        for resumed in [EventStreamClient.open(url, token: demo.token, lastEventID: lastID),
                        EventStreamClient.open(url + "?after=\(lastID)", token: demo.token)] {
            defer { resumed.close() }
            await resumed.waitFor("the missed events") { $0.count >= missed.count }
            try await Task.sleep(for: .milliseconds(300))
            #expect(Self.keys(resumed.events) == Self.keys(missed), "no gap and no repeat")
        }

        // Deleting the task ends the stream.
        #expect(try await http(.DELETE, "\(demo.url)/api/v2/tasks/me/\(id)", token: demo.token).status == 202)
        let last = await b.waitFor("the end of the stream") { _ in b.ended }
        #expect(last.last?.event == "deleted" && last.last?.object["id"] as? String == id)
        await demo.server.stop()
    }

    @Test func othersGet404AndTheListStreamShowsOnlyReadableTasks() async throws {
        let dir = TestDirectory()
        let demo = try await DemoServer.start(dir: dir)
        defer { Task { await demo.server.stop() } }
        #expect(try await runTaskbox(["users", "create", "--username", "bob"], db: dir.dbPath).status == 0)
        let bob = try await runTaskbox(["tokens", "create", "--user", "bob"], db: dir.dbPath).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let mine = EventStreamClient.open("\(demo.url)/api/v2/tasks/watch?q=status:active", token: demo.token)
        let bobs = EventStreamClient.open("\(demo.url)/api/v2/tasks/watch", token: bob)
        defer { mine.close(); bobs.close() }
        let id = try await createTask(demo, name: "private")

        let denied = EventStreamClient.open("\(demo.url)/api/v2/tasks/admin/\(id)/watch", token: bob)
        #expect(await denied.waitForStatus() == 404)
        await denied.waitFor("the end of the answer") { _ in denied.ended }
        #expect(denied.state.withLock { $0.body } == #"{"message":"\#(CoderText.resourceNotFound)"}"# + "\n")
        let experimental = try await http(.GET, "\(demo.url)/api/experimental/tasks/admin/\(id)/watch", token: bob)
        #expect(experimental.status == 404)
        let badQuery = try await http(.GET, "\(demo.url)/api/v2/tasks/watch?q=status:sleeping", token: demo.token)
        #expect(badQuery.status == 400 && badQuery.object["message"] as? String == "Invalid task search query.")

        // `status:active`: the task appears once it is active, and again when its state changes.
        let events = await mine.waitFor("the task turning idle") { isIdle($0.lastTask) }
        #expect(events.allSatisfy { $0.event == "task" && $0.object["id"] as? String == id && $0.object["status"] as? String == "active" })
        #expect(bobs.events.isEmpty, "bob cannot read the task")
        await demo.server.stop()
    }

    @Test func aClientThatNeverReadsIsCutOffWithoutHoldingUpOthers() async throws {
        let dir = TestDirectory()
        let demo = try await DemoServer.start(dir: dir, arguments: ["--watch-buffer", "8"])
        defer { Task { await demo.server.stop() } }
        _ = try await createTask(demo, name: "busy")
        let url = "\(demo.url)/api/v2/tasks/me/busy/watch"
        // A reading client that resumes if it is itself cut off (possible on a loaded machine).
        let reader = EventStreamClient.open(url, token: demo.token, reconnect: true)
        defer { reader.close() }
        await reader.waitFor("the idle task") { isIdle($0.lastTask) && $0.conversation.count == 3 }
        let stalled = try StalledReader(url: url, token: demo.token)
        defer { stalled.close() }
        try await Task.sleep(for: .milliseconds(300))
        // Each turn sends ~2 × 400 KB of log data: more than the socket buffers hold (the
        // kernel grows a loopback send buffer to a few MiB).
        let big = String(repeating: "x", count: 400_000)
        for turn in 1...8 {
            let started = ContinuousClock.now
            // Queued if the agent has not settled from the previous turn yet (its status lags its answer).
            let sent = try await http(.POST, "\(demo.url)/api/v2/tasks/me/busy/send", token: demo.token,
                                      body: #"{"input":"\#(turn)\#(big)","queue":true}"#)
            #expect(sent.status == 204 || sent.status == 202, "\(sent.body.prefix(300))")
            // The echo is entry 2 × turn + 2; a prefix test keeps the check cheap on 400 KB entries.
            let echo = #"{"id":\#(2 * turn + 2),"content":"Echo: \#(turn)xxx"#
            await reader.waitFor("the echo of turn \(turn)", timeout: .seconds(90)) {
                $0.contains { $0.event == "log" && $0.data.hasPrefix(echo) }
            }
            // Generous: under the full suite the 2 cores are shared by dozens of processes.
            #expect(ContinuousClock.now - started < .seconds(90), "the reading watcher keeps up")
        }
        #expect(stalled.readsToEnd(timeout: .seconds(20)), "the stalled client's connection was closed by the server")
        #expect(demo.server.stderr.contains("watcher too far behind, disconnected"))
        await demo.server.stop()
    }

    /// The Python that has httpx-sse: `TASKBOX_SSE_PYTHON`, else the webhook tests' `.venv` (`.ci/run` sets both up).
    static var ssePython: String {
        let environment = ProcessInfo.processInfo.environment
        for name in ["TASKBOX_SSE_PYTHON", "TASKBOX_WEBHOOK_PYTHON"] {
            if let path = environment[name], !path.isEmpty { return path }
        }
        return Paths.repoRoot.appendingPathComponent(".venv/bin/python").path
    }

    /// Runs `Tests/watch/sse_client.py` until the log entry `until` (at most 60 s); its events.
    func pythonClient(_ url: String, token: String, until: String, lastEventID: String? = nil) throws -> ClientScript {
        var arguments = [Paths.repoRoot.appendingPathComponent("Tests/watch/sse_client.py").path,
                         "--url", url, "--token", token, "--until", until, "--timeout", "60"]
        if let lastEventID { arguments += ["--last-event-id", lastEventID] }
        return try ClientScript(Self.ssePython, arguments)
    }

    @Test func anSSEClientLibraryReadsTheStreamAndResumes() async throws {
        let dir = TestDirectory()
        let demo = try await DemoServer.start(dir: dir)
        defer { Task { await demo.server.stop() } }
        _ = try await createTask(demo, name: "pythonic")
        let url = "\(demo.url)/api/v2/tasks/me/pythonic/watch"
        let first = try pythonClient(url, token: demo.token, until: "Echo: first")
        #expect(await first.exit(within: .seconds(60)) == 0, "\(first.stderr)")
        let events = first.events
        #expect(events.first?["event"] as? String == "task")
        let logs = first.logLines
        #expect(Array(logs.suffix(3)) == [Self.greeting, "input: first", "output: Echo: first"])
        #expect(events.allSatisfy { ($0["id"] as? String)?.isEmpty == false }, "httpx-sse sees an id on every event")

        // Resuming from the last id with the library's Last-Event-ID gets only what came after.
        let lastID = try #require(events.last?["id"] as? String)
        let resumed = try pythonClient(url, token: demo.token, until: "Echo: again", lastEventID: lastID)
        try await Task.sleep(for: .milliseconds(500))
        try await send(demo, "pythonic", "again")
        #expect(await resumed.exit(within: .seconds(60)) == 0, "\(resumed.stderr)")
        let after = resumed.logLines
        #expect(after == ["input: again", "output: Echo: again"], "no repeat of what the first run saw")
        await demo.server.stop()
    }

    @Test func keepAliveCommentsHoldAStreamOpenPastTheIdleTimeout() async throws {
        let dir = TestDirectory()
        let demo = try await DemoServer.start(dir: dir, arguments: ["--idle-timeout", "1s", "--watch-keepalive", "300ms"])
        defer { Task { await demo.server.stop() } }
        _ = try await createTask(demo, name: "quiet")
        let url = "\(demo.url)/api/v2/tasks/me/quiet/watch"
        let watcher = EventStreamClient.open(url, token: demo.token)
        defer { watcher.close() }
        await watcher.waitFor("the idle task") { isIdle($0.lastTask) && $0.conversation.count == 3 }
        // Raw bytes: the comment lines arrive while nothing else happens.
        let raw = try StalledReader(url: url, token: demo.token)
        defer { raw.close() }
        try await Task.sleep(for: .seconds(3))
        #expect(!watcher.ended, "three idle timeouts later the stream is still open")
        #expect(raw.readAvailable().contains(": keep-alive\n\n"))
        try await send(demo, "quiet", "still there")
        await watcher.waitFor("the echo after the quiet spell") { $0.logLines.contains("output: Echo: still there") }
        await demo.server.stop()
    }

    @Test func aHundredWatchersShareOneAgentSubscription() async throws {
        let dir = TestDirectory()
        let demo = try await DemoServer.start(dir: dir)
        defer { Task { await demo.server.stop() } }
        _ = try await createTask(demo, name: "popular")
        let url = "\(demo.url)/api/v2/tasks/me/popular/watch"
        let watchers = (0..<100).map { _ in EventStreamClient.open(url, token: demo.token) }
        defer { for watcher in watchers { watcher.close() } }
        for watcher in watchers {
            await watcher.waitFor("the idle task") { isIdle($0.lastTask) && $0.conversation.count == 3 }
        }
        try await send(demo, "popular", "to everyone")
        for watcher in watchers {
            await watcher.waitFor("the echo") { $0.logLines.contains("output: Echo: to everyone") }
        }
        let subscriptions = demo.server.stderr.components(separatedBy: "watch: subscribing to the agent's events").count - 1
        #expect(subscriptions == 1)
        await demo.server.stop()
    }
}

/// A watch client that sends its request and then never reads, with a small receive buffer.
final class StalledReader: @unchecked Sendable {
    let fd: Int32

    init(url: String, token: String) throws {
        let parts = URLComponents(string: url)!
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var size: Int32 = 4096
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(parts.port!).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw ServerError("connect failed") }
        let request = "GET \(parts.path) HTTP/1.1\r\nHost: 127.0.0.1\r\nCoder-Session-Token: \(token)\r\n\r\n"
        _ = request.withCString { send(fd, $0, strlen($0), 0) }
    }

    /// Reads until the server closes the connection (true) or `timeout` passes without it (false).
    func readsToEnd(timeout: Duration) -> Bool {
        var wait = timeval(tv_sec: 1, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &wait, socklen_t(MemoryLayout<timeval>.size))
        let deadline = ContinuousClock.now + timeout
        var buffer = [UInt8](repeating: 0, count: 65536)
        while ContinuousClock.now < deadline {
            let n = recv(fd, &buffer, buffer.count, 0)
            if n == 0 { return true }
            if n < 0 && errno != EAGAIN && errno != EWOULDBLOCK { return true }
        }
        return false
    }

    /// What has arrived so far (reads for up to a second).
    func readAvailable() -> String {
        var wait = timeval(tv_sec: 1, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &wait, socklen_t(MemoryLayout<timeval>.size))
        var buffer = [UInt8](repeating: 0, count: 65536)
        let n = recv(fd, &buffer, buffer.count, 0)
        return n > 0 ? String(decoding: buffer[..<n], as: UTF8.self) : ""
    }

    func close() { _ = Glibc.close(fd) }
}

/// A script run to its end with its output in files; every wait bounded, killed if it outlives the test.
final class ClientScript: @unchecked Sendable {
    let process = Process()
    let outURL: URL
    let errURL: URL

    init(_ executable: String, _ arguments: [String]) throws {
        guard FileManager.default.isExecutableFile(atPath: executable) else {
            throw ServerError("no Python with httpx-sse at \(executable): run .ci/run (or set TASKBOX_SSE_PYTHON)")
        }
        let tag = UUID().uuidString
        outURL = FileManager.default.temporaryDirectory.appendingPathComponent("sse-\(tag).out")
        errURL = FileManager.default.temporaryDirectory.appendingPathComponent("sse-\(tag).err")
        FileManager.default.createFile(atPath: outURL.path, contents: nil)
        FileManager.default.createFile(atPath: errURL.path, contents: nil)
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = try FileHandle(forWritingTo: outURL)
        process.standardError = try FileHandle(forWritingTo: errURL)
        try process.run()
    }

    var stdout: String { (try? String(contentsOf: outURL, encoding: .utf8)) ?? "" }
    var stderr: String { (try? String(contentsOf: errURL, encoding: .utf8)) ?? "" }
    var events: [[String: Any]] {
        stdout.split(separator: "\n").compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
    }
    /// `type: content` of the printed `log` events.
    var logLines: [String] {
        events.compactMap { event in
            guard event["event"] as? String == "log", let data = event["data"] as? String else { return nil }
            return ServerSentEvent(event: "log", data: data).logLine
        }
    }

    func exit(within timeout: Duration) async -> Int32? {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning && ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(20)) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            return nil
        }
        return process.terminationStatus
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        try? FileManager.default.removeItem(at: outURL)
        try? FileManager.default.removeItem(at: errURL)
    }
}
