import Foundation
import TaskboxCore
import Testing

/// `serve` under pressure through the real binary (issue 13 items 5, 6, 7, 10): idle and
/// half-open connections, a model API that is down, long prompts, the sandbox.
@Suite(.serialized) struct ServeHardeningTests {
    let dir = TestDirectory()

    /// A plain TCP connection to the server that sends `bytes` (maybe nothing) and then waits.
    static func connect(port: Int, sending bytes: String = "") -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let ok = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        if ok != 0 { close(fd); return -1 }
        if !bytes.isEmpty { _ = bytes.withCString { send(fd, $0, strlen($0), 0) } }
        return fd
    }

    /// True when the server closed the connection within `timeout` (read returns 0 or an error).
    /// Polls without blocking a thread: Swift Testing runs tests on the cooperative pool (as
    /// many threads as cores), and a blocking wait there would stall every other test.
    static func closedByServer(_ fd: Int32, within timeout: Duration) async -> Bool {
        var pollFD = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            guard poll(&pollFD, 1, 0) > 0 else {
                try? await Task.sleep(for: .milliseconds(50))
                continue
            }
            var buffer = [UInt8](repeating: 0, count: 4096)
            let n = recv(fd, &buffer, buffer.count, 0)
            if n <= 0 { return true }
        }
        return false
    }

    static func port(_ server: ServerProcess) -> Int { URL(string: server.url)?.port ?? 0 }

    @Test func idleConnectionsNeitherStarveTheServerNorStayForever() async throws {
        // serve starts with the soft descriptor limit many machines have (1024) and raises it.
        var limit = rlimit()
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        try #require(limit.rlim_max >= 4096, "this test needs a hard descriptor limit of at least 4096")
        let server = try await ServerProcess.start(
            db: dir.dbPath, arguments: ["--read-header-timeout", "4s", "--idle-timeout", "6s"],
            launcher: ["/bin/sh", "-c", "ulimit -Sn 1024 && exec \"$@\"", "sh"])
        // The 1,100 idle connections are held by a child shell, not by this process: Foundation's
        // Process.run (Swift 6.3.1) over-reads /proc/self/fd and can crash any test that starts
        // a process while this one holds over a thousand descriptors.
        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: "/bin/bash")
        holder.arguments = ["-c", """
            ulimit -n 4096 || exit 3
            n=0
            for i in $(seq 1100); do exec {fd}<>/dev/tcp/127.0.0.1/\(Self.port(server)) && n=$((n + 1)); done
            echo "open $n"
            exec sleep 120
            """]
        let holderOut = dir.url.appendingPathComponent("idle-holder.out")
        FileManager.default.createFile(atPath: holderOut.path, contents: nil)
        holder.standardOutput = try FileHandle(forWritingTo: holderOut)
        holder.standardError = FileHandle.nullDevice
        try holder.run()
        defer { if holder.isRunning { kill(holder.processIdentifier, SIGKILL) } }
        var opened = ""
        let openDeadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < openDeadline && holder.isRunning {
            opened = (try? String(contentsOf: holderOut, encoding: .utf8)) ?? ""
            if opened.hasPrefix("open ") { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        #expect(opened == "open 1100\n", "\(opened)")
        // Measured once serve has had time to accept them (not behind its accept backlog), and
        // before the header timeout closes them.
        try await Task.sleep(for: .milliseconds(1500))
        // The best of three, so a test run that starves this machine's two cores does not decide.
        var healthTime = Duration.seconds(3600)
        var health = HTTPResult(status: 0, body: "")
        for _ in 0..<3 where healthTime >= .seconds(1) {
            let started = ContinuousClock.now
            health = try await http(.GET, server.url + "/healthz", timeout: 5)
            healthTime = min(healthTime, ContinuousClock.now - started)
        }
        print("/healthz with 1,100 idle connections open answered in \(healthTime)")
        #expect(health.status == 200 && health.body == "OK")
        // A starved server does not answer within the 5 s timeout at all; a machine loaded by the
        // rest of the suite (load average 9 was seen) can take a second even for the best of three.
        #expect(healthTime < .seconds(3))

        // Nothing sent, half a header, an idle keep-alive connection: all closed by the server.
        let silent = Self.connect(port: Self.port(server))
        let half = Self.connect(port: Self.port(server), sending: "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
        let keepAlive = Self.connect(port: Self.port(server), sending: "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        defer { [silent, half, keepAlive].forEach { close($0) } }
        #expect(await Self.closedByServer(silent, within: .seconds(10)))
        #expect(await Self.closedByServer(half, within: .seconds(10)))
        #expect(await Self.closedByServer(keepAlive, within: .seconds(10)))
        #expect(await server.stop() == 0)
    }

    @Test func theConnectionLimitIsLoggedAndLaterConnectionsWait() async throws {
        let server = try await ServerProcess.start(db: dir.dbPath, arguments: ["--max-connections", "20", "--idle-timeout", "2s"])
        var idle: [Int32] = []
        defer { idle.forEach { close($0) } }
        for _ in 0..<20 { idle.append(Self.connect(port: Self.port(server))) }
        try await Task.sleep(for: .milliseconds(300))
        #expect(server.stderr.contains("connection limit reached: new connections wait until one closes"), "\(server.stderr.suffix(2000))")
        // The next request waits for a slot: the idle ones time out and it is answered.
        let started = ContinuousClock.now
        let health = try await http(.GET, server.url + "/healthz", timeout: 10)
        #expect(health.status == 200)
        #expect(ContinuousClock.now - started < .seconds(5))
        #expect(await server.stop() == 0)
    }

    @Test func anUnreachableModelAPIDoesNotSlowCreates() async throws {
        _ = try await runTaskbox(["users", "create", "--username", "admin", "--roles", "owner"], db: dir.dbPath)
        let token = try await runTaskbox(["tokens", "create", "--user", "admin"], db: dir.dbPath).stdout
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let p = ProvisionerTests(dir: dir)
        let version = try await p.push(p.manifest(name: "echo"))
        // A port nothing listens on: every connect is refused.
        let server = try await ServerProcess.start(db: dir.dbPath, environment: [
            "ANTHROPIC_API_KEY": "test-key", "ANTHROPIC_BASE_URL": "http://127.0.0.1:\(LoopbackPort.free())",
        ])
        let started = ContinuousClock.now
        let r = try await http(.POST, server.url + "/api/experimental/tasks/me", token: token,
                               body: #"{"template_version_id":"\#(version)","input":"refactor the parser"}"#)
        let elapsed = ContinuousClock.now - started
        print("unnamed create with the model API unreachable took \(elapsed)")
        #expect(r.status == 201, "\(r.body)")
        #expect((r.object["name"] as? String)?.hasPrefix("task-") == true)
        #expect(elapsed < .seconds(2))
        #expect(await server.stop() == 0)
    }

    @Test func aPromptTooLongForAVariableReachesTheAgentThroughItsFile() async throws {
        let p = ProvisionerTests(dir: dir)
        let token = try await p.setUpUser()
        let version = try await p.push(p.manifest(name: "echo"))
        let server = try await ServerProcess.start(db: dir.dbPath)
        let prompt = String(repeating: "0123456789abcdef", count: 200 * 1024 / 16) + " end"
        let body = String(decoding: try JSONSerialization.data(withJSONObject: ["template_version_id": version, "input": prompt]), as: UTF8.self)
        let created = try await http(.POST, server.url + "/api/experimental/tasks/me", token: token, body: body)
        #expect(created.status == 201)
        let id = try #require(created.object["id"] as? String)
        try await p.waitForWorkspace(server, id, token: token) {
            ProvisionerTests.build($0)["status"] as? String == "running" && ProvisionerTests.firstApp($0)["health"] as? String == "healthy"
        }
        let wsDir = dir.url.appendingPathComponent("workspaces/\(id)")
        let env = try String(contentsOf: wsDir.appendingPathComponent("env.txt"), encoding: .utf8)
        #expect(env.contains("TASKBOX_TASK_PROMPT_FILE=\(wsDir.path)/taskbox-prompt.txt\n"))
        #expect(!env.contains("TASKBOX_PARAM_AI_PROMPT="), "a 200 KiB variable cannot be passed")
        #expect(try String(contentsOf: wsDir.appendingPathComponent("taskbox-prompt.txt"), encoding: .utf8) == prompt)
        let promptMode = try FileManager.default.attributesOfItem(atPath: wsDir.appendingPathComponent("taskbox-prompt.txt").path)[.posixPermissions] as? Int
        #expect(promptMode == 0o600, "only serve's user may read the prompt")
        // The echo agent read it whole: its first user message is the prompt.
        var logs: [[String: Any]] = []
        let deadline = ContinuousClock.now + .seconds(20)
        while ContinuousClock.now < deadline {
            let r = try await http(.GET, server.url + "/api/experimental/tasks/me/\(id)/logs", token: token)
            logs = r.object["logs"] as? [[String: Any]] ?? []
            if logs.contains(where: { $0["type"] as? String == "input" }) { break }
            try await Task.sleep(for: .milliseconds(200))
        }
        let input = logs.first { $0["type"] as? String == "input" }?["content"] as? String
        #expect(input == prompt, "first input has \(input?.utf8.count ?? 0) bytes")
        #expect(await server.stop() == 0)
    }

    @Test func theSandboxHidesTheDatabaseOtherWorkspacesAndOtherProcesses() async throws {
        let p = ProvisionerTests(dir: dir)
        let token = try await p.setUpUser()
        let probe = """
            db="$(dirname "$(dirname "$TASKBOX_WORKSPACE_DIR")")/taskbox.db"
            { head -c 16 "$db" >/dev/null 2>&1 && echo "db: readable" || echo "db: hidden"
              ls "$(dirname "$TASKBOX_WORKSPACE_DIR")" | wc -l | sed 's/^/workspaces: /'
              touch "$TASKBOX_WORKSPACE_DIR/written" 2>/dev/null && echo "workspace: writable" || echo "workspace: read-only"
              touch /usr/taskbox-sandbox-test 2>/dev/null && echo "usr: writable" || echo "usr: read-only"
              cat /proc/[0-9]*/environ 2>/dev/null | tr '\\0' '\\n' | grep '^CODER_WORKSPACE_ID=' | sort -u | wc -l | sed 's/^/environs: /'
            } > probe.txt
            exec "$0" agentapi-echo --port "$TASKBOX_APP_PORT"
            """
        let version = try await p.push(p.manifest(name: "probe", command: ["/bin/sh", "-c", probe, Paths.binary]))
        let server = try await ServerProcess.start(db: dir.dbPath, arguments: ["--isolation", "sandbox"])
        var ids: [String] = []
        for _ in 0..<2 {
            let r = try await http(.POST, server.url + "/api/experimental/tasks/me", token: token,
                                   body: #"{"template_version_id":"\#(version)","input":"x"}"#)
            ids.append(try #require(r.object["id"] as? String, "\(r.body)"))
        }
        for id in ids {
            try await p.waitForWorkspace(server, id, token: token) {
                ProvisionerTests.build($0)["status"] as? String == "running" && ProvisionerTests.firstApp($0)["health"] as? String == "healthy"
            }
        }
        let second = dir.url.appendingPathComponent("workspaces/\(ids[1])/probe.txt")
        let report = try String(contentsOf: second, encoding: .utf8)
        // Its own process only: the other app and serve, with their environments, are invisible.
        #expect(report == "db: hidden\nworkspaces: 1\nworkspace: writable\nusr: read-only\nenvirons: 1\n", "\(report)")
        #expect(FileManager.default.fileExists(atPath: dir.url.appendingPathComponent("workspaces/\(ids[1])/written").path))
        #expect(await server.stop() == 0)
        for id in ids { #expect(AppProcessTests.processes(withVariable: "CODER_WORKSPACE_ID=\(id)").isEmpty) }
    }
}
