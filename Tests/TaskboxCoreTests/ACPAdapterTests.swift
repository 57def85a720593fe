import AsyncHTTPClient
import Foundation
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization
import Testing
@testable import TaskboxCore

/// The Python ACP agent written for these tests (on PyPI's agent-client-protocol, installed by
/// .ci/run into .tools/acp-venv). On CI it must be there.
enum ACPTestAgent {
    static let python: String? = {
        let candidates = [ProcessInfo.processInfo.environment["TASKBOX_TEST_ACP_PYTHON"],
                          Paths.repoRoot.appendingPathComponent(".tools/acp-venv/bin/python").path].compactMap { $0 }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }()

    static var available: Bool {
        if python == nil && ProcessInfo.processInfo.environment["CI"] != "true" {
            print("Skipping ACP tests: run .ci/run to install agent-client-protocol into .tools/acp-venv (or set TASKBOX_TEST_ACP_PYTHON)")
        }
        return python != nil || ProcessInfo.processInfo.environment["CI"] == "true"
    }

    static func command(load: Bool) throws -> [String] {
        guard let python else { throw ServerError("agent-client-protocol is missing: .ci/run installs it into .tools/acp-venv") }
        let script = Paths.repoRoot.appendingPathComponent("Tests/TaskboxCoreTests/Support/acp/scripted_agent.py").path
        return [python, script] + (load ? ["--load"] : [])
    }
}

private final class Reports: AppStatusReporter {
    private let seen = Mutex<[AppStatusUpdate]>([])
    func report(_ update: AppStatusUpdate) async { seen.withLock { $0.append(update) } }
    var all: [AppStatusUpdate] { seen.withLock { $0 } }
}

/// One `taskbox agent acp` adapter, in this process, on a loopback port.
private struct RunningAdapter {
    var url: String
    var client: AgentAPIClient { AgentAPIClient(baseURL: url, requestTimeout: .seconds(10)) }

    func send(_ text: String) async throws {
        try await client.send(content: text)
    }

    /// Sends `text` and returns the agent message of the turn once the adapter is stable again.
    func turn(_ text: String) async throws -> String {
        try await send(text)
        try await settle()
        return try await client.messages().last?.content ?? ""
    }

