import Foundation
import Testing

/// App processes that misbehave, through a real `serve` (issue 13 items 1–3): processes that
/// leave their group, signal masks, orphans of a killed server.
@Suite(.serialized) struct AppProcessTests {
    let dir = TestDirectory()

    /// Live processes (zombies excluded) whose environment has `variable` exactly.
    static func processes(withVariable variable: String) -> [pid_t] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return names.compactMap { pid_t($0) }.filter { pid in
            isAlive(pid) && (FileManager.default.contents(atPath: "/proc/\(pid)/environ") ?? Data())
                .split(separator: 0).contains { String(decoding: $0, as: UTF8.self) == variable }
        }
    }

    static func isAlive(_ pid: pid_t) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = stat.lastIndex(of: ")")
        else { return false }
        return stat[stat.index(after: close)...].split(separator: " ").first != "Z"
    }

    static func command(of pid: pid_t) -> String {
        let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") ?? Data()
        return data.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }.joined(separator: " ")
    }

    /// Waits until `check` holds (at most `timeout`); false when it never did.
    static func eventually(_ timeout: Duration = .seconds(20), _ check: () -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if check() { return true }
            try? await Task.sleep(for: .milliseconds(100))
        }
        return check()
    }

    func create(_ server: ServerProcess, token: String, version: String) async throws -> String {
        let r = try await http(.POST, server.url + "/api/experimental/tasks/me", token: token,
                               body: #"{"template_version_id":"\#(version)","input":"x"}"#)
        #expect(r.status == 201, "\(r.body)")
        return try #require(r.object["id"] as? String)
    }

    /// Kills what a failed test may have left, so nothing outlives the suite.
    func cleanUp(_ ids: [String]) {
        for id in ids {
            for pid in Self.processes(withVariable: "CODER_WORKSPACE_ID=\(id)") { kill(pid, SIGKILL) }
        }
    }

    @Test func appsThatLeaveTheirGroupAreStoppedAndFreeTheirSlots() async throws {
        let p = ProvisionerTests(dir: dir)
        let token = try await p.setUpUser()
        _ = try await runTaskbox(["users", "create", "--username", "bob"], db: dir.dbPath)
        let bobToken = try await runTaskbox(["tokens", "create", "--user", "bob"], db: dir.dbPath).stdout
            .trimmingCharacters(in: .whitespacesAndNewlines)
        let escaping = try await p.push(p.manifest(name: "escaping", command: [
            "/bin/sh", "-c", "setsid sleep 100000 & exec \"$0\" agentapi-echo --port $TASKBOX_APP_PORT", Paths.binary]))
        let echo = try await p.push(p.manifest(name: "echo"))
        let server = try await ServerProcess.start(db: dir.dbPath, arguments: ["--provisioners", "3"])
        var ids: [String] = []
        defer { cleanUp(ids) }
        for _ in 0..<3 { ids.append(try await create(server, token: token, version: escaping)) }
        for id in ids {
            try await p.waitForWorkspace(server, id, token: token) {
                ProvisionerTests.build($0)["status"] as? String == "running"
                    && ProvisionerTests.firstApp($0)["health"] as? String == "healthy"
            }
        }
        for id in ids {
            let sleepers = Self.processes(withVariable: "CODER_WORKSPACE_ID=\(id)").filter { Self.command(of: $0).hasPrefix("sleep") }
            #expect(sleepers.count == 1, "the app's setsid child runs")
        }

        let started = ContinuousClock.now
        for id in ids {
            let r = try await http(.DELETE, server.url + "/api/experimental/tasks/me/\(id)", token: token)
            #expect(r.status == 202, "\(r.body)")
        }
        for id in ids {
            try await p.waitForWorkspace(server, id, token: token, timeout: .seconds(20)) {
                ProvisionerTests.build($0)["status"] as? String == "deleted"
            }
        }
        let deleteTime = ContinuousClock.now - started
        print("three setsid apps deleted in \(deleteTime)")
        #expect(deleteTime < .seconds(10), "no app ignores SIGTERM here, so no grace period is used up")
        for id in ids {
            #expect(Self.processes(withVariable: "CODER_WORKSPACE_ID=\(id)").isEmpty, "every process of \(id) is gone")
        }

        // The slots are free: another user's task runs.
        let bobs = try await http(.POST, server.url + "/api/experimental/tasks/me", token: bobToken,
                                  body: #"{"template_version_id":"\#(echo)","input":"x"}"#)
        let bobID = try #require(bobs.object["id"] as? String)
        ids.append(bobID)
        try await p.waitForWorkspace(server, bobID, token: bobToken, timeout: .seconds(20)) {
            ProvisionerTests.build($0)["status"] as? String == "running"
        }

        // SIGTERM with a setsid app still running: serve stops it and exits promptly.
        let last = try await create(server, token: token, version: escaping)
        ids.append(last)
        try await p.waitForWorkspace(server, last, token: token) { ProvisionerTests.build($0)["status"] as? String == "running" }
        let stopping = ContinuousClock.now
        #expect(await server.stop(timeout: .seconds(20)) == 0)
        let stopTime = ContinuousClock.now - stopping
        print("serve with a setsid app exited on SIGTERM in \(stopTime)")
        #expect(stopTime < .seconds(5))
        #expect(Self.processes(withVariable: "CODER_WORKSPACE_ID=\(last)").isEmpty)
        #expect(Self.processes(withVariable: "CODER_WORKSPACE_ID=\(bobID)").isEmpty)
    }

    @Test func serveExitsOnSIGTERMWithinTheGracePeriodWhateverItsAppsDo() async throws {
        let p = ProvisionerTests(dir: dir)
        let token = try await p.setUpUser()
        // Ignores SIGTERM, and so does the child it moved to its own session.
        let stubborn = try await p.push(p.manifest(name: "stubborn", command: [
            "/bin/sh", "-c", "trap '' TERM; setsid sh -c \"trap '' TERM; sleep 100000\" & while true; do sleep 0.2; done"]))
        let server = try await ServerProcess.start(db: dir.dbPath)
        let id = try await create(server, token: token, version: stubborn)
        defer { cleanUp([id]) }
        try await p.waitForWorkspace(server, id, token: token) { ProvisionerTests.build($0)["status"] as? String == "running" }
        #expect(await Self.eventually { Self.processes(withVariable: "CODER_WORKSPACE_ID=\(id)").count >= 3 })
        let stopping = ContinuousClock.now
        #expect(await server.stop(timeout: .seconds(30)) == 0)
        let stopTime = ContinuousClock.now - stopping
        print("serve with an app ignoring SIGTERM exited in \(stopTime)")
        #expect(stopTime < .seconds(16), "10 s grace, then SIGKILL")
        #expect(Self.processes(withVariable: "CODER_WORKSPACE_ID=\(id)").isEmpty)
    }

    @Test func appsStartWithACleanSignalMaskAndDefaultDispositions() async throws {
        let p = ProvisionerTests(dir: dir)
        let token = try await p.setUpUser()
        let script = """
            import signal, sys, time
            def on_term(signum, frame):
                open("signals.txt", "a").write("TERM received\\n")
                sys.exit(0)
            signal.signal(signal.SIGTERM, on_term)
            open("ready.txt", "w").write("ready\\n")
            while True:
                time.sleep(0.1)
            """
        let python = try await p.push(p.manifest(name: "python", command: [
            "/bin/sh", "-c", "grep -E '^Sig(Blk|Ign):' /proc/self/status > mask.txt; exec /usr/bin/python3 -c \"$0\"", script]))
        let server = try await ServerProcess.start(db: dir.dbPath)
        let id = try await create(server, token: token, version: python)
        defer { cleanUp([id]) }
        let wsDir = dir.url.appendingPathComponent("workspaces/\(id)")
        #expect(await Self.eventually { FileManager.default.fileExists(atPath: wsDir.appendingPathComponent("ready.txt").path) })
        let mask = try String(contentsOf: wsDir.appendingPathComponent("mask.txt"), encoding: .utf8)
        #expect(mask == "SigBlk:\t0000000000000000\nSigIgn:\t0000000000000000\n")

        let stopping = ContinuousClock.now
        let r = try await http(.POST, server.url + "/api/v2/workspaces/\(id)/builds", token: token, body: #"{"transition":"stop"}"#)
        #expect(r.status == 201)
        try await p.waitForWorkspace(server, id, token: token) { ProvisionerTests.build($0)["status"] as? String == "stopped" }
        #expect(ContinuousClock.now - stopping < .seconds(5), "the app exits on SIGTERM, no SIGKILL needed")
        let signals = try? String(contentsOf: wsDir.appendingPathComponent("signals.txt"), encoding: .utf8)
        #expect(signals == "TERM received\n")
        #expect(await server.stop() == 0)
    }

    @Test func restartAfterSIGKILLStopsTheOldAppsWholeTree() async throws {
        let p = ProvisionerTests(dir: dir)
        let token = try await p.setUpUser()
        // The echo agent with a grandchild of serve (in the app's group).
        let version = try await p.push(p.manifest(name: "tree", command: [
            "/bin/sh", "-c", "sleep 100000 & exec \"$0\" agentapi-echo --port $TASKBOX_APP_PORT", Paths.binary]))
        var server = try await ServerProcess.start(db: dir.dbPath)
        let id = try await create(server, token: token, version: version)
        defer { cleanUp([id]) }
        try await p.waitForWorkspace(server, id, token: token) {
            ProvisionerTests.build($0)["status"] as? String == "running" && ProvisionerTests.firstApp($0)["health"] as? String == "healthy"
        }
        let old = Self.processes(withVariable: "CODER_WORKSPACE_ID=\(id)")
        #expect(old.count == 2, "the agent and its sleep child: \(old.map(Self.command(of:)))")
        #expect(await server.stop(signal: SIGKILL) != 0)
        #expect(old.allSatisfy(Self.isAlive), "the apps outlive a SIGKILLed serve")

        server = try await ServerProcess.start(db: dir.dbPath)
        // Stopped before serve listens: a request in between would reach an app about to be killed.
        #expect(!old.contains(where: Self.isAlive), "alive when serve listened: \(old.filter(Self.isAlive).map(Self.command(of:)))")
        #expect(await Self.eventually(.seconds(20)) {
            let now = Self.processes(withVariable: "CODER_WORKSPACE_ID=\(id)")
            return now.count == 2 && Set(now).isDisjoint(with: old)
        }, "only the new app and its child run: \(Self.processes(withVariable: "CODER_WORKSPACE_ID=\(id)").map(Self.command(of:)))")
        #expect(!old.contains(where: Self.isAlive), "left over: \(old.filter(Self.isAlive).map(Self.command(of:)))")
        #expect(await server.stop() == 0)
        #expect(Self.processes(withVariable: "CODER_WORKSPACE_ID=\(id)").isEmpty)
    }
}