    func settle(within limit: Duration = .seconds(30)) async throws {
        let deadline = ContinuousClock.now + limit
        while ContinuousClock.now < deadline {
            if try await client.status() == "stable" { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw ServerError("the adapter did not become stable within \(limit)")
    }
}

extension AgentProcessTests {
@Suite(.enabled(if: ACPTestAgent.available), .timeLimit(.minutes(3)))
struct ACPAdapterTests {
    let dir = TestDirectory()
    var work: URL { dir.url.appendingPathComponent("work") }

    private func withAdapter(
        load: Bool = true, approve: ApprovePolicy = .all, reporter: Reports? = nil, _ body: (RunningAdapter) async throws -> Void
    ) async throws {
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        var logger = Logger(label: "acp-test")
        logger.logLevel = .critical
        let adapter = try AgentAdapter.acp(
            options: AgentAdapterOptions(
                port: 0, directory: work, initialPrompt: nil, approve: approve, reporter: reporter,
                environment: ProcessInfo.processInfo.environment, logger: logger),
            command: try ACPTestAgent.command(load: load))
        let (ports, portInput) = AsyncStream.makeStream(of: Int.self)
        let app = adapter.buildApplication { portInput.yield($0) }
        try await withThrowingTaskGroup(of: Void.self) { group in
            let service = ServiceGroupRunner(app)
            group.addTask { try await service.run() }
            var port = 0
            for await p in ports { port = p; break }
            do {
                try await body(RunningAdapter(url: "http://127.0.0.1:\(port)"))
            } catch {
                await service.stop()
                throw error
            }
            await service.stop()
            try await group.waitForAll()
        }
    }

    @Test func chunksToolCallsPermissionsAndConfinedFiles() async throws {
        let outside = dir.url.appendingPathComponent("outside")
        try FileManager.default.createDirectory(at: outside, withIntermediateDirectories: true)
        try await withAdapter { (agent: RunningAdapter) async throws in
            let status = try await agent.client.status()
            #expect(status == "stable")
            #expect(try await agent.client.messages().map(\.content) == ["The ACP agent is ready. Send a message to start."])

            // Chunks: one message, one SSE update per chunk.
            let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: agent.url + "/events"), timeout: .seconds(30))
            var body = response.body.makeAsyncIterator()
            #expect(try await agent.turn("hello") == "Reply to: hello")
            var text = ""
            while text.components(separatedBy: "event: status_change").count < 4 {
                guard let chunk = try await body.next() else { break }
                text += String(buffer: chunk)
            }
            let updates = text.components(separatedBy: "\n\n").filter { $0.contains(#""id":2,"role":"agent""#) }
            #expect(updates.map { $0.components(separatedBy: "\"message\":\"").last?.components(separatedBy: "\"").first }
                    == ["Reply ", "Reply to: ", "Reply to: hello"])

            // A tool call, its permission, and a write through fs/write_text_file.
            let real = try #require(ACPFileSystem.realPath(work.path))
            #expect(try await agent.turn("write a.txt") == "Tool: Write a.txt \(real)/a.txt\nPermission: Write a.txt allowed\nWrote a.txt.")
            #expect(try String(contentsOf: work.appendingPathComponent("a.txt"), encoding: .utf8) == "written over ACP\n")
            #expect(try await agent.turn("read a.txt") == "Read: written over ACP\n")

            // Out of the working directory: by `..`, by absolute path, through a symlink.
            try FileManager.default.createSymbolicLink(atPath: work.appendingPathComponent("link").path, withDestinationPath: outside.path)
            for path in ["\(real)/../outside/x.txt", "\(outside.path)/x.txt", "\(real)/link/x.txt"] {
                let answer = try await agent.turn("escape \(path)")
                #expect(answer.hasPrefix("Refused: Invalid params: \(path) is outside the working directory"), "\(answer)")
            }
            #expect(try FileManager.default.contentsOfDirectory(atPath: outside.path).isEmpty)

            // Plans briefly; a line that is not JSON is recorded and the turn goes on.
            #expect(try await agent.turn("plan") == "Plan: Look around; Fix it\nPlanned.")
            #expect(try await agent.turn("garbage") == "Protocol error: the agent sent a line that is not a JSON object: this is not JSON\nSent garbage.")
        }
    }

    @Test func approvePoliciesChooseTheAgentsOwnOptions() async throws {
        try await withAdapter(approve: .edits) { (agent: RunningAdapter) async throws in
            #expect(try await agent.turn("run ls -la") == "Tool: Run ls -la\nPermission: Run denied\nRun refused.")
            #expect(try await agent.turn("write e.txt").hasSuffix("Permission: Write e.txt allowed\nWrote e.txt."))
        }
        try await withAdapter(approve: .none) { (agent: RunningAdapter) async throws in
            #expect(try await agent.turn("write n.txt").hasSuffix("Permission: Write n.txt denied\nTool failed: Write n.txt\nNot allowed to write n.txt (no)."))
            #expect(!FileManager.default.fileExists(atPath: work.appendingPathComponent("n.txt").path))
        }
    }

    @Test func interruptCancelsAndACrashMidTurnIsAFailureThenRecovers() async throws {
        let reports = Reports()
        try await withAdapter(reporter: reports) { (agent: RunningAdapter) async throws in
            try await agent.send("Take it SLOW")
            #expect(try await agent.client.status() == "running")
            try await eventually { try await agent.client.messages().last?.content == "Thinking slowly" }
            try await agent.client.send(content: "\u{3}", type: "raw")
            try await agent.settle()
            #expect(try await agent.client.messages().last?.content == "Thinking slowly\nInterrupted.")

            let crashed = try await agent.turn("crash")
            #expect(crashed.hasPrefix("Crashing\nError: The ACP agent exited (exit status 3"), "\(crashed)")
            #expect(try await agent.turn("still there?") == "Reply to: still there?")
        }
        let states = reports.all.map(\.state.rawValue)
        #expect(states == ["idle", "working", "idle", "working", "failure", "working", "idle"])
        #expect(reports.all[2] == .idle("Interrupted."))
        #expect(reports.all.last == .idle("Reply to: still there?"))
    }

    @Test func restartLoadsTheSessionWithoutRepeatingItsReplay() async throws {
        var before: [String] = []
        try await withAdapter { (agent: RunningAdapter) async throws in
            #expect(try await agent.turn("first") == "Reply to: first")
            before = try await agent.client.messages().map(\.content)
        }
        let saved = try String(contentsOf: work.appendingPathComponent(".taskbox/agent/state.json"), encoding: .utf8)
        #expect(saved.contains("Reply to: first"))
        try await withAdapter { (agent: RunningAdapter) async throws in
            #expect(try await agent.client.messages().map(\.content) == before)
            #expect(try await agent.turn("second") == "Reply to: second")
            #expect(try await agent.client.messages().map(\.content) == before + ["second", "Reply to: second"])
        }
        // An agent that cannot load sessions gets a new one, and the conversation says so.
        try await withAdapter(load: false) { (agent: RunningAdapter) async throws in
            _ = try await agent.turn("third")
            let contents = try await agent.client.messages().map(\.content)
            #expect(contents.suffix(3) == [
                "third", "The ACP agent cannot load sessions, so the earlier session was not resumed; started a new one.", "Reply to: third",
            ])
        }
    }

    /// Through a real serve: the task's prompt writes a file, logs show the turn, a follow-up
    /// works, and after serve is SIGKILLed and restarted the conversation and session go on.
    @Test func acpTaskThroughServeSurvivesARestart() async throws {
        let token = try await createOwnerToken(db: dir.dbPath)
        let command = try JSONSerialization.data(
            withJSONObject: [Paths.binary, "agent", "acp", "--port", "{port}", "--"] + ACPTestAgent.command(load: true),
            options: [.withoutEscapingSlashes])
        let manifest = """
            {"name":"acp","parameters":[{"name":"AI Prompt","type":"string","default":""}],
             "agents":[{"name":"main","apps":[{"slug":"acp","url":"http://127.0.0.1:{port}","command":\(String(decoding: command, as: UTF8.self)),
               "healthcheck":{"url":"http://127.0.0.1:{port}/status","interval_s":1,"threshold":2}}]}],
             "ai_task":{"app":"acp"}}
            """
        let version = try await pushTemplate(manifest, in: dir)

        func state(_ server: ServerProcess, _ id: String) async throws -> (String?, String?) {
            let task = try await http(.GET, server.url + "/api/experimental/tasks/me/\(id)", token: token).object
            let current = task["current_state"] as? [String: Any]
            return (current?["state"] as? String, current?["message"] as? String)
        }
        func waitFor(_ server: ServerProcess, _ id: String, _ message: String) async throws {
            for _ in 0..<600 {
                if try await state(server, id) == ("idle", message) { return }
                try await Task.sleep(for: .milliseconds(100))
            }
            throw ServerError("no idle \(message); state \(try await state(server, id)); stderr: \(server.stderr.suffix(2000))")
        }
        func logs(_ server: ServerProcess, _ id: String) async throws -> [String] {
            // The app may still be initializing (first healthcheck pending) or restarting: try again shortly.
            var response = try await http(.GET, server.url + "/api/experimental/tasks/me/\(id)/logs", token: token)
            for _ in 0..<50 where response.status == 503 || response.status == 502 {
                try await Task.sleep(for: .milliseconds(200))
                response = try await http(.GET, server.url + "/api/experimental/tasks/me/\(id)/logs", token: token)
            }
            let object = response.object
            return (object["logs"] as? [[String: Any]] ?? []).map { "\($0["type"] ?? ""): \($0["content"] ?? "")" }
        }
        func send(_ server: ServerProcess, _ id: String, _ input: String) async throws -> Int {
            for _ in 0..<100 {
                let status = try await http(.POST, server.url + "/api/experimental/tasks/me/\(id)/send", token: token, body: #"{"input":"\#(input)"}"#).status
                if status == 204 { return status }
                try await Task.sleep(for: .milliseconds(100))
            }
            return 0
        }

        var server = try await ServerProcess.start(db: dir.dbPath)
        var id = ""
        var before: [String] = []
        do {
            let created = try await http(.POST, server.url + "/api/experimental/tasks/me", token: token,
                                         body: #"{"template_version_id":"\#(version)","input":"write e2e.txt"}"#)
            id = try #require(created.object["id"] as? String)
            try await waitFor(server, id, "Wrote e2e.txt.")
            let workspace = dir.url.appendingPathComponent("workspaces/\(id)")
            #expect(try String(contentsOf: workspace.appendingPathComponent("e2e.txt"), encoding: .utf8) == "written over ACP\n")
            let real = try #require(ACPFileSystem.realPath(workspace.path))
            #expect(try await logs(server, id) == [
                "output: The ACP agent is ready. Send a message to start.", "input: write e2e.txt",
                "output: Tool: Write e2e.txt \(real)/e2e.txt\nPermission: Write e2e.txt allowed\nWrote e2e.txt.",
            ])
            #expect(try await send(server, id, "hello") == 204)
            try await waitFor(server, id, "Reply to: hello")
            before = try await logs(server, id)
        } catch {
            await server.stop()
            throw error
        }
        await server.stop(signal: SIGKILL)
        server = try await ServerProcess.start(db: dir.dbPath)
        do {
            var restored: [String] = []
            for _ in 0..<300 {
                restored = (try? await logs(server, id)) ?? []
                if restored == before { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            #expect(restored == before)
            #expect(try await send(server, id, "again") == 204)
            try await waitFor(server, id, "Reply to: again")
            #expect(try await logs(server, id) == before + ["input: again", "output: Reply to: again"])
        } catch {
            await server.stop()
            throw error
        }
        #expect(await server.stop() == 0)
    }

    /// The real command: the prompt from the environment is sent once, SIGTERM stops the agent,
    /// saves and exits 0; started again in the same directory it does not send the prompt again.
    @Test func commandSendsThePromptOnceAndStopsCleanlyOnSIGTERM() async throws {
        try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
        func start() async throws -> (Process, String, URL) {
            let out = dir.url.appendingPathComponent("adapter-\(UUID().uuidString).out")
            FileManager.default.createFile(atPath: out.path, contents: nil)
            let process = Process()
            process.executableURL = URL(fileURLWithPath: Paths.binary)
            process.arguments = ["agent", "acp", "--port", "0", "--"] + (try ACPTestAgent.command(load: true))
            process.currentDirectoryURL = work
            process.environment = ProcessInfo.processInfo.environment.merging(["TASKBOX_PARAM_AI_PROMPT": "hello from the task"]) { $1 }
            process.standardOutput = try FileHandle(forWritingTo: out)
            process.standardError = FileHandle.nullDevice
            try process.run()
            for _ in 0..<300 {
                let text = (try? String(contentsOf: out, encoding: .utf8)) ?? ""
                if let range = text.range(of: #"http://127\.0\.0\.1:\d+"#, options: .regularExpression) {
                    return (process, String(text[range]), out)
                }
                try await Task.sleep(for: .milliseconds(50))
            }
            process.terminate()
            throw ServerError("the adapter did not print its ready line")
        }
        func stop(_ process: Process) async -> Int32 {
            kill(process.processIdentifier, SIGTERM)
            for _ in 0..<300 where process.isRunning { try? await Task.sleep(for: .milliseconds(50)) }
            if process.isRunning {
                Issue.record("the adapter did not exit within 15 s of SIGTERM")
                kill(process.processIdentifier, SIGKILL)
                process.waitUntilExit()
            }
            return process.terminationStatus
        }

        var (process, url, _) = try await start()
        let agent = RunningAdapter(url: url)
        try await agent.settle()
        #expect(try await agent.client.messages().map(\.content).suffix(2) == ["hello from the task", "Reply to: hello from the task"])
        #expect(await stop(process) == 0)
        #expect(process.terminationReason == .exit)

        (process, url, _) = try await start()
        let again = RunningAdapter(url: url)
        try await again.settle()
        #expect(try await again.turn("and now?") == "Reply to: and now?")
        #expect(try await again.client.messages().filter { $0.content == "hello from the task" }.count == 1)
        #expect(await stop(process) == 0)
    }

    private func eventually(_ condition: () async throws -> Bool) async throws {
        for _ in 0..<200 {
            if try await condition() { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw ServerError("condition not met within 10 s")
    }
}

}

/// Runs an application in a ServiceGroup so a test can stop it gracefully, as SIGTERM would.
final class ServiceGroupRunner<App: ApplicationProtocol>: Sendable {
    private let group: ServiceGroup

    init(_ app: App) {
        var logger = Logger(label: "test-service-group")
        logger.logLevel = .critical
        group = ServiceGroup(configuration: .init(services: [app], logger: logger))
    }

    func run() async throws { try await group.run() }
    func stop() async { await group.triggerGracefulShutdown() }
}
